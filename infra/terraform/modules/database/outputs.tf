output "address" {
  description = "DNS name of the primary (follows a Multi-AZ failover); the host in DATABASE_URL."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the application database."
  value       = aws_db_instance.this.db_name
}

output "instance_identifier" {
  description = "RDS instance identifier (CloudWatch dimension DBInstanceIdentifier)."
  value       = aws_db_instance.this.identifier
}

output "instance_arn" {
  description = "ARN of the RDS instance."
  value       = aws_db_instance.this.arn
}

output "master_username" {
  description = "Name of the RDS master user (administration only)."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret with the master user's credentials (JSON keys username, password)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
