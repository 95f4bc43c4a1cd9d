output "environment" {
  description = "Name of this environment (KOMMUNAL_ENV)."
  value       = var.environment
}

output "image_tag" {
  description = "Image tag of the task definitions registered by the last apply (pass it again for infrastructure-only changes)."
  value       = var.image_tag
}

output "ecr_repository_url" {
  description = "ECR repository the deploy pipeline pushes images to."
  value       = module.app.ecr_repository_url
}

output "cluster_name" {
  description = "ECS cluster of the environment."
  value       = module.app.cluster_name
}

output "service_names" {
  description = "ECS services (web, worker, scheduler)."
  value       = module.app.service_names
}

output "task_definition_families" {
  description = "Task definition families (web, worker, scheduler, migrate, ops)."
  value       = module.app.task_definition_families
}

output "task_subnet_ids" {
  description = "Private subnets for one-off tasks (migrate, ops)."
  value       = module.app.task_subnet_ids
}

output "task_security_group_id" {
  description = "Security group for one-off tasks (migrate, ops)."
  value       = module.app.task_security_group_id
}

output "log_group_names" {
  description = "CloudWatch log groups of the containers."
  value       = module.app.log_group_names
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.edge.alb_dns_name
}

output "https_listener_arn" {
  description = "HTTPS listener (attach certificates for custom domains here)."
  value       = module.edge.https_listener_arn
}

output "database_address" {
  description = "Host name of the PostgreSQL primary (for DATABASE_URL)."
  value       = module.database.address
}

output "database_name" {
  description = "Name of the application database."
  value       = module.database.database_name
}

output "database_master_user_secret_arn" {
  description = "RDS-managed secret of the master user (administration only, never given to the application)."
  value       = module.database.master_user_secret_arn
}

output "redis_primary_endpoint" {
  description = "Host name of the Redis primary."
  value       = module.cache.primary_endpoint_address
}

output "tenant_assets_bucket" {
  description = "Tenant-assets bucket (KOMMUNAL_S3_BUCKET)."
  value       = module.storage.bucket_name
}

output "secret_names" {
  description = "Secrets an operator fills with aws secretsmanager put-secret-value, keyed by environment variable."
  value       = module.secrets.secret_names
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.alarm_topic_arn
}

output "nat_public_ips" {
  description = "Outgoing public IPs of the tasks (for allow-lists of the SMTP relay)."
  value       = module.network.nat_public_ips
}

output "placement_database_addresses" {
  description = "Host name of each placement server by alias (the hosts in KOMMUNAL_PLACEMENT_DATABASES)."
  value       = { for alias, server in module.placement_database : alias => server.address }
}

output "placement_database_master_user_secret_arns" {
  description = "RDS-managed master secrets of the placement servers by alias (administration only)."
  value       = { for alias, server in module.placement_database : alias => server.master_user_secret_arn }
}
