# The application on ECS Fargate: one cluster, one image, four task definitions run as
#   web       - gunicorn behind the load balancer, autoscaled on CPU,
#   worker    - Celery workers,
#   scheduler - Celery beat, exactly one task (two would schedule every job twice),
#   migrate   - one-off `kommunal migrate_locked`, run by the deploy pipeline before a rollout,
# plus an `ops` task definition for operators (ECS Exec shell with pg_dump/pg_restore).
#
# Terraform registers the task definitions; the deploy pipeline rolls them out
# (infra/scripts/deploy.sh): it runs the migration task and only then points the services at
# the new revisions. The services therefore ignore changes of their task definition here.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  app_port = 8000
  image    = "${aws_ecr_repository.app.repository_url}:${var.image_tag}"

  components = toset(["web", "worker", "scheduler", "migrate", "ops"])

  # Variables with an empty value are left out: ECS drops them anyway (and Terraform would then
  # show a permanent diff), so the application must treat "unset" like "empty" - e.g.
  # KOMMUNAL_S3_ENDPOINT_URL, which is empty on AWS.
  environment = [
    for name, value in merge({
      KOMMUNAL_ENV             = var.environment
      KOMMUNAL_DOMAIN          = var.domain_name
      KOMMUNAL_S3_BUCKET       = var.bucket_name
      KOMMUNAL_S3_REGION       = var.s3_region
      KOMMUNAL_S3_ENDPOINT_URL = var.s3_endpoint_url
      KOMMUNAL_PROXY_HOPS      = "1" # the ALB appends the client's address to X-Forwarded-For
      EMAIL_HOST               = var.email_host
      EMAIL_PORT               = tostring(var.email_port)
      EMAIL_HOST_USER          = var.email_host_user
      EMAIL_USE_TLS            = var.email_use_tls ? "true" : "false"
      DEFAULT_FROM_EMAIL       = var.default_from_email
    }, var.extra_environment) : { name = name, value = value } if value != ""
  ]

  secrets = [for name, arn in var.secret_arns : { name = name, valueFrom = arn }]

  log_configuration = {
    for component in local.components : component => {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app[component].name
        awslogs-region        = local.region
        awslogs-stream-prefix = component
        mode                  = "non-blocking"
        max-buffer-size       = "25m"
      }
    }
  }

  # Shared by every container: read-only root file system with a writable /tmp, init process
  # (signal forwarding, zombie reaping), configuration from the environment and Secrets Manager.
  container_defaults = {
    image                  = local.image
    essential              = true
    readonlyRootFilesystem = true
    environment            = local.environment
    secrets                = local.secrets
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    linuxParameters        = { initProcessEnabled = true }
  }
}

# --- Image registry -----------------------------------------------------------------------------

