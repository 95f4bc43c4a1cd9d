terraform {
  # >= 1.10 for the S3 backend's native state locking (use_lockfile).
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State in S3, locked with S3's native lock file: no DynamoDB table to create, secure and pay
  # for, and DynamoDB locking is deprecated since Terraform 1.11. The bucket (created by
  # infra/terraform/bootstrap, one per AWS account) is given at init:
  #   terraform init -backend-config="bucket=kommunal-tfstate-<account-id>"
  backend "s3" {
    key          = "kommunal/staging/terraform.tfstate"
    region       = "eu-central-1"
    encrypt      = true
    use_lockfile = true
  }
}
