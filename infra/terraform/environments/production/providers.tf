provider "aws" {
  region              = var.aws_region
  allowed_account_ids = length(var.allowed_account_ids) > 0 ? var.allowed_account_ids : null

  default_tags {
    tags = {
      Project     = "kommunal"
      Environment = local.environment
      ManagedBy   = "terraform"
      Repository  = "infra/terraform/environments/${local.environment}"
    }
  }
}
