#!/usr/bin/env bash
# Offline checks of the infrastructure code (no provider download, no AWS credentials):
#   1. terraform fmt -check over infra/terraform (skipped with a notice where terraform is absent),
#   2. checkov over infra/terraform and the Dockerfile, from an isolated tool venv (.venv-tools),
#      so that checkov's pinned libraries never meet the application's.
# Exits non-zero on the first failing step. Usage: infra/check.sh
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

TF_DIR="infra/terraform"
TOOLS_VENV="${REPO_ROOT}/.venv-tools"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
PYTHON="${PYTHON:-python3.11}"

# --- terraform fmt ------------------------------------------------------------------------------
if command -v terraform >/dev/null 2>&1; then
    # fmt needs no providers and no network; keep terraform from phoning home and from warning
    # about a CLI config file that does not exist.
    export CHECKPOINT_DISABLE=1
    if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "${TF_CLI_CONFIG_FILE}" ]]; then
        unset TF_CLI_CONFIG_FILE
    fi
    echo "==> terraform fmt -check -recursive ${TF_DIR} ($(terraform version | head -n 1))"
    if ! terraform fmt -check -recursive -diff "${TF_DIR}"; then
        echo "terraform fmt found unformatted files: run 'terraform fmt -recursive ${TF_DIR}'" >&2
        exit 1
    fi
else
    echo "==> terraform fmt: SKIPPED (no terraform binary on PATH)"
fi

# --- checkov tool venv --------------------------------------------------------------------------
installed_version=""
if [[ -x "${TOOLS_VENV}/bin/checkov" ]]; then
    installed_version="$("${TOOLS_VENV}/bin/python" -c 'from checkov.version import version; print(version)' 2>/dev/null || true)"
fi
if [[ "${installed_version}" != "${CHECKOV_VERSION}" ]]; then
    echo "==> installing checkov ${CHECKOV_VERSION} into ${TOOLS_VENV}"
    if [[ ! -x "${TOOLS_VENV}/bin/python" ]] || ! "${TOOLS_VENV}/bin/python" -c 'import sys' >/dev/null 2>&1; then
        rm -rf "${TOOLS_VENV}"
        "${PYTHON}" -m venv "${TOOLS_VENV}"
    fi
    pip_log="$(mktemp)"
    if ! "${TOOLS_VENV}/bin/python" -m pip install --disable-pip-version-check --quiet "checkov==${CHECKOV_VERSION}" >"${pip_log}" 2>&1; then
        cat "${pip_log}" >&2
        rm -f "${pip_log}"
        exit 1
    fi
    rm -f "${pip_log}"
fi

# --- checkov ------------------------------------------------------------------------------------
# Fully offline: no Prisma Cloud API key, no guideline/mapping download (--skip-download,
# BC_SKIP_MAPPING), no external Terraform modules, no PyPI update check; parse errors fail the run.
export BC_SKIP_MAPPING=TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
export CKV_PARSE_ERROR_FAIL=true
unset BC_API_KEY PRISMA_API_URL 2>/dev/null || true

checkov_args=(--quiet --compact --skip-download --download-external-modules false)

echo "==> checkov ${CHECKOV_VERSION} --framework terraform --directory ${TF_DIR}"
"${TOOLS_VENV}/bin/checkov" --framework terraform --directory "${TF_DIR}" "${checkov_args[@]}"

echo "==> checkov ${CHECKOV_VERSION} --framework dockerfile --file Dockerfile"
"${TOOLS_VENV}/bin/checkov" --framework dockerfile --file Dockerfile "${checkov_args[@]}"

echo "==> infra checks passed"
