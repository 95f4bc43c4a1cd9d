"""Security and availability invariants of the Kommunal AWS infrastructure (issue 9)."""

from __future__ import annotations

import re

import pytest


def _resolve_number(tree, environment_values, helpers, module_name: str, module_value) -> list[tuple[str, object]]:
    """Values an attribute can take in each environment: literal, or module var -> stack argument ->
    stack var -> the environment's argument (or the stack's default)."""
    module = tree.module(module_name)
    variable = helpers.var_reference(module_value)
    if variable is None:
        return [("literal", module_value)]
    resolved: list[tuple[str, object]] = [(f"modules/{module_name} default", module.variables[variable].get("default"))]
    stack = tree.module("stack")
    calls = [body for body in stack.modules.values() if body["source"] == f"../{module_name}"]
    assert calls, f"modules/stack does not use modules/{module_name}"
    for call in calls:
        passed = call.get(variable)
        if passed is None:
            continue
        stack_variable = helpers.var_reference(passed)
        if stack_variable is None:
            resolved.append(("stack module argument", passed))
            continue
        for env in helpers.environments:
            value = environment_values[env].get(stack_variable, stack.variables[stack_variable].get("default"))
            resolved.append((f"{env} {stack_variable}", value))
    return resolved


# --- PostgreSQL ----------------------------------------------------------------------------------


def test_database_is_encrypted_multi_az_private_and_protected(tree, helpers):
    instances = tree.module("database").resources_of("aws_db_instance")
    assert len(instances) == 1
    (db,) = instances.values()
    assert db["engine"] == "postgres"
    assert db["storage_encrypted"] is True
    assert db["kms_key_id"] == "${var.kms_key_arn}"
    assert db["multi_az"] is True
    assert db["deletion_protection"] is True
    assert db["publicly_accessible"] is False
    assert db["skip_final_snapshot"] is False
    assert db["manage_master_user_password"] is True, "the master password must never be in Terraform state"
    assert "password" not in db


def test_database_keeps_backups_for_at_least_14_days(tree, environment_values, helpers):
    (db,) = tree.module("database").resources_of("aws_db_instance").values()
    values = _resolve_number(tree, environment_values, helpers, "database", db["backup_retention_period"])
    for where, value in values:
        assert isinstance(value, (int, float)), f"backup retention {value!r} ({where}) is not a number"
        assert value >= 14, f"backup retention {value!r} ({where}) < 14 days"
    variable = helpers.var_reference(db["backup_retention_period"])
    conditions = [v["condition"] for v in tree.module("database").variables[variable]["validation"]]
    assert any(re.search(r">=\s*14\b", condition) for condition in conditions), "the variable must reject < 14"


def test_database_parameter_group_logs_slow_statements_and_forces_tls(tree):
    groups = tree.module("database").resources_of("aws_db_parameter_group")
    assert len(groups) == 1
    (group,) = groups.values()
    parameters = {p["name"]: p["value"] for p in group["parameter"]}
    assert "log_min_duration_statement" in parameters
    assert parameters.get("rds.force_ssl") == "1"
    (db,) = tree.module("database").resources_of("aws_db_instance").values()
    assert db["parameter_group_name"] == "${aws_db_parameter_group.this.name}"


# --- Redis ---------------------------------------------------------------------------------------


def test_cache_is_encrypted_in_transit_and_at_rest(tree):
    groups = tree.module("cache").resources_of("aws_elasticache_replication_group")
    assert len(groups) == 1
    (redis,) = groups.values()
    assert redis["at_rest_encryption_enabled"] is True
    assert redis["kms_key_id"] == "${var.kms_key_arn}"
    assert redis["transit_encryption_enabled"] is True
    assert redis["transit_encryption_mode"] == "required"
    assert "auth_token" in redis
    assert redis["automatic_failover_enabled"] is True
    assert redis["multi_az_enabled"] is True


def test_redis_url_uses_tls(tree):
    versions = tree.module("cache").resources_of("aws_secretsmanager_secret_version")
    (redis_url,) = versions.values()
    assert redis_url["secret_string"].startswith("rediss://")
    assert "ssl_cert_reqs=required" in redis_url["secret_string"]


# --- S3 ------------------------------------------------------------------------------------------


