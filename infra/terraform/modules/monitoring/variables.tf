variable "name_prefix" {
  description = "Prefix for every resource name of this environment, e.g. \"kommunal-production\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name; value of the Environment dimension of the queue depth metric (KOMMUNAL_ENV)."
  type        = string

  validation {
    condition     = contains(["production", "staging"], var.environment)
    error_message = "environment must be \"production\" or \"staging\"."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the alarm topic."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription mail)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", address))])
    error_message = "alarm_emails must contain e-mail addresses."
  }
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (edge module output alb_arn_suffix)."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the web target group (edge module output target_group_arn_suffix)."
  type        = string
}

variable "db_instance_identifier" {
  description = "Identifier of the RDS instance."
  type        = string
}

variable "alb_5xx_rate_threshold_percent" {
  description = "Alarm when more than this percentage of requests in 5 minutes end with a 5xx (from the load balancer or the tasks)."
  type        = number
  default     = 5

  validation {
    condition     = var.alb_5xx_rate_threshold_percent > 0 && var.alb_5xx_rate_threshold_percent <= 100
    error_message = "alb_5xx_rate_threshold_percent must be in (0, 100]."
  }
}

variable "alb_5xx_min_requests" {
  description = "The 5xx rate only counts in 5-minute periods with at least this many requests (no alarm for 1 error out of 2 requests at night)."
  type        = number
  default     = 50

  validation {
    condition     = var.alb_5xx_min_requests >= 0
    error_message = "alb_5xx_min_requests must not be negative."
  }
}

variable "db_cpu_threshold_percent" {
  description = "Alarm when the database CPU stays above this percentage for 15 minutes."
  type        = number
  default     = 80

  validation {
    condition     = var.db_cpu_threshold_percent > 0 && var.db_cpu_threshold_percent <= 100
    error_message = "db_cpu_threshold_percent must be in (0, 100]."
  }
}

variable "db_free_storage_threshold_gib" {
  description = "Alarm when the database has less than this many GiB of free storage (storage autoscaling should have reacted before)."
  type        = number
  default     = 20

  validation {
    condition     = var.db_free_storage_threshold_gib > 0
    error_message = "db_free_storage_threshold_gib must be positive."
  }
}

variable "queue_depth_namespace" {
  description = "CloudWatch namespace of the queue depth metric published by the scheduler."
  type        = string
  default     = "Kommunal/Celery"
}

variable "queue_names" {
  description = "Celery queues to watch; value of the Queue dimension of the QueueDepth metric."
  type        = list(string)
  default     = ["celery"]

  validation {
    condition     = length(var.queue_names) > 0
    error_message = "Watch at least one queue."
  }
}

variable "queue_depth_threshold" {
  description = "Alarm when a queue holds more than this many waiting tasks for 10 minutes."
  type        = number
  default     = 500

  validation {
    condition     = var.queue_depth_threshold > 0
    error_message = "queue_depth_threshold must be positive."
  }
}
