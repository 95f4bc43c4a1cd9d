variable "name_prefix" {
  description = "Prefix for every resource name of this environment, e.g. \"kommunal-production\"; also the ECS cluster and ECR repository name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "KOMMUNAL_ENV of the containers."
  type        = string

  validation {
    condition     = contains(["production", "staging"], var.environment)
    error_message = "environment must be \"production\" or \"staging\"."
  }
}

variable "domain_name" {
  description = "Platform domain (KOMMUNAL_DOMAIN), e.g. \"kommunal.dataport.de\"."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lower-case DNS name without trailing dot."
  }
}

variable "image_tag" {
  description = "Tag of the application image in this environment's ECR repository (the deploy pipeline uses the git commit SHA)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid, immutable Docker tag (not \"latest\")."
  }
}

variable "subnet_ids" {
  description = "Private application subnets of the tasks."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "The tasks need subnets in at least two availability zones."
  }
}

variable "security_group_id" {
  description = "Security group of the tasks (the network module's app group)."
  type        = string
}

variable "target_group_arn" {
  description = "Target group of the web service (from the edge module)."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the environment's KMS key (ECR, log groups, ECS Exec, decryption of secrets and S3 objects)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "bucket_name" {
  description = "Tenant-assets bucket (KOMMUNAL_S3_BUCKET)."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of the tenant-assets bucket; the only bucket the task roles may use."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", var.bucket_arn))
    error_message = "bucket_arn must be the ARN of an S3 bucket."
  }
}

variable "s3_region" {
  description = "Region of the bucket (KOMMUNAL_S3_REGION)."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.s3_region))
    error_message = "s3_region must be a region name such as eu-central-1."
  }
}

variable "s3_endpoint_url" {
  description = "KOMMUNAL_S3_ENDPOINT_URL: endpoint of an S3-compatible store other than AWS S3 (e.g. https://s3.example.de). Empty on AWS."
  type        = string
  default     = ""

  validation {
    condition     = var.s3_endpoint_url == "" || can(regex("^https://[^/\\s]+(/.*)?$", var.s3_endpoint_url))
    error_message = "s3_endpoint_url must be empty (AWS S3) or an https:// URL."
  }
}

variable "secret_arns" {
  description = "Secrets Manager ARNs injected as environment variables, keyed by variable name; must contain DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET and EMAIL_HOST_PASSWORD."
  type        = map(string)

  validation {
    condition = alltrue([
      for name in ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "EMAIL_HOST_PASSWORD"] :
      contains(keys(var.secret_arns), name)
    ])
    error_message = "secret_arns must contain DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET and EMAIL_HOST_PASSWORD."
  }

  validation {
    condition     = alltrue([for arn in values(var.secret_arns) : can(regex("^arn:aws[a-z-]*:secretsmanager:", arn))])
    error_message = "Every value of secret_arns must be a Secrets Manager secret ARN."
  }
}

variable "email_host" {
  description = "EMAIL_HOST: SMTP relay for outgoing mail."
  type        = string
}

variable "email_port" {
  description = "EMAIL_PORT of the SMTP relay."
  type        = number
  default     = 587

  validation {
    condition     = contains([25, 465, 587, 2525], var.email_port)
    error_message = "email_port must be one of 25, 465, 587 or 2525."
  }
}

variable "email_host_user" {
  description = "EMAIL_HOST_USER: user name at the SMTP relay (its password is the EMAIL_HOST_PASSWORD secret)."
  type        = string
}

variable "email_use_tls" {
  description = "EMAIL_USE_TLS: use STARTTLS towards the relay."
  type        = bool
  default     = true
}

variable "default_from_email" {
  description = "DEFAULT_FROM_EMAIL, e.g. \"Kommunal <noreply@kommunal.example.de>\"."
  type        = string

  validation {
    condition     = can(regex("@", var.default_from_email))
    error_message = "default_from_email must contain an e-mail address."
  }
}

variable "extra_environment" {
  description = "Further plain (non-secret) environment variables for every container, e.g. {KOMMUNAL_ALLOWED_HOSTS = \"buergerservice.example.de\"}."
  type        = map(string)
  default     = {}
}

variable "cpu_architecture" {
  description = "CPU architecture of the image and the Fargate tasks."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "web" {
  description = "Size and scaling of the web service: Fargate cpu units/memory MiB per task, gunicorn worker processes, autoscaling bounds and CPU target (percent)."
  type = object({
    cpu                = number
    memory             = number
    gunicorn_workers   = number
    min_count          = number
    max_count          = number
    cpu_target_percent = number
  })
  default = {
    cpu                = 1024
    memory             = 2048
    gunicorn_workers   = 3
    min_count          = 2
    max_count          = 10
    cpu_target_percent = 60
  }

  validation {
    condition     = var.web.min_count >= 1 && var.web.max_count >= var.web.min_count && var.web.gunicorn_workers >= 1
    error_message = "web needs min_count >= 1, max_count >= min_count and at least one gunicorn worker."
  }

  validation {
    condition     = var.web.cpu_target_percent >= 20 && var.web.cpu_target_percent <= 90
    error_message = "web.cpu_target_percent must be between 20 and 90."
  }

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.web.cpu)
    error_message = "web.cpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192 or 16384)."
  }
}

variable "worker" {
  description = "Size of the Celery worker service: Fargate cpu units/memory MiB per task, number of tasks and processes per task."
  type = object({
    cpu         = number
    memory      = number
    count       = number
    concurrency = number
  })
  default = {
    cpu         = 1024
    memory      = 2048
    count       = 2
    concurrency = 4
  }

  validation {
    condition     = var.worker.count >= 0 && var.worker.concurrency >= 1
    error_message = "worker.count must be >= 0 and worker.concurrency >= 1."
  }

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.worker.cpu)
    error_message = "worker.cpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192 or 16384)."
  }
}

variable "scheduler" {
  description = "Size of the Celery beat task (always exactly one task): Fargate cpu units and memory MiB."
  type = object({
    cpu    = number
    memory = number
  })
  default = {
    cpu    = 256
    memory = 512
  }

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.scheduler.cpu)
    error_message = "scheduler.cpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192 or 16384)."
  }
}

variable "one_off" {
  description = "Size of the one-off tasks (migrations, operator shell): Fargate cpu units and memory MiB."
  type = object({
    cpu    = number
    memory = number
  })
  default = {
    cpu    = 1024
    memory = 2048
  }

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.one_off.cpu)
    error_message = "one_off.cpu must be a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192 or 16384)."
  }
}

variable "ecr_keep_images" {
  description = "Number of most recent images kept in the ECR repository (older ones are deleted; keep enough to roll back)."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 5
    error_message = "Keep at least 5 images so that rollbacks stay possible."
  }
}

variable "log_retention_days" {
  description = "Retention of the container logs in CloudWatch Logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports (e.g. 30, 90, 365)."
  }
}

variable "queue_depth_metric_namespace" {
  description = "CloudWatch namespace in which the scheduler publishes the Celery queue depth (the only namespace its role may write)."
  type        = string
  default     = "Kommunal/Celery"
}