resource "aws_ecr_repository" "app" {
  name                 = var.name_prefix
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Delete untagged images after 7 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the ${var.ecr_keep_images} most recent images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.ecr_keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

# --- Logs -------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "app" {
  for_each = local.components

  name              = "/${var.name_prefix}/ecs/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_cloudwatch_log_group" "exec" {
  name              = "/${var.name_prefix}/ecs/exec-sessions"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# --- Cluster ----------------------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = var.name_prefix

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  # ECS Exec sessions (operators' shells in the ops task) are encrypted and recorded.
  configuration {
    execute_command_configuration {
      kms_key_id = var.kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
      }
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

# --- IAM: roles of ECS itself (pull image, write logs, inject secrets) --------------------------

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions.
  }

  statement {
    sid = "PullApplicationImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.app.arn]
  }

  statement {
    sid       = "WriteContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for group in aws_cloudwatch_log_group.app : "${group.arn}:*"]
  }

  statement {
    sid       = "ReadApplicationSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = sort(values(var.secret_arns))
  }

  statement {
    sid       = "DecryptApplicationSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name_prefix}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- IAM: roles of the application code -----------------------------------------------------------

# web, worker and migrate: the tenant-assets bucket and nothing else.
data "aws_iam_policy_document" "app" {
  statement {
    sid       = "ListTenantAssets"
    actions   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    resources = [var.bucket_arn]
  }

  statement {
    sid = "ReadWriteTenantAssets"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${var.bucket_arn}/*"]
  }

  statement {
    sid       = "UseBucketKeyThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "${var.name_prefix}-app"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "app" {
  name   = "tenant-assets"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# scheduler: Celery beat needs no bucket; it publishes the queue depth metric.
data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "PublishQueueDepth"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"] # PutMetricData has no resource-level permissions; limited to one namespace below.
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.queue_depth_metric_namespace]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name_prefix}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "queue-depth-metric"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# ops: what the application may do, plus ECS Exec (shell) and the backups/ prefix of the bucket.
data "aws_iam_policy_document" "ops_exec" {
  statement {
    sid = "EcsExecChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"] # Session Manager message channels have no resource-level permissions.
  }

  statement {
    sid       = "EcsExecSessionLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
  }

  statement {
    sid       = "EcsExecSessionLogs"
    actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.exec.arn}:*"]
  }

  statement {
    sid       = "EcsExecSessionEncryption"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role" "ops" {
  name               = "${var.name_prefix}-ops"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "ops_assets" {
  name   = "tenant-assets"
  role   = aws_iam_role.ops.id
  policy = data.aws_iam_policy_document.app.json
}

resource "aws_iam_role_policy" "ops_exec" {
  name   = "ecs-exec"
  role   = aws_iam_role.ops.id
  policy = data.aws_iam_policy_document.ops_exec.json
}

# --- Task definitions -------------------------------------------------------------------------

resource "aws_ecs_task_definition" "web" {
  family                   = "${var.name_prefix}-web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.web.cpu
  memory                   = var.web.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.app.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(local.container_defaults, {
      name         = "web"
      command      = ["gunicorn", "kommunal.wsgi:application"]
      portMappings = [{ containerPort = local.app_port, protocol = "tcp" }]
      environment = concat(local.environment, [
        { name = "WEB_CONCURRENCY", value = tostring(var.web.gunicorn_workers) },
      ])
      stopTimeout      = 30
      logConfiguration = local.log_configuration["web"]
    }),
  ])
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name_prefix}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker.cpu
  memory                   = var.worker.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.app.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(local.container_defaults, {
      name    = "worker"
      command = ["celery", "-A", "kommunal.celery", "worker", "-l", "info", "--concurrency", tostring(var.worker.concurrency)]
      # Celery finishes running tasks on SIGTERM (warm shutdown); 120 s is the Fargate maximum.
      stopTimeout      = 120
      logConfiguration = local.log_configuration["worker"]
    }),
  ])
}

resource "aws_ecs_task_definition" "scheduler" {
  family                   = "${var.name_prefix}-scheduler"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.scheduler.cpu
  memory                   = var.scheduler.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.scheduler.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(local.container_defaults, {
      name    = "scheduler"
      command = ["celery", "-A", "kommunal.celery", "beat", "-l", "info"]
      # beat keeps its state file (celerybeat-schedule) in the working directory.
      workingDirectory = "/tmp"
      environment = concat(local.environment, [
        { name = "KOMMUNAL_QUEUE_DEPTH_NAMESPACE", value = var.queue_depth_metric_namespace },
      ])
      stopTimeout      = 30
      logConfiguration = local.log_configuration["scheduler"]
    }),
  ])
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "${var.name_prefix}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.one_off.cpu
  memory                   = var.one_off.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.app.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(local.container_defaults, {
      name = "migrate"
      # Takes a PostgreSQL advisory lock, then migrate_schemas for public and every tenant.
      command          = ["kommunal", "migrate_locked"]
      stopTimeout      = 120
      logConfiguration = local.log_configuration["migrate"]
    }),
  ])
}

resource "aws_ecs_task_definition" "ops" {
  #checkov:skip=CKV_AWS_336:ECS Exec (the operator shell this task exists for) needs a writable root file system for its SSM agent; web, worker, scheduler and migrate stay read-only.
  family                   = "${var.name_prefix}-ops"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.one_off.cpu
  memory                   = var.one_off.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.ops.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  ephemeral_storage {
    size_in_gib = 50 # room for pg_dump files of large communes
  }

  container_definitions = jsonencode([
    merge(local.container_defaults, {
      name                   = "ops"
      command                = ["sleep", "14400"] # the task ends by itself after 4 hours
      readonlyRootFilesystem = false
      logConfiguration       = local.log_configuration["ops"]
    }),
  ])
}

# --- Services ---------------------------------------------------------------------------------

resource "aws_ecs_service" "web" {
  name                              = "web"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.web.arn
  desired_count                     = var.web.min_count
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  propagate_tags                    = "SERVICE"
  enable_ecs_managed_tags           = true
  health_check_grace_period_seconds = 60

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "web"
    container_port   = local.app_port
  }

  lifecycle {
    # Rollouts: infra/scripts/deploy.sh. Task count: autoscaling.
    ignore_changes = [task_definition, desired_count]
  }
}

resource "aws_ecs_service" "worker" {
  name                    = "worker"
  cluster                 = aws_ecs_cluster.this.id
  task_definition         = aws_ecs_task_definition.worker.arn
  desired_count           = var.worker.count
  launch_type             = "FARGATE"
  platform_version        = "LATEST"
  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  lifecycle {
    ignore_changes = [task_definition]
  }
}

resource "aws_ecs_service" "scheduler" {
  name                    = "scheduler"
  cluster                 = aws_ecs_cluster.this.id
  task_definition         = aws_ecs_task_definition.scheduler.arn
  desired_count           = 1
  launch_type             = "FARGATE"
  platform_version        = "LATEST"
  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true

  # Never two beat processes at once: stop the old task before starting the new one.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  lifecycle {
    ignore_changes = [task_definition]
  }
}

# --- Autoscaling of the web service ------------------------------------------------------------

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.web.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.web.min_count
  max_capacity       = var.web.max_count
}

resource "aws_appautoscaling_policy" "web_cpu" {
  name               = "${var.name_prefix}-web-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.web.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
