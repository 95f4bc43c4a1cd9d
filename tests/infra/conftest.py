"""Parsed view of infra/terraform for the infrastructure tests.

The tests read the Terraform sources with python-hcl2 (8.x) only: no provider download, no
``terraform init``, no Django and no database. python-hcl2 8 keeps the quotes of string literals
('"eu-central-1"') and of block labels, marks blocks with ``__is_block__`` and leaves every
expression as ``"${...}"``; :func:`normalize` turns that into plain Python values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_ROOT = REPO_ROOT / "infra" / "terraform"
MODULES_ROOT = TERRAFORM_ROOT / "modules"
ENVIRONMENTS_ROOT = TERRAFORM_ROOT / "environments"
ENVIRONMENTS = ("staging", "production")


def unquote(value: str) -> str:
    """'"eu-central-1"' -> 'eu-central-1'; expressions ('${var.x}') stay as they are."""
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1].replace('\\"', '"')
    return value


def normalize(value: Any) -> Any:
    """Strip python-hcl2's quotes and metadata keys (``__is_block__``, comments) recursively."""
    if isinstance(value, dict):
        return {unquote(key): normalize(item) for key, item in value.items() if not key.startswith("__")}
    if isinstance(value, list):
        return [normalize(item) for item in value]
    if isinstance(value, str):
        return unquote(value)
    return value


def as_list(value: Any) -> list[Any]:
    """Blocks come as lists of dicts, single attributes as scalars: always give a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_tf(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return normalize(hcl2.load(handle))


def is_true(value: Any) -> bool:
    return value is True or value == "true" or value == "${true}"


def var_reference(value: Any) -> str | None:
    """'${var.name}' -> 'name' (a plain variable reference), else None."""
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{var\.([A-Za-z0-9_]+)\}", value)
        if match:
            return match.group(1)
    return None


@dataclass
class TerraformDir:
    """All blocks of the .tf files of one directory (one Terraform module)."""

    path: Path
    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)

    def add(self, parsed: dict[str, Any]) -> None:
        for kind, target in (("resource", self.resources), ("data", self.data)):
            for entry in parsed.get(kind, []):
                for type_name, named in entry.items():
                    for name, body in named.items():
                        target.setdefault(type_name, {})[name] = body
        for kind, target in (("variable", self.variables), ("output", self.outputs), ("module", self.modules)):
            for entry in parsed.get(kind, []):
                target.update(entry)
        for entry in parsed.get("locals", []):
            self.locals.update(entry)
        self.terraform.extend(parsed.get("terraform", []))

    def resources_of(self, type_name: str) -> dict[str, dict[str, Any]]:
        return self.resources.get(type_name, {})

    def data_of(self, type_name: str) -> dict[str, dict[str, Any]]:
        return self.data.get(type_name, {})

    def text(self) -> str:
        return "\n".join(path.read_text(encoding="utf-8") for path in sorted(self.path.glob("*.tf")))


@dataclass
class TerraformTree:
    """Every Terraform directory under infra/terraform."""

    dirs: dict[Path, TerraformDir]

    def module(self, name: str) -> TerraformDir:
        return self.dirs[MODULES_ROOT / name]

    def environment(self, name: str) -> TerraformDir:
        return self.dirs[ENVIRONMENTS_ROOT / name]

    def all_resources(self, type_name: str) -> Iterator[tuple[TerraformDir, str, dict[str, Any]]]:
        for tf_dir in self.dirs.values():
            for name, body in tf_dir.resources_of(type_name).items():
                yield tf_dir, name, body

    def all_policy_statements(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for tf_dir in self.dirs.values():
            for name, body in tf_dir.data_of("aws_iam_policy_document").items():
                for statement in as_list(body.get("statement")):
                    yield f"{tf_dir.path.relative_to(TERRAFORM_ROOT)}: data.aws_iam_policy_document.{name}", statement


def tf_files() -> list[Path]:
    return sorted(path for path in TERRAFORM_ROOT.rglob("*.tf") if ".terraform" not in path.parts)


@pytest.fixture(scope="session")
def tree() -> TerraformTree:
    dirs: dict[Path, TerraformDir] = {}
    for path in tf_files():
        tf_dir = dirs.setdefault(path.parent, TerraformDir(path.parent))
        tf_dir.add(load_tf(path))
    return TerraformTree(dirs)


@pytest.fixture(scope="session")
def environment_values(tree: TerraformTree) -> dict[str, dict[str, Any]]:
    """The arguments each environment passes to modules/stack (its only settings)."""
    values = {}
    for env in ENVIRONMENTS:
        calls = tree.environment(env).modules
        values[env] = {name: value for name, value in calls.get("stack", {}).items() if name != "source"}
    return values


@dataclass(frozen=True)
class Helpers:
    """Helper functions for the test modules (handed out as a fixture: tests import nothing)."""

    terraform_root: Path = TERRAFORM_ROOT
    repo_root: Path = REPO_ROOT
    environments: tuple[str, ...] = ENVIRONMENTS

    @staticmethod
    def as_list(value: Any) -> list[Any]:
        return as_list(value)

    @staticmethod
    def is_true(value: Any) -> bool:
        return is_true(value)

    @staticmethod
    def var_reference(value: Any) -> str | None:
        return var_reference(value)

    @staticmethod
    def load_tf(path: Path) -> dict[str, Any]:
        return load_tf(path)

    @staticmethod
    def tf_files() -> list[Path]:
        return tf_files()


@pytest.fixture(scope="session")
def helpers() -> Helpers:
    return Helpers()