def _bucket_refs(tf_dir, type_name: str) -> dict[str, dict]:
    """Bucket-level configuration resources keyed by the bucket resource name they configure."""
    result = {}
    for body in tf_dir.resources_of(type_name).values():
        match = re.fullmatch(r"\$\{aws_s3_bucket\.([a-z0-9_]+)\.(id|bucket)\}", body["bucket"])
        assert match, f"{type_name} must reference an aws_s3_bucket of the same module: {body['bucket']}"
        result[match.group(1)] = body
    return result


def test_every_bucket_is_private_encrypted_versioned_and_tls_only(tree):
    buckets_seen = 0
    for tf_dir in tree.dirs.values():
        buckets = tf_dir.resources_of("aws_s3_bucket")
        if not buckets:
            continue
        blocks = _bucket_refs(tf_dir, "aws_s3_bucket_public_access_block")
        encryption = _bucket_refs(tf_dir, "aws_s3_bucket_server_side_encryption_configuration")
        versioning = _bucket_refs(tf_dir, "aws_s3_bucket_versioning")
        policies = _bucket_refs(tf_dir, "aws_s3_bucket_policy")
        ownership = _bucket_refs(tf_dir, "aws_s3_bucket_ownership_controls")
        for name, bucket in buckets.items():
            buckets_seen += 1
            where = f"{tf_dir.path.name}: aws_s3_bucket.{name}"
            assert "acl" not in bucket, f"{where}: no ACLs"
            block = blocks.get(name)
            assert block, f"{where}: public access block missing"
            for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
                assert block[flag] is True, f"{where}: {flag} must be true"
            assert ownership[name]["rule"][0]["object_ownership"] == "BucketOwnerEnforced", f"{where}: ACLs on"
            rule = encryption[name]["rule"][0]["apply_server_side_encryption_by_default"][0]
            assert rule["sse_algorithm"] in {"aws:kms", "AES256"}, f"{where}: not encrypted"
            assert versioning[name]["versioning_configuration"][0]["status"] == "Enabled", f"{where}: versioning"
            policy_ref = re.fullmatch(
                r"\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}", policies[name]["policy"]
            )
            assert policy_ref, f"{where}: the bucket policy must be an aws_iam_policy_document"
            document = tf_dir.data_of("aws_iam_policy_document")[policy_ref.group(1)]
            assert any(
                statement.get("effect") == "Deny"
                and any(
                    condition["variable"] == "aws:SecureTransport" and condition["values"] == ["false"]
                    for condition in statement.get("condition", [])
                )
                for statement in document["statement"]
            ), f"{where}: bucket policy must deny requests without TLS"
    assert buckets_seen >= 3


