variable "name_prefix" {
  description = "Path prefix of the secrets, e.g. \"kommunal/production\"; secrets are named <prefix>/<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9/_-]*[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix may contain lower-case letters, digits, '/', '_' and '-'."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the secrets."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_days >= 7 && var.recovery_window_days <= 30
    error_message = "recovery_window_days must be between 7 and 30."
  }
}

variable "with_placement_databases" {
  description = "Also create the KOMMUNAL_PLACEMENT_DATABASES secret (when the stack has placement servers)."
  type        = bool
  default     = false
}
