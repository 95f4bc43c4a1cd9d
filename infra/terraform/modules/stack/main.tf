# One Kommunal environment (network, database servers, cache, storage, edge, app, monitoring),
# composed from the sibling modules. environments/staging and environments/production call it
# with their own values only; nothing here names an environment.

locals {
  name_prefix = "kommunal-${var.environment}"
  secret_path = "kommunal/${var.environment}"
  # Each placement server: alias -> its own RDS instance (docs/placement.md).
  placement_databases = { for alias, server in var.placement_databases : alias => merge(var.placement_database_defaults, server) }
}

data "aws_route53_zone" "platform" {
  name         = var.hosted_zone_name != "" ? var.hosted_zone_name : var.domain_name
  private_zone = false
}

module "kms" {
  source = "../kms"

  name_prefix = local.name_prefix
}

module "network" {
  source = "../network"

  name_prefix        = local.name_prefix
  vpc_cidr           = var.vpc_cidr
  availability_zones = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  smtp_port          = var.email_port
  kms_key_arn        = module.kms.key_arn
  log_retention_days = var.log_retention_days
}

module "storage" {
  source = "../storage"

  name_prefix               = local.name_prefix
  kms_key_arn               = module.kms.key_arn
  offboarded_retention_days = var.offboarded_retention_days
}

module "secrets" {
  source = "../secrets"

  name_prefix              = local.secret_path
  kms_key_arn              = module.kms.key_arn
  with_placement_databases = length(var.placement_databases) > 0
}

module "database" {
  source = "../database"

  name_prefix                   = local.name_prefix
  subnet_ids                    = module.network.data_subnet_ids
  security_group_ids            = [module.network.database_security_group_id]
  kms_key_arn                   = module.kms.key_arn
  instance_class                = var.db_instance_class
  allocated_storage_gib         = var.db_allocated_storage_gib
  max_allocated_storage_gib     = var.db_max_allocated_storage_gib
  backup_retention_days         = var.db_backup_retention_days
  log_min_duration_statement_ms = var.db_log_min_duration_statement_ms
  log_retention_days            = var.log_retention_days
}

# Further PostgreSQL servers for commune schemas. The application reaches them through the
# secret KOMMUNAL_PLACEMENT_DATABASES (alias=url pairs, put by an operator like DATABASE_URL).
module "placement_database" {
  source   = "../database"
  for_each = local.placement_databases

  name_prefix                   = "${local.name_prefix}-${each.key}"
  subnet_ids                    = module.network.data_subnet_ids
  security_group_ids            = [module.network.database_security_group_id]
  kms_key_arn                   = module.kms.key_arn
  instance_class                = each.value.instance_class
  allocated_storage_gib         = each.value.allocated_storage_gib
  max_allocated_storage_gib     = each.value.max_allocated_storage_gib
  backup_retention_days         = var.db_backup_retention_days
  log_min_duration_statement_ms = var.db_log_min_duration_statement_ms
  log_retention_days            = var.log_retention_days
}

module "cache" {
  source = "../cache"

  name_prefix                = local.name_prefix
  secret_name_prefix         = local.secret_path
  subnet_ids                 = module.network.data_subnet_ids
  security_group_ids         = [module.network.cache_security_group_id]
  kms_key_arn                = module.kms.key_arn
  node_type                  = var.cache_node_type
  auth_token_version         = var.cache_auth_token_version
  auth_token_update_strategy = var.cache_auth_token_update_strategy
  log_retention_days         = var.log_retention_days
}

module "edge" {
  source = "../edge"

  name_prefix                 = local.name_prefix
  domain_name                 = var.domain_name
  hosted_zone_id              = data.aws_route53_zone.platform.zone_id
  vpc_id                      = module.network.vpc_id
  public_subnet_ids           = module.network.public_subnet_ids
  alb_security_group_id       = module.network.alb_security_group_id
  access_logs_bucket          = module.storage.access_logs_bucket_name
  kms_key_arn                 = module.kms.key_arn
  additional_certificate_arns = var.additional_certificate_arns
  log_retention_days          = var.log_retention_days
}

module "app" {
  source = "../app"

  name_prefix       = local.name_prefix
  environment       = var.environment
  domain_name       = var.domain_name
  image_tag         = var.image_tag
  subnet_ids        = module.network.app_subnet_ids
  security_group_id = module.network.app_security_group_id
  target_group_arn  = module.edge.target_group_arn
  kms_key_arn       = module.kms.key_arn

  bucket_name     = module.storage.bucket_name
  bucket_arn      = module.storage.bucket_arn
  s3_region       = module.storage.bucket_region
  s3_endpoint_url = var.s3_endpoint_url

  secret_arns = merge(module.secrets.secret_arns, {
    REDIS_URL = module.cache.redis_url_secret_arn
  })

  email_host         = var.email_host
  email_port         = var.email_port
  email_host_user    = var.email_host_user
  email_use_tls      = var.email_use_tls
  default_from_email = var.default_from_email
  extra_environment  = var.extra_environment

  web                = var.web
  worker             = var.worker
  log_retention_days = var.log_retention_days
}

module "monitoring" {
  source = "../monitoring"

  name_prefix             = local.name_prefix
  environment             = var.environment
  kms_key_arn             = module.kms.key_arn
  alarm_emails            = var.alarm_emails
  alb_arn_suffix          = module.edge.alb_arn_suffix
  target_group_arn_suffix = module.edge.target_group_arn_suffix
  db_instance_identifier  = module.database.instance_identifier
}
