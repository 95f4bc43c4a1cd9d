# Kommunal production: the stack of ../../modules/stack with production's values. Secrets never go
# here: they live in Secrets Manager (docs/operations.md). image_tag is passed by the deploy
# pipeline (-var image_tag=<git sha>).

locals {
  environment = "production"
}

module "stack" {
  source = "../../modules/stack"

  environment = local.environment
  image_tag   = var.image_tag

  # The public hosted zone of this name must exist in the account (docs/operations.md).
  domain_name = "kommunal.dataport.de"

  vpc_cidr           = "10.40.0.0/16"
  availability_zones = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
  single_nat_gateway = false
  log_retention_days = 365

  db_instance_class            = "db.m7g.large"
  db_allocated_storage_gib     = 100
  db_max_allocated_storage_gib = 1000
  db_backup_retention_days     = 30

  # Placement servers for commune schemas beyond the primary (docs/placement.md); add one here,
  # apply, then put its URL into the KOMMUNAL_PLACEMENT_DATABASES secret.
  placement_databases = {}

  cache_node_type = "cache.m7g.large"

  email_host         = "email-smtp.eu-central-1.amazonaws.com"
  email_port         = 587
  email_host_user    = "REPLACE_WITH_SMTP_USER"
  email_use_tls      = true
  default_from_email = "Kommunal <noreply@kommunal.dataport.de>"

  web = {
    cpu                = 1024
    memory             = 2048
    gunicorn_workers   = 3
    min_count          = 3
    max_count          = 12
    cpu_target_percent = 60
  }
  worker = {
    cpu         = 1024
    memory      = 2048
    count       = 2
    concurrency = 4
  }

  alarm_emails = []
}
