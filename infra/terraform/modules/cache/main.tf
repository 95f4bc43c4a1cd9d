# Redis on ElastiCache: Django's cache and the Celery broker. Encrypted at rest (KMS) and in
# transit (TLS required), AUTH token, Multi-AZ with automatic failover.
#
# The AUTH token is generated here and therefore stored in the (encrypted, access-restricted)
# Terraform state: ElastiCache needs it in the API call that creates or modifies the group. The
# complete REDIS_URL (rediss://, certificate verification on) goes to Secrets Manager, from where
# ECS injects it into the containers.

locals {
  port = 6379
  log_types = {
    slow-log   = "slow"
    engine-log = "engine"
  }
}

resource "random_password" "auth_token" {
  length  = 64
  special = false

  keepers = {
    version = var.auth_token_version
  }
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name_prefix
  description = "Kommunal ${var.name_prefix}: private data subnets"
  subnet_ids  = var.subnet_ids
}

resource "aws_elasticache_parameter_group" "this" {
  name        = "${var.name_prefix}-redis${split(".", var.engine_version)[0]}"
  family      = "redis${split(".", var.engine_version)[0]}"
  description = "Kommunal ${var.name_prefix}: cache and Celery broker"

  # Only keys with a TTL (cache entries) may be evicted; Celery's queues have none and must never
  # be evicted under memory pressure.
  parameter {
    name  = "maxmemory-policy"
    value = "volatile-lru"
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.log_types

  name              = "/${var.name_prefix}/elasticache/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name_prefix
  description          = "Kommunal ${var.name_prefix}: cache and Celery broker"

  engine               = "redis"
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = local.port
  parameter_group_name = aws_elasticache_parameter_group.this.name

  num_cache_clusters         = var.num_cache_clusters
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = var.security_group_ids

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  auth_token                 = random_password.auth_token.result
  auth_token_update_strategy = var.auth_token_update_strategy

  snapshot_retention_limit   = var.snapshot_retention_days
  snapshot_window            = "00:00-01:00"
  maintenance_window         = "sun:03:30-sun:04:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  dynamic "log_delivery_configuration" {
    for_each = local.log_types

    content {
      destination      = aws_cloudwatch_log_group.this[log_delivery_configuration.key].name
      destination_type = "cloudwatch-logs"
      log_format       = "json"
      log_type         = log_delivery_configuration.key
    }
  }
}

resource "aws_secretsmanager_secret" "redis_url" {
  #checkov:skip=CKV2_AWS_57:Rotated with the ElastiCache AUTH token via auth_token_version (two-phase ROTATE/SET, docs/operations.md); a Lambda rotator cannot change the token on the replication group.
  name                    = "${var.secret_name_prefix}/redis-url"
  description             = "REDIS_URL of Kommunal ${var.name_prefix} (managed by Terraform)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss://:${random_password.auth_token.result}@${aws_elasticache_replication_group.this.primary_endpoint_address}:${local.port}/0?ssl_cert_reqs=required"
}
