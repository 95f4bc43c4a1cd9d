variable "aws_region" {
  description = "Region of the state bucket (Frankfurt, like everything else)."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = var.aws_region == "eu-central-1"
    error_message = "Kommunal runs in eu-central-1 (Frankfurt) only."
  }
}

variable "bucket_name_prefix" {
  description = "The state bucket is named <prefix>-<account id>."
  type        = string
  default     = "kommunal-tfstate"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,40}$", var.bucket_name_prefix))
    error_message = "bucket_name_prefix must be 3-41 lower-case letters, digits or hyphens."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days that previous versions of state files are kept (to recover a damaged state)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 30
    error_message = "Keep previous state versions for at least 30 days."
  }
}
