output "replication_group_id" {
  description = "ID of the ElastiCache replication group."
  value       = aws_elasticache_replication_group.this.id
}

output "primary_endpoint_address" {
  description = "DNS name of the primary node (follows a failover)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port (TLS)."
  value       = local.port
}

output "member_clusters" {
  description = "IDs of the nodes of the replication group (CloudWatch dimension CacheClusterId)."
  value       = aws_elasticache_replication_group.this.member_clusters
}

output "redis_url_secret_arn" {
  description = "ARN of the Secrets Manager secret holding REDIS_URL (rediss://:<token>@<primary>:6379/0?ssl_cert_reqs=required)."
  value       = aws_secretsmanager_secret.redis_url.arn
}
