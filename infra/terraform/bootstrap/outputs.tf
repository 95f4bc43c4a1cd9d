output "state_bucket" {
  description = "Name of the state bucket; pass it to the environments: terraform init -backend-config=\"bucket=<this>\"."
  value       = aws_s3_bucket.state.id
}

output "state_kms_key_arn" {
  description = "KMS key that encrypts the state bucket."
  value       = module.kms.key_arn
}