def test_tenant_assets_bucket_uses_sse_kms(tree):
    storage = tree.module("storage")
    encryption = _bucket_refs(storage, "aws_s3_bucket_server_side_encryption_configuration")["assets"]
    rule = encryption["rule"][0]
    assert rule["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    assert rule["apply_server_side_encryption_by_default"][0]["kms_master_key_id"] == "${var.kms_key_arn}"
    assert rule["bucket_key_enabled"] is True


def test_tenant_assets_lifecycle_expires_offboarded_tenants(tree):
    storage = tree.module("storage")
    lifecycle = _bucket_refs(storage, "aws_s3_bucket_lifecycle_configuration")["assets"]
    rules = {rule["id"]: rule for rule in lifecycle["rule"]}
    offboarded = [r for r in rules.values() if r.get("filter", [{}])[0].get("prefix") == "offboarded/"]
    assert len(offboarded) == 1, "one lifecycle rule for the offboarded/ prefix"
    rule = offboarded[0]
    assert rule["status"] == "Enabled"
    assert rule["expiration"][0]["days"] == "${var.offboarded_retention_days}"
    assert "noncurrent_version_expiration" in rule, "versioned bucket: old versions must expire too"
    live = [r for r in rules.values() if r.get("filter", [{}])[0].get("prefix") == "tenants/"]
    assert live, "a rule for previous versions under tenants/"
    assert all("expiration" not in r for r in live), "live tenant files must never expire"


# --- Load balancer, certificate, DNS -----------------------------------------------------------------


def test_load_balancer_serves_https_only_and_redirects_http(tree):
    edge = tree.module("edge")
    listeners = edge.resources_of("aws_lb_listener")
    assert listeners
    https = [body for body in listeners.values() if body["protocol"] == "HTTPS"]
    assert len(https) == 1
    assert https[0]["port"] == 443
    assert https[0]["ssl_policy"] == "${var.ssl_policy}"
    assert edge.variables["ssl_policy"]["default"].startswith("ELBSecurityPolicy-TLS13-1-2")
    assert "certificate_arn" in https[0]
    for name, listener in listeners.items():
        if listener["protocol"] == "HTTPS":
            continue
        assert listener["protocol"] == "HTTP", f"listener {name}: unexpected protocol"
        (action,) = listener["default_action"]
        assert action["type"] == "redirect", f"listener {name}: plain HTTP may only redirect"
        redirect = action["redirect"][0]
        assert redirect["protocol"] == "HTTPS"
        assert redirect["status_code"] == "HTTP_301"
    assert not edge.resources_of("aws_lb_listener_rule"), "no listener rules that could forward plain HTTP"
    (alb,) = edge.resources_of("aws_lb").values()
    assert alb["drop_invalid_header_fields"] is True
    assert alb["enable_deletion_protection"] is True
    assert alb["access_logs"][0]["enabled"] is True
    assert edge.resources_of("aws_wafv2_web_acl_association"), "the load balancer is behind WAF"


def test_certificate_covers_apex_and_wildcard(tree):
    edge = tree.module("edge")
    (certificate,) = edge.resources_of("aws_acm_certificate").values()
    assert certificate["domain_name"] == "${var.domain_name}"
    assert certificate["subject_alternative_names"] == ["*.${var.domain_name}"]
    assert certificate["validation_method"] == "DNS"
    records = {body["name"]: body for body in edge.resources_of("aws_route53_record").values()}
    assert "*.${var.domain_name}" in records, "wildcard record for <slug>.<domain>"
    assert "${var.domain_name}" in records, "apex record for the public site"
    for name in ("*.${var.domain_name}", "${var.domain_name}"):
        assert records[name]["alias"][0]["name"] == "${aws_lb.this.dns_name}"


def test_target_group_checks_health_endpoint(tree):
    edge = tree.module("edge")
    (target_group,) = edge.resources_of("aws_lb_target_group").values()
    assert target_group["target_type"] == "ip"
    health = target_group["health_check"][0]
    assert health["path"] == "${var.health_check_path}"
    assert edge.variables["health_check_path"]["default"] == "/health/"
    assert health["matcher"] == "200"


# --- Network -------------------------------------------------------------------------------------------


def test_network_spans_two_or_three_zones_with_private_tiers(tree):
    network = tree.module("network")
    zones = network.variables["availability_zones"]
    assert any("length(var.availability_zones) >= 2" in v["condition"] for v in zones["validation"])
    assert any("length(var.availability_zones) <= 3" in v["condition"] for v in zones["validation"])
    subnets = network.resources_of("aws_subnet")
    assert set(subnets) == {"public", "app", "data"}
    for subnet in subnets.values():
        assert subnet.get("map_public_ip_on_launch", False) is False
    routes = network.resources_of("aws_route")
    data_routes = [r for r in routes.values() if "aws_route_table.data" in r["route_table_id"]]
    assert not data_routes, "the data subnets must not have a route out of the VPC"
    assert network.resources_of("aws_flow_log")


def test_environments_use_two_or_three_zones(environment_values):
    for env, values in environment_values.items():
        zones = values["availability_zones"]
        assert 2 <= len(zones) <= 3, env
        assert all(zone.startswith("eu-central-1") for zone in zones), env


def test_only_the_load_balancer_is_reachable_from_the_internet(tree):
    network = tree.module("network")
    for name, rule in network.resources_of("aws_vpc_security_group_ingress_rule").items():
        if rule.get("cidr_ipv4") == "0.0.0.0/0":
            assert rule["security_group_id"] == "${aws_security_group.alb.id}", f"ingress rule {name}"
            assert rule["from_port"] in (80, 443), f"ingress rule {name}"
    for name, rule in network.resources_of("aws_vpc_security_group_egress_rule").items():
        assert rule["ip_protocol"] != "-1", f"egress rule {name} must name a protocol and port"


# --- IAM -----------------------------------------------------------------------------------------------


def helpers_as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def _wildcard_offenders(statements) -> list[str]:
    offenders = []
    for where, statement in statements:
        if statement.get("effect", "Allow") != "Allow":
            continue
        if "not_actions" in statement or "not_resources" in statement:
            offenders.append(f"{where}: Allow with NotAction/NotResource")
        # A list of literals, or one expression string ("${[for ...]}"): compare elements, not substrings.
        actions = helpers_as_list(statement.get("actions"))
        resources = helpers_as_list(statement.get("resources"))
        if "*" in resources and any(_is_wildcard_action(action) for action in actions):
            offenders.append(f"{where}: {actions} on {resources}")
        if "*" in actions:
            offenders.append(f'{where}: Action "*"')
    return offenders


def test_no_wildcard_actions_on_wildcard_resources(tree):
    offenders = _wildcard_offenders(tree.all_policy_statements())
    assert not offenders, "\n".join(offenders)


def test_wildcard_detector_catches_violations(tmp_path, helpers):
    sample = tmp_path / "sample.tf"
    sample.write_text(
        """
data "aws_iam_policy_document" "bad" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
  statement {
    actions   = ["*"]
    resources = ["arn:aws:s3:::bucket"]
  }
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["*"]
  }
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
""",
        encoding="utf-8",
    )
    parsed = helpers.load_tf(sample)
    statements = [
        ("sample", statement) for statement in parsed["data"][0]["aws_iam_policy_document"]["bad"]["statement"]
    ]
    offenders = _wildcard_offenders(statements)
    assert len(offenders) == 2, offenders


def test_policies_are_written_as_policy_documents(tree):
    """Inline JSON would escape the wildcard test above."""
    attributes = {"policy", "assume_role_policy", "inline_policy"}
    offenders = []
    for tf_dir in tree.dirs.values():
        for type_name, resources in tf_dir.resources.items():
            if type_name in {"aws_ecr_lifecycle_policy", "aws_appautoscaling_policy"}:
                continue
            for name, body in resources.items():
                for attribute in attributes & set(body):
                    if not re.fullmatch(r"\$\{data\.aws_iam_policy_document\.[a-z0-9_]+\.json\}", str(body[attribute])):
                        offenders.append(f"{tf_dir.path.name}: {type_name}.{name}.{attribute}")
    assert not offenders, "\n".join(offenders)


def _role_policy_documents(app, role: str) -> list[dict]:
    documents = app.data_of("aws_iam_policy_document")
    result = []
    for policy in app.resources_of("aws_iam_role_policy").values():
        if policy["role"] == f"${{aws_iam_role.{role}.id}}":
            name = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}", policy["policy"]).group(1)
            result.append(documents[name])
    assert result, f"role {role} has no policy"
    return result


