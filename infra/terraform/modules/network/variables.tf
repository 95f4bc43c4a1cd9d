variable "name_prefix" {
  description = "Prefix for every resource name of this environment, e.g. \"kommunal-production\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC; a /16 (or larger) so that the /20 application subnets fit."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 16
    error_message = "vpc_cidr must be a valid IPv4 CIDR block with a prefix length of /16 or shorter."
  }
}

variable "availability_zones" {
  description = "Two or three availability zones of the region, e.g. [\"eu-central-1a\", \"eu-central-1b\", \"eu-central-1c\"]."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must list two or three distinct zones."
  }

  validation {
    condition     = alltrue([for az in var.availability_zones : can(regex("^[a-z]{2}-[a-z]+-[0-9][a-z]$", az))])
    error_message = "Each availability zone must look like \"eu-central-1a\"."
  }
}

variable "single_nat_gateway" {
  description = "Use one NAT gateway for all zones (cheaper, for staging) instead of one per zone (zone-independent egress, for production)."
  type        = bool
  default     = false
}

variable "app_port" {
  description = "TCP port the web containers listen on (gunicorn)."
  type        = number
  default     = 8000

  validation {
    condition     = var.app_port > 1023 && var.app_port < 65536
    error_message = "app_port must be an unprivileged port (1024-65535): the containers run as a non-root user."
  }
}

variable "smtp_port" {
  description = "TCP port of the outgoing mail relay (EMAIL_PORT) the application may connect to."
  type        = number
  default     = 587

  validation {
    condition     = contains([25, 465, 587, 2525], var.smtp_port)
    error_message = "smtp_port must be one of 25, 465, 587 or 2525."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the VPC flow log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the VPC flow logs in CloudWatch Logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports (e.g. 30, 90, 365)."
  }
}
