output "secret_arns" {
  description = "ARN of each secret, keyed by the environment variable it is injected as (DJANGO_SECRET_KEY, DATABASE_URL, STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET, EMAIL_HOST_PASSWORD)."
  value       = { for env_name, secret in aws_secretsmanager_secret.this : env_name => secret.arn }
}

output "secret_names" {
  description = "Name of each secret (for `aws secretsmanager put-secret-value --secret-id`), keyed by environment variable."
  value       = { for env_name, secret in aws_secretsmanager_secret.this : env_name => secret.name }
}