def test_task_role_reaches_only_its_bucket(tree):
    app = tree.module("app")
    for document in _role_policy_documents(app, "app"):
        for statement in document["statement"]:
            for action in statement["actions"]:
                service = action.split(":")[0]
                assert service in {"s3", "kms"}, f"app task role: unexpected action {action}"
            for resource in statement["resources"]:
                assert resource.startswith("${var.bucket_arn}") or resource == "${var.kms_key_arn}", resource
            if any(action.startswith("kms:") for action in statement["actions"]):
                assert statement["condition"][0]["variable"] == "kms:ViaService"


def test_execution_role_reads_only_the_application_secrets(tree):
    app = tree.module("app")
    (document,) = _role_policy_documents(app, "execution")
    for statement in document["statement"]:
        if any(action.startswith("secretsmanager:") for action in statement["actions"]):
            assert statement["actions"] == ["secretsmanager:GetSecretValue"]
            assert statement["resources"] == "${sort(values(var.secret_arns))}"
        if statement["resources"] == ["*"]:
            assert statement["actions"] == ["ecr:GetAuthorizationToken"], "only ECR login needs resource *"


def test_scheduler_may_publish_only_the_queue_depth_namespace(tree):
    app = tree.module("app")
    (document,) = _role_policy_documents(app, "scheduler")
    (statement,) = document["statement"]
    assert statement["actions"] == ["cloudwatch:PutMetricData"]
    assert statement["condition"][0]["variable"] == "cloudwatch:namespace"
    assert app.variables["queue_depth_metric_namespace"]["default"] == "Kommunal/Celery"


# --- Application --------------------------------------------------------------------------------------


def test_separate_services_for_web_worker_and_scheduler(tree):
    app = tree.module("app")
    services = app.resources_of("aws_ecs_service")
    assert set(services) == {"web", "worker", "scheduler"}
    for name, service in services.items():
        network = service["network_configuration"][0]
        assert network["assign_public_ip"] is False, name
        assert service["launch_type"] == "FARGATE", name
    assert services["web"]["load_balancer"][0]["container_port"] == "${local.app_port}"
    scheduler = services["scheduler"]
    assert scheduler["desired_count"] == 1, "exactly one Celery beat"
    assert scheduler["deployment_maximum_percent"] == 100, "never two beats during a deployment"


