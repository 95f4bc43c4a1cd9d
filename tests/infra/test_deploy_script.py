"""infra/scripts/deploy.sh against stub `aws` and `terraform` commands (no AWS, no network)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("python3") is None, reason="needs bash and python3"
)

OUTPUTS = {
    "ecr_repository_url": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/kommunal-staging",
    "cluster_name": "kommunal-staging",
    "task_subnet_ids": ["subnet-a", "subnet-b"],
    "task_security_group_id": "sg-app",
    "log_group_names": {"migrate": "/kommunal-staging/ecs/migrate"},
    "service_names": {"web": "web", "worker": "worker", "scheduler": "scheduler"},
    "task_definition_families": {
        "web": "kommunal-staging-web",
        "worker": "kommunal-staging-worker",
        "scheduler": "kommunal-staging-scheduler",
        "migrate": "kommunal-staging-migrate",
    },
}

TERRAFORM_STUB = """#!{python}
import json, os, sys
args = [a for a in sys.argv[1:] if not a.startswith("-chdir=")]
with open(os.environ["STUB_LOG"], "a") as log:
    log.write("terraform " + " ".join(args) + "\\n")
if args[:3] == ["output", "-json", "stack"]:
    print(os.environ["STUB_OUTPUTS"])
"""

AWS_STUB = """#!{python}
import os, sys
args = sys.argv[1:]
line = " ".join(args)
with open(os.environ["STUB_LOG"], "a") as log:
    log.write("aws " + line + "\\n")
def value_of(flag):
    return args[args.index(flag) + 1]
if args[:2] == ["sts", "get-caller-identity"]:
    print("123456789012")
elif args[:2] == ["ecs", "run-task"]:
    print("arn:aws:ecs:eu-central-1:123456789012:task/kommunal-staging/0123abcd")
elif args[:2] == ["ecs", "describe-tasks"]:
    query = value_of("--query")
    if "lastStatus" in query:
        print("STOPPED")
    elif "exitCode" in query:
        print(os.environ["STUB_MIGRATION_EXIT"])
    else:
        print("Essential container in task exited")
elif args[:2] == ["ecs", "update-service"]:
    print("arn:aws:ecs:eu-central-1:123456789012:task-definition/" + value_of("--task-definition") + ":7")
elif args[:2] == ["ecs", "describe-services"]:
    family = "kommunal-staging-" + value_of("--services")
    revision = os.environ.get("STUB_RUNNING_REVISION", "7")
    print("arn:aws:ecs:eu-central-1:123456789012:task-definition/" + family + ":" + revision)
"""


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    # The running interpreter, not a `python3` shim on PATH: the stubs start dozens of times.
    path.write_text(body.replace("{python}", sys.executable, 1), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture
def run_deploy(tmp_path, helpers):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir, "terraform", TERRAFORM_STUB)
    _stub(bin_dir, "aws", AWS_STUB)
    (bin_dir / "python3").symlink_to(sys.executable)
    log = tmp_path / "calls.log"

    def run(*args: str, migration_exit: str = "0", running_revision: str = "7"):
        env = dict(
            os.environ,
            PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            STUB_LOG=str(log),
            STUB_OUTPUTS=json.dumps(OUTPUTS),
            STUB_MIGRATION_EXIT=migration_exit,
            STUB_RUNNING_REVISION=running_revision,
        )
        result = subprocess.run(
            ["bash", str(helpers.repo_root / "infra" / "scripts" / "deploy.sh"), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return result, calls

    return run


def _index(calls: list[str], fragment: str) -> int:
    return next(i for i, call in enumerate(calls) if fragment in call)


def test_deploy_migrates_before_rolling_out(run_deploy):
    result, calls = run_deploy("staging", "0a1b2c3d4e5f")
    assert result.returncode == 0, result.stderr
    apply = _index(calls, "terraform apply")
    assert "image_tag=0a1b2c3d4e5f" in calls[apply]
    run_task = _index(calls, "ecs run-task")
    assert "--task-definition kommunal-staging-migrate" in calls[run_task]
    assert "subnets=[subnet-a,subnet-b]" in calls[run_task]
    assert "assignPublicIp=DISABLED" in calls[run_task]
    updates = [i for i, call in enumerate(calls) if "ecs update-service" in call]
    assert len(updates) == 3
    assert apply < run_task < min(updates)
    assert _index(calls, "ecs wait services-stable") > max(updates)


def test_failed_migration_stops_the_deploy(run_deploy):
    result, calls = run_deploy("staging", "0a1b2c3d4e5f", migration_exit="1")
    assert result.returncode != 0
    assert "migration failed" in result.stderr
    assert not [call for call in calls if "update-service" in call], "no service may get the new release"


def test_rolled_back_deployment_fails_the_deploy(run_deploy):
    result, _ = run_deploy("staging", "0a1b2c3d4e5f", running_revision="6")
    assert result.returncode != 0
    assert "rolled back" in result.stderr


def test_skip_terraform(run_deploy):
    result, calls = run_deploy("production", "v1.2.3", "--skip-terraform")
    assert result.returncode == 0, result.stderr
    assert not [call for call in calls if call.startswith("terraform apply")]


@pytest.mark.parametrize("args", [("qa", "abc"), ("staging", "latest"), ("staging",)])
def test_rejects_bad_arguments(run_deploy, args):
    result, calls = run_deploy(*args)
    assert result.returncode == 2
    assert not calls
