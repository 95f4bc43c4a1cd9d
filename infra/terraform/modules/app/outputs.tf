output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "ecr_repository_url" {
  description = "URL of the ECR repository the deploy pipeline pushes the image to (<url>:<git sha>)."
  value       = aws_ecr_repository.app.repository_url
}

output "image" {
  description = "Image (repository:tag) of the task definitions registered by the last apply."
  value       = local.image
}

output "service_names" {
  description = "Names of the long-running ECS services: web, worker, scheduler."
  value = {
    web       = aws_ecs_service.web.name
    worker    = aws_ecs_service.worker.name
    scheduler = aws_ecs_service.scheduler.name
  }
}

output "task_definition_families" {
  description = "Task definition families (the latest revision is what `aws ecs update-service --task-definition <family>` deploys), keyed by component."
  value = {
    web       = aws_ecs_task_definition.web.family
    worker    = aws_ecs_task_definition.worker.family
    scheduler = aws_ecs_task_definition.scheduler.family
    migrate   = aws_ecs_task_definition.migrate.family
    ops       = aws_ecs_task_definition.ops.family
  }
}

output "task_subnet_ids" {
  description = "Subnets for one-off tasks (aws ecs run-task --network-configuration)."
  value       = var.subnet_ids
}

output "task_security_group_id" {
  description = "Security group for one-off tasks (aws ecs run-task --network-configuration)."
  value       = var.security_group_id
}

output "log_group_names" {
  description = "CloudWatch log groups of the containers, keyed by component."
  value       = { for component, group in aws_cloudwatch_log_group.app : component => group.name }
}

output "task_role_arns" {
  description = "IAM roles of the application code, keyed by role: app (web, worker, migrate), scheduler, ops."
  value = {
    app       = aws_iam_role.app.arn
    scheduler = aws_iam_role.scheduler.arn
    ops       = aws_iam_role.ops.arn
  }
}

output "execution_role_arn" {
  description = "IAM role ECS uses to pull the image, write logs and inject the secrets."
  value       = aws_iam_role.execution.arn
}
