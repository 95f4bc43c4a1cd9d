variable "name_prefix" {
  description = "Prefix for every resource name of this environment, e.g. \"kommunal-production\"; also the RDS instance identifier."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "subnet_ids" {
  description = "Private data subnets (at least two availability zones) for the DB subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "A Multi-AZ instance needs subnets in at least two availability zones."
  }
}

variable "security_group_ids" {
  description = "Security groups of the instance (the network module's database group)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) > 0
    error_message = "At least one security group is required."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for storage, Performance Insights, the master-user secret and the log groups."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "engine_version" {
  description = "PostgreSQL major (\"17\") or major.minor (\"17.4\") version. With only the major version RDS picks the newest minor and keeps it up to date."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^(1[6-9])(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 16 or newer, e.g. \"17\" or \"17.4\"."
  }
}

variable "instance_class" {
  description = "RDS instance class, e.g. \"db.m7g.large\" (production) or \"db.t4g.medium\" (staging)."
  type        = string
  default     = "db.m7g.large"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must be an RDS instance class such as db.m7g.large."
  }
}

variable "allocated_storage_gib" {
  description = "Initial gp3 storage in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.allocated_storage_gib >= 20 && var.allocated_storage_gib <= 65536
    error_message = "allocated_storage_gib must be between 20 and 65536."
  }
}

variable "max_allocated_storage_gib" {
  description = "Upper limit for storage autoscaling in GiB; RDS grows the volume up to this size when it runs low."
  type        = number
  default     = 1000

  validation {
    condition     = var.max_allocated_storage_gib >= var.allocated_storage_gib && var.max_allocated_storage_gib <= 65536
    error_message = "max_allocated_storage_gib must be at least allocated_storage_gib and at most 65536."
  }
}

variable "database_name" {
  description = "Name of the database RDS creates (the one in DATABASE_URL)."
  type        = string
  default     = "kommunal"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be a lower-case PostgreSQL identifier."
  }
}

variable "master_username" {
  description = "Name of the RDS master user (administration and break-glass only; the application uses its own role, see docs/operations.md)."
  type        = string
  default     = "kommunal_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin"], var.master_username)
    error_message = "master_username must be a lower-case PostgreSQL identifier and not a reserved name."
  }
}

variable "backup_retention_days" {
  description = "Days RDS keeps automated backups (point-in-time recovery window); at least 14."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 14 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 14 and 35."
  }
}

variable "backup_window" {
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi); must not overlap the maintenance window."
  type        = string
  default     = "01:00-02:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must look like \"01:00-02:00\"."
  }
}

variable "maintenance_window" {
  description = "Weekly UTC maintenance window (ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:02:30-sun:03:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like \"sun:02:30-sun:03:30\"."
  }
}

variable "log_min_duration_statement_ms" {
  description = "PostgreSQL log_min_duration_statement: statements slower than this many milliseconds are logged (-1 disables)."
  type        = number
  default     = 500

  validation {
    condition     = var.log_min_duration_statement_ms >= -1 && floor(var.log_min_duration_statement_ms) == var.log_min_duration_statement_ms
    error_message = "log_min_duration_statement_ms must be a whole number of milliseconds, or -1."
  }
}

variable "log_retention_days" {
  description = "Retention of the PostgreSQL logs exported to CloudWatch Logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports (e.g. 30, 90, 365)."
  }
}
