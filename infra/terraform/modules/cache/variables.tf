variable "name_prefix" {
  description = "Prefix for every resource name of this environment, e.g. \"kommunal-production\"; also the replication group ID."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "secret_name_prefix" {
  description = "Path prefix of the Secrets Manager secret holding REDIS_URL, e.g. \"kommunal/production\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9/_-]*[a-z0-9]$", var.secret_name_prefix))
    error_message = "secret_name_prefix may contain lower-case letters, digits, '/', '_' and '-'."
  }
}

variable "subnet_ids" {
  description = "Private data subnets (at least two availability zones) for the cache subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "Automatic failover needs subnets in at least two availability zones."
  }
}

variable "security_group_ids" {
  description = "Security groups of the replication group (the network module's cache group)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) > 0
    error_message = "At least one security group is required."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for encryption at rest, the REDIS_URL secret and the log groups."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "engine_version" {
  description = "Redis OSS engine version (major.minor)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be a Redis 7 version such as \"7.1\"."
  }
}

variable "node_type" {
  description = "ElastiCache node type, e.g. \"cache.m7g.large\" (production) or \"cache.t4g.small\" (staging)."
  type        = string
  default     = "cache.m7g.large"

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.node_type))
    error_message = "node_type must be an ElastiCache node type such as cache.m7g.large."
  }
}

variable "num_cache_clusters" {
  description = "Number of nodes (one primary plus replicas), spread over the subnets' zones; at least two for automatic failover."
  type        = number
  default     = 2

  validation {
    condition     = var.num_cache_clusters >= 2 && var.num_cache_clusters <= 6
    error_message = "num_cache_clusters must be between 2 and 6."
  }
}

variable "snapshot_retention_days" {
  description = "Days ElastiCache keeps daily snapshots (the broker's queued tasks and cached data)."
  type        = number
  default     = 3

  validation {
    condition     = var.snapshot_retention_days >= 1 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days must be between 1 and 35."
  }
}

variable "auth_token_version" {
  description = "Change this value (e.g. \"2\") to generate a new AUTH token; see docs/operations.md, \"Rotate secrets\"."
  type        = string
  default     = "1"

  validation {
    condition     = length(var.auth_token_version) > 0
    error_message = "auth_token_version must not be empty."
  }
}

variable "auth_token_update_strategy" {
  description = "How a new AUTH token is applied: ROTATE keeps the old token valid as well (zero downtime), SET makes only the new token valid."
  type        = string
  default     = "ROTATE"

  validation {
    condition     = contains(["ROTATE", "SET"], var.auth_token_update_strategy)
    error_message = "auth_token_update_strategy must be ROTATE or SET."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted REDIS_URL secret can still be restored."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30
    error_message = "secret_recovery_window_days must be between 7 and 30."
  }
}

variable "log_retention_days" {
  description = "Retention of the Redis slow and engine logs in CloudWatch Logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports (e.g. 30, 90, 365)."
  }
}
