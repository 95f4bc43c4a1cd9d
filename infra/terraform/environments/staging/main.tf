# Kommunal staging: the stack of ../../modules/stack with staging's values. Same architecture as
# production (Multi-AZ database and cache, HTTPS only), smaller and cheaper. Secrets never go here:
# they live in Secrets Manager (docs/operations.md). image_tag is passed by the deploy pipeline
# (-var image_tag=<git sha>).

locals {
  environment = "staging"
}

module "stack" {
  source = "../../modules/stack"

  environment = local.environment
  image_tag   = var.image_tag

  # The public hosted zone of this name must exist in the account (docs/operations.md).
  domain_name = "staging.kommunal.dataport.de"

  vpc_cidr           = "10.41.0.0/16"
  availability_zones = ["eu-central-1a", "eu-central-1b"]
  single_nat_gateway = true
  log_retention_days = 365

  db_instance_class            = "db.t4g.medium"
  db_allocated_storage_gib     = 20
  db_max_allocated_storage_gib = 100
  db_backup_retention_days     = 14

  # No placement servers: every commune on the primary database.
  placement_databases = {}

  cache_node_type = "cache.t4g.small"

  email_host         = "email-smtp.eu-central-1.amazonaws.com"
  email_port         = 587
  email_host_user    = "REPLACE_WITH_SMTP_USER"
  email_use_tls      = true
  default_from_email = "Kommunal Staging <noreply@staging.kommunal.dataport.de>"

  web = {
    cpu                = 512
    memory             = 1024
    gunicorn_workers   = 2
    min_count          = 1
    max_count          = 3
    cpu_target_percent = 70
  }
  worker = {
    cpu         = 512
    memory      = 1024
    count       = 1
    concurrency = 2
  }

  alarm_emails = []
}
