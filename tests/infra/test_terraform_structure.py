"""Layout and hygiene of infra/terraform: modules, environments, backend, variables, outputs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

EXPECTED_MODULES = {"kms", "network", "database", "cache", "storage", "secrets", "edge", "app", "monitoring"}


def test_every_tf_file_parses(helpers):
    files = helpers.tf_files()
    assert len(files) > 30, "infra/terraform looks empty"
    failures = []
    for path in files:
        try:
            helpers.load_tf(path)
        except Exception as exc:  # report every broken file at once
            failures.append(f"{path.relative_to(helpers.repo_root)}: {exc}")
    assert not failures, "\n".join(failures)


def test_every_module_has_the_standard_files(helpers):
    for name in EXPECTED_MODULES | {"stack"}:
        module_dir = helpers.terraform_root / "modules" / name
        for file_name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
            assert (module_dir / file_name).is_file(), f"modules/{name}/{file_name} is missing"


def test_the_stack_composes_every_module(tree, helpers):
    stack = tree.module("stack")
    used = set()
    for name, body in stack.modules.items():
        source = body["source"]
        assert source.startswith("../"), f"modules/stack: module {name} must come from a sibling module, not {source}"
        assert (helpers.terraform_root / "modules" / source.removeprefix("../")).is_dir(), f"{source} does not exist"
        used.add(source.removeprefix("../"))
    assert used == EXPECTED_MODULES
    for file_name in ("main.tf", "outputs.tf"):
        code = "\n".join(
            line for line in (stack.path / file_name).read_text(encoding="utf-8").splitlines() if not line.startswith("#")
        )
        assert not re.search(r"staging|production", code), f"modules/stack/{file_name} must not name an environment"


@pytest.mark.parametrize("env", ["staging", "production"])
def test_environment_is_only_the_stack_with_its_own_values(tree, env):
    root = tree.environment(env)
    assert set(root.modules) == {"stack"}
    assert root.modules["stack"]["source"] == "../../modules/stack"
    assert not root.resources, f"{env}: resources belong into modules/stack"
    assert not root.data, f"{env}: data sources belong into modules/stack"
    assert root.locals.get("environment") == env
    assert root.modules["stack"]["environment"] == "${local.environment}"
    assert set(root.variables) == {"aws_region", "allowed_account_ids", "image_tag"}


def test_environments_differ_only_in_their_values(tree, environment_values):
    staging, production = (tree.environment(env) for env in ("staging", "production"))
    assert set(staging.variables) == set(production.variables)
    assert set(staging.outputs) == set(production.outputs) == {"stack"}
    assert set(environment_values["staging"]) == set(environment_values["production"])
    assert environment_values["production"]["db_backup_retention_days"] >= 30


@pytest.mark.parametrize("env", ["staging", "production"])
def test_environment_has_remote_state_with_locking(tree, env):
    root = tree.environment(env)
    backends = [backend for block in root.terraform for backend in block.get("backend", [])]
    assert len(backends) == 1, f"{env}: exactly one backend block expected"
    s3 = backends[0].get("s3")
    assert s3 is not None, f"{env}: the backend must be s3"
    assert s3["key"] == f"kommunal/{env}/terraform.tfstate"
    assert s3["region"] == "eu-central-1"
    assert s3["encrypt"] is True
    assert s3["use_lockfile"] is True, "state locking with the S3 lock file (Terraform >= 1.10)"
    required = [block["required_version"] for block in root.terraform if "required_version" in block]
    assert required, "required_version missing"
    assert re.match(r">=\s*1\.(1[0-9]|[2-9][0-9])", required[0]), "use_lockfile needs Terraform >= 1.10"


def test_every_root_and_module_pins_terraform_and_the_aws_provider(tree):
    for tf_dir in tree.dirs.values():
        blocks = tf_dir.terraform
        assert any("required_version" in block for block in blocks), f"{tf_dir.path}: required_version missing"
        providers = [p for block in blocks for p in block.get("required_providers", [])]
        assert providers, f"{tf_dir.path}: required_providers missing"
        aws = providers[0]["aws"]
        assert aws["source"] == "hashicorp/aws"
        assert aws["version"].startswith("~> 5."), f"{tf_dir.path}: AWS provider must be pinned to 5.x"


@pytest.mark.parametrize("env", ["staging", "production"])
def test_environment_is_pinned_to_frankfurt(tree, env):
    region = tree.environment(env).variables["aws_region"]
    assert region["default"] == "eu-central-1"
    assert region.get("validation"), "aws_region must be validated"


def test_every_variable_has_description_and_type(tree, helpers):
    missing = []
    for tf_dir in tree.dirs.values():
        for name, body in tf_dir.variables.items():
            where = f"{tf_dir.path.relative_to(helpers.terraform_root)}: variable {name}"
            if not str(body.get("description", "")).strip():
                missing.append(f"{where}: description")
            if "type" not in body:
                missing.append(f"{where}: type")
    assert not missing, "\n".join(missing)


def test_every_output_has_a_description(tree, helpers):
    missing = [
        f"{tf_dir.path.relative_to(helpers.terraform_root)}: output {name}"
        for tf_dir in tree.dirs.values()
        for name, body in tf_dir.outputs.items()
        if not str(body.get("description", "")).strip()
    ]
    assert not missing, "\n".join(missing)


def test_module_arguments_match_declared_variables(tree, helpers):
    """Every argument passed to a local module exists there; every required variable is passed."""
    problems = []
    meta_arguments = {"source", "version", "providers", "depends_on", "count", "for_each"}
    for tf_dir in tree.dirs.values():
        for call, body in tf_dir.modules.items():
            target = (tf_dir.path / body["source"]).resolve()
            module = tree.dirs[target]
            passed = set(body) - meta_arguments
            declared = set(module.variables)
            required = {name for name, var in module.variables.items() if "default" not in var}
            for name in sorted(passed - declared):
                problems.append(f"{tf_dir.path.name}: module.{call} passes unknown argument {name}")
            for name in sorted(required - passed):
                problems.append(f"{tf_dir.path.name}: module.{call} misses required variable {name}")
    assert not problems, "\n".join(problems)


def test_placement_servers_are_databases_of_the_stack_and_reach_the_app_as_a_secret(tree):
    stack = tree.module("stack")
    placement = stack.modules["placement_database"]
    assert placement["source"] == "../database"
    assert placement["for_each"] == "${local.placement_databases}"
    assert stack.modules["secrets"]["with_placement_databases"] == "${length(var.placement_databases) > 0}"
    secrets = tree.module("secrets").text()
    assert "KOMMUNAL_PLACEMENT_DATABASES" in secrets
    assert "placement_database_addresses" in stack.outputs


def test_checkov_skips_carry_a_reason(helpers):
    skip = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(.*)")
    problems = []
    for path in helpers.tf_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = skip.search(line)
            if not match:
                continue
            check_id, rest = match.groups()
            if not re.fullmatch(r"CKV2?_AWS_\d+", check_id) or not re.match(r":\s*\S.{10,}", rest):
                problems.append(f"{path.relative_to(helpers.repo_root)}:{number}: {line.strip()}")
    assert not problems, "checkov skips need the form #checkov:skip=CKV_AWS_123:<reason>:\n" + "\n".join(problems)


TERRAFORM = shutil.which("terraform")


@pytest.mark.skipif(
    TERRAFORM is None, reason="terraform binary not installed; infra/check.sh runs terraform fmt where it is"
)
def test_terraform_fmt(helpers):
    assert TERRAFORM is not None
    env = dict(os.environ, CHECKPOINT_DISABLE="1")
    cli_config = env.get("TF_CLI_CONFIG_FILE")
    if cli_config and not os.path.exists(cli_config):
        env.pop("TF_CLI_CONFIG_FILE")  # a dangling CLI config only produces a warning
    result = subprocess.run(
        [TERRAFORM, "fmt", "-check", "-recursive", "-diff", str(helpers.terraform_root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"run `terraform fmt -recursive infra/terraform`:\n{result.stdout}{result.stderr}"
