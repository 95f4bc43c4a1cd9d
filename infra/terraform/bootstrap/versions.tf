terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }

  # Runs once per AWS account with local state (it creates the bucket the other roots keep
  # their state in); keep the resulting terraform.tfstate in the bucket afterwards, see
  # docs/operations.md, "Bootstrap an AWS account".
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project   = "kommunal"
      ManagedBy = "terraform"
      Purpose   = "terraform-state"
    }
  }
}
