variable "name_prefix" {
  description = "Prefix for every resource name of this environment, e.g. \"kommunal-production\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for SSE-KMS of the tenant-assets bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "offboarded_retention_days" {
  description = "Days after which files under offboarded/ (communes that left the platform) are deleted; their versions follow 7 days later."
  type        = number
  default     = 90

  validation {
    condition     = var.offboarded_retention_days >= 1 && var.offboarded_retention_days <= 3650
    error_message = "offboarded_retention_days must be between 1 and 3650."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days that overwritten or deleted tenant files stay restorable as previous object versions."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1 && var.noncurrent_version_retention_days <= 365
    error_message = "noncurrent_version_retention_days must be between 1 and 365."
  }
}

variable "tenant_backup_retention_days" {
  description = "Days that single-tenant database dumps under backups/ are kept (docs/operations.md)."
  type        = number
  default     = 30

  validation {
    condition     = var.tenant_backup_retention_days >= 1 && var.tenant_backup_retention_days <= 3650
    error_message = "tenant_backup_retention_days must be between 1 and 3650."
  }
}

variable "access_log_retention_days" {
  description = "Days that load balancer and S3 access logs are kept in the log bucket."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1 && var.access_log_retention_days <= 3650
    error_message = "access_log_retention_days must be between 1 and 3650."
  }
}
