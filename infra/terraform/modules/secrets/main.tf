# Secrets Manager containers for the application's secrets, keyed by the environment variable ECS
# injects them as. Terraform creates and encrypts the secrets but never sees their values: an
# operator puts them with `aws secretsmanager put-secret-value` (docs/operations.md), so no
# secret value is ever stored in Terraform state. ECS reads the current value at task start.

locals {
  secrets = {
    DJANGO_SECRET_KEY = {
      name        = "django-secret-key"
      description = "Django SECRET_KEY (random, at least 50 characters)"
    }
    DATABASE_URL = {
      name        = "database-url"
      description = "DATABASE_URL of the application's own database role (format: docs/operations.md)"
    }
    STRIPE_API_KEY = {
      name        = "stripe-api-key"
      description = "Stripe secret API key (restricted key recommended)"
    }
    STRIPE_WEBHOOK_SECRET = {
      name        = "stripe-webhook-secret"
      description = "Signing secret of the Stripe webhook endpoint"
    }
    EMAIL_HOST_PASSWORD = {
      name        = "email-host-password"
      description = "Password of the SMTP relay user (EMAIL_HOST_USER)"
    }
  }
  placement_secrets = var.with_placement_databases ? {
    KOMMUNAL_PLACEMENT_DATABASES = {
      name        = "placement-databases"
      description = "alias=url pairs of the placement servers, each url of the application's role there (docs/placement.md)"
    }
  } : {}
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:Values are put by operators (Stripe and SMTP credentials come from outside AWS, DATABASE_URL belongs to a database role) and rotated by the runbook in docs/operations.md; no Lambda rotator can change them at their source.
  for_each = merge(local.secrets, local.placement_secrets)

  name                    = "${var.name_prefix}/${each.value.name}"
  description             = each.value.description
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days
}
