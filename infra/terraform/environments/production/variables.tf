# Given at the command line; everything else is in main.tf.

variable "aws_region" {
  description = "AWS region of the environment. Kommunal runs in Frankfurt only (data of German communes stays in Germany)."
  type        = string
  default     = "eu-central-1"

  validation {
    condition     = var.aws_region == "eu-central-1"
    error_message = "Kommunal runs in eu-central-1 (Frankfurt) only."
  }
}

variable "allowed_account_ids" {
  description = "AWS account IDs Terraform may change with this configuration (guards against applying to the wrong account); empty disables the check."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "allowed_account_ids must contain 12-digit AWS account IDs."
  }
}

variable "image_tag" {
  description = "Image tag (git commit SHA) the task definitions use; the deploy pipeline passes it. For infrastructure-only changes pass the deployed one (key image_tag of terraform output -json stack)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid, immutable Docker tag (not \"latest\")."
  }
}
