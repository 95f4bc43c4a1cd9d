variable "name_prefix" {
  description = "Prefix for every resource name of this environment, e.g. \"kommunal-production\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,26}$", var.name_prefix))
    error_message = "name_prefix must be 3-27 characters of lower-case letters, digits and hyphens (load balancer names are limited to 32 characters)."
  }
}

variable "domain_name" {
  description = "Platform domain (KOMMUNAL_DOMAIN), e.g. \"kommunal.dataport.de\". The apex serves the public site, <slug>.<domain> the communes."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lower-case DNS name without trailing dot, e.g. kommunal.example.de."
  }
}

variable "hosted_zone_id" {
  description = "ID of the public Route 53 hosted zone of domain_name (the zone must exist and be delegated)."
  type        = string

  validation {
    condition     = can(regex("^Z[A-Z0-9]{4,32}$", var.hosted_zone_id))
    error_message = "hosted_zone_id must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ."
  }
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the load balancer (one per availability zone)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An application load balancer needs subnets in at least two availability zones."
  }
}

variable "alb_security_group_id" {
  description = "Security group of the load balancer (from the network module)."
  type        = string
}

variable "access_logs_bucket" {
  description = "Bucket for the load balancer's access logs (written under alb/)."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the WAF log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "app_port" {
  description = "Port of the web containers the load balancer forwards to."
  type        = number
  default     = 8000

  validation {
    condition     = var.app_port > 1023 && var.app_port < 65536
    error_message = "app_port must be between 1024 and 65535."
  }
}

variable "health_check_path" {
  description = "Path the load balancer polls on every web task; must answer 200 whatever the Host header (the load balancer sends the task's IP)."
  type        = string
  default     = "/health/"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with '/'."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.2 and 1.3 only by default)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-TLS13-1-[23]-", var.ssl_policy))
    error_message = "ssl_policy must be a TLS 1.3 policy that allows no protocol older than TLS 1.2 (ELBSecurityPolicy-TLS13-1-2-* or -1-3-*)."
  }
}

variable "additional_certificate_arns" {
  description = "ACM certificates for communes' custom host names, added to the HTTPS listener (SNI). See docs/operations.md, \"Custom domains\"."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.additional_certificate_arns : can(regex("^arn:aws[a-z-]*:acm:", arn))])
    error_message = "additional_certificate_arns must contain ACM certificate ARNs."
  }
}

variable "idle_timeout_seconds" {
  description = "Load balancer idle timeout; keep it below gunicorn's keep-alive handling and above the slowest request."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout_seconds >= 1 && var.idle_timeout_seconds <= 4000
    error_message = "idle_timeout_seconds must be between 1 and 4000."
  }
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests one client IP may send in 5 minutes before the WAF blocks it."
  type        = number
  default     = 3000

  validation {
    condition     = var.waf_rate_limit_per_5_minutes >= 100
    error_message = "waf_rate_limit_per_5_minutes must be at least 100 (the WAF minimum)."
  }
}

variable "log_retention_days" {
  description = "Retention of the WAF logs in CloudWatch Logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports (e.g. 30, 90, 365)."
  }
}