def test_task_definitions_run_the_documented_commands(tree):
    app = tree.module("app")
    definitions = app.resources_of("aws_ecs_task_definition")
    assert {"web", "worker", "scheduler", "migrate"} <= set(definitions)
    expected = {
        "web": '"gunicorn", "kommunal.wsgi:application"',
        "worker": '"celery", "-A", "kommunal.celery", "worker", "-l", "info"',
        "scheduler": '"celery", "-A", "kommunal.celery", "beat", "-l", "info"',
        "migrate": '"kommunal", "migrate_locked"',
    }
    for name, command in expected.items():
        containers = definitions[name]["container_definitions"]
        assert command in containers, f"{name}: command {command} not found"
        assert definitions[name]["requires_compatibilities"] == ["FARGATE"]
        assert definitions[name]["execution_role_arn"] == "${aws_iam_role.execution.arn}"
        assert definitions[name]["task_role_arn"] != definitions[name]["execution_role_arn"]
    assert app.locals["container_defaults"]["readonlyRootFilesystem"] is True


def test_containers_get_the_documented_environment(tree):
    app = tree.module("app")
    environment = app.locals["environment"]
    for name in (
        "KOMMUNAL_ENV",
        "KOMMUNAL_DOMAIN",
        "KOMMUNAL_S3_BUCKET",
        "KOMMUNAL_S3_REGION",
        "KOMMUNAL_S3_ENDPOINT_URL",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
    ):
        assert re.search(rf"\b{name}\s*=", environment), f"{name} is not passed to the containers"
    assert "KOMMUNAL_S3_ENDPOINT_URL = var.s3_endpoint_url" in environment
    assert app.variables["s3_endpoint_url"]["default"] == "", "empty on AWS"
    secret_names = app.variables["secret_arns"]["validation"][0]["condition"]
    for name in (
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "STRIPE_API_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "EMAIL_HOST_PASSWORD",
    ):
        assert name in secret_names, f"{name} must be a required secret"


def test_secrets_are_kms_encrypted_and_have_no_values_in_terraform(tree):
    secrets = tree.module("secrets")
    (secret,) = secrets.resources_of("aws_secretsmanager_secret").values()
    assert secret["kms_key_id"] == "${var.kms_key_arn}"
    assert not secrets.resources_of("aws_secretsmanager_secret_version"), "values are put by operators"
    names = secrets.locals["secrets"]
    assert {
        "DJANGO_SECRET_KEY",
        "STRIPE_API_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "DATABASE_URL",
        "EMAIL_HOST_PASSWORD",
    } <= set(names)


# --- Logs and alarms ------------------------------------------------------------------------------------


def test_log_groups_are_encrypted_and_expire(tree):
    groups = list(tree.all_resources("aws_cloudwatch_log_group"))
    assert groups
    for tf_dir, name, group in groups:
        assert "kms_key_id" in group, f"{tf_dir.path.name}: log group {name} not encrypted"
        assert "retention_in_days" in group, f"{tf_dir.path.name}: log group {name} keeps logs forever"


@pytest.mark.parametrize(
    ("namespace", "metric"),
    [
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/RDS", "CPUUtilization"),
        ("AWS/RDS", "FreeStorageSpace"),
        ("${var.queue_depth_namespace}", "QueueDepth"),
    ],
)
def test_alarms_exist(tree, namespace, metric):
    monitoring = tree.module("monitoring")
    found = False
    for alarm in monitoring.resources_of("aws_cloudwatch_metric_alarm").values():
        assert alarm["alarm_actions"] == "${local.actions}"
        if alarm.get("namespace") == namespace and alarm.get("metric_name") == metric:
            found = True
        for query in alarm.get("metric_query", []):
            for spec in query.get("metric", []):
                if spec["namespace"] == namespace and spec["metric_name"] == metric:
                    found = True
    assert found, f"no alarm on {namespace} {metric}"
    assert monitoring.variables["queue_depth_namespace"]["default"] == "Kommunal/Celery"


def test_alarm_topic_is_encrypted(tree):
    (topic,) = tree.module("monitoring").resources_of("aws_sns_topic").values()
    assert topic["kms_master_key_id"] == "${var.kms_key_arn}"


def test_kms_key_rotates(tree):
    (key,) = tree.module("kms").resources_of("aws_kms_key").values()
    assert key["enable_key_rotation"] is True
