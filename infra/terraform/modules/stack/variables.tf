variable "environment" {
  description = "Name of the environment (staging, production): names, tags and KOMMUNAL_ENV."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "domain_name" {
  description = "Platform domain (KOMMUNAL_DOMAIN): the apex serves the public site, <slug>.<domain_name> the communes."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lower-case DNS name without trailing dot."
  }
}

variable "hosted_zone_name" {
  description = "Name of the public Route 53 hosted zone that holds the records; empty means a zone named exactly like domain_name (delegated beforehand, see docs/operations.md)."
  type        = string
  default     = ""
}

variable "additional_certificate_arns" {
  description = "ACM certificates of communes' custom host names, attached to the HTTPS listener."
  type        = list(string)
  default     = []
}

variable "image_tag" {
  description = "Image tag (git commit SHA) the task definitions use; the deploy pipeline passes it. For infrastructure-only changes pass the deployed one (key image_tag of terraform output -json stack)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid, immutable Docker tag (not \"latest\")."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC (/16)."
  type        = string
}

variable "availability_zones" {
  description = "Two or three availability zones of eu-central-1."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3 && alltrue([for az in var.availability_zones : startswith(az, "eu-central-1")])
    error_message = "availability_zones must list two or three zones of eu-central-1."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper) instead of one per zone."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of all CloudWatch log groups (containers, database, cache, WAF, flow logs), in days."
  type        = number
  default     = 365
}

variable "db_instance_class" {
  description = "RDS instance class of PostgreSQL."
  type        = string
}

variable "db_allocated_storage_gib" {
  description = "Initial database storage in GiB."
  type        = number
}

variable "db_max_allocated_storage_gib" {
  description = "Upper limit of database storage autoscaling in GiB."
  type        = number
}

variable "db_backup_retention_days" {
  description = "Days of automated database backups (point-in-time recovery); at least 14."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 14 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 14 and 35."
  }
}

variable "db_log_min_duration_statement_ms" {
  description = "Log statements slower than this many milliseconds (PostgreSQL log_min_duration_statement)."
  type        = number
  default     = 500
}

variable "cache_node_type" {
  description = "ElastiCache node type of Redis."
  type        = string
}

variable "cache_auth_token_version" {
  description = "Bump to rotate the Redis AUTH token (docs/operations.md, \"Rotate secrets\")."
  type        = string
  default     = "1"
}

variable "cache_auth_token_update_strategy" {
  description = "ROTATE (old and new token valid) or SET (only the new token valid); see docs/operations.md."
  type        = string
  default     = "ROTATE"
}

variable "offboarded_retention_days" {
  description = "Days after which the files of communes that left the platform (prefix offboarded/) are deleted."
  type        = number
  default     = 90
}

variable "s3_endpoint_url" {
  description = "KOMMUNAL_S3_ENDPOINT_URL for an S3-compatible store other than AWS S3; empty on AWS."
  type        = string
  default     = ""
}

variable "email_host" {
  description = "EMAIL_HOST: SMTP relay for outgoing mail."
  type        = string
}

variable "email_port" {
  description = "EMAIL_PORT of the SMTP relay."
  type        = number
  default     = 587
}

variable "email_host_user" {
  description = "EMAIL_HOST_USER at the SMTP relay."
  type        = string
}

variable "email_use_tls" {
  description = "EMAIL_USE_TLS (STARTTLS)."
  type        = bool
  default     = true
}

variable "default_from_email" {
  description = "DEFAULT_FROM_EMAIL of the platform."
  type        = string
}

variable "extra_environment" {
  description = "Further plain environment variables for every container (e.g. KOMMUNAL_ALLOWED_HOSTS for custom domains)."
  type        = map(string)
  default     = {}
}

variable "web" {
  description = "Web service: Fargate cpu/memory per task, gunicorn workers, autoscaling min/max task count and CPU target (%)."
  type = object({
    cpu                = number
    memory             = number
    gunicorn_workers   = number
    min_count          = number
    max_count          = number
    cpu_target_percent = number
  })
}

variable "worker" {
  description = "Celery worker service: Fargate cpu/memory per task, task count and processes per task."
  type = object({
    cpu         = number
    memory      = number
    count       = number
    concurrency = number
  })
}

variable "alarm_emails" {
  description = "E-mail addresses notified of alarms."
  type        = list(string)
  default     = []
}

variable "placement_databases" {
  description = "Further PostgreSQL servers for commune schemas, keyed by their alias in KOMMUNAL_PLACEMENT_DATABASES (e.g. pg2); each may override placement_database_defaults."
  type = map(object({
    instance_class            = optional(string)
    allocated_storage_gib     = optional(number)
    max_allocated_storage_gib = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for alias in keys(var.placement_databases) : can(regex("^[a-z][a-z0-9_]{0,20}$", alias)) && alias != "default"])
    error_message = "Aliases are lower-case identifiers (letters, digits, '_'), not 'default'."
  }
}

variable "placement_database_defaults" {
  description = "Size of a placement server where placement_databases does not say otherwise."
  type = object({
    instance_class            = string
    allocated_storage_gib     = number
    max_allocated_storage_gib = number
  })
  default = {
    instance_class            = "db.m7g.large"
    allocated_storage_gib     = 100
    max_allocated_storage_gib = 1000
  }
}
