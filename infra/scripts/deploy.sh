#!/usr/bin/env bash
# Deploy an image that is already in the environment's ECR repository:
#   1. terraform apply with the image tag (registers new task definition revisions; the services
#      ignore task definition changes, so nothing is rolled out yet),
#   2. run the one-off migration task (`kommunal migrate_locked`) and wait for exit code 0,
#   3. point web, worker and scheduler at the new revisions and wait until they are stable.
# A failed migration stops the deploy before any service runs the new code.
#
# Usage: infra/scripts/deploy.sh <staging|production> <image-tag> [--skip-terraform]
# Needs: AWS credentials for the environment's account, aws CLI v2, terraform, python3.
# Environment: MIGRATION_TIMEOUT (seconds, default 3600), TF_STATE_BUCKET (default
# kommunal-tfstate-<account id>).
set -euo pipefail

usage() {
    echo "usage: $0 <staging|production> <image-tag> [--skip-terraform]" >&2
    exit 2
}

[[ $# -ge 2 ]] || usage
ENVIRONMENT="$1"
IMAGE_TAG="$2"
SKIP_TERRAFORM="false"
[[ "${3:-}" == "--skip-terraform" ]] && SKIP_TERRAFORM="true"
[[ "${ENVIRONMENT}" == "staging" || "${ENVIRONMENT}" == "production" ]] || usage
[[ "${IMAGE_TAG}" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ && "${IMAGE_TAG}" != "latest" ]] || {
    echo "invalid image tag: ${IMAGE_TAG}" >&2
    exit 2
}

MIGRATION_TIMEOUT="${MIGRATION_TIMEOUT:-3600}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TF_ROOT="${REPO_ROOT}/infra/terraform/environments/${ENVIRONMENT}"
export AWS_REGION="${AWS_REGION:-eu-central-1}"
export CHECKPOINT_DISABLE=1

log() { echo "==> [$(date -u +%H:%M:%S)] $*"; }

tf() { terraform -chdir="${TF_ROOT}" "$@"; }

# All outputs of the environment's stack, read once (every `terraform output` reads the remote state).
OUTPUTS_JSON=""
load_outputs() { OUTPUTS_JSON="$(tf output -json stack)"; }

# Prints one output, or one key of a map output: tf_output <output> [key]. Lists are comma-joined.
tf_output() {
    python3 -c '
import json, sys
value = json.loads(sys.argv[1])[sys.argv[2]]
if len(sys.argv) > 3:
    value = value[sys.argv[3]]
print(",".join(value) if isinstance(value, list) else value)
' "${OUTPUTS_JSON}" "$@"
}

account_id="$(aws sts get-caller-identity --query Account --output text)"
TF_STATE_BUCKET="${TF_STATE_BUCKET:-kommunal-tfstate-${account_id}}"

log "terraform init (${ENVIRONMENT}, state bucket ${TF_STATE_BUCKET})"
tf init -input=false -no-color -backend-config="bucket=${TF_STATE_BUCKET}" >/dev/null
load_outputs

repository="$(tf_output ecr_repository_url)"
log "checking that ${repository}:${IMAGE_TAG} exists"
aws ecr describe-images --repository-name "${repository#*/}" --image-ids "imageTag=${IMAGE_TAG}" >/dev/null

if [[ "${SKIP_TERRAFORM}" == "false" ]]; then
    log "terraform apply -var image_tag=${IMAGE_TAG}"
    tf apply -input=false -auto-approve -no-color -var "image_tag=${IMAGE_TAG}"
    load_outputs
fi

cluster="$(tf_output cluster_name)"
subnets="$(tf_output task_subnet_ids)"
security_group="$(tf_output task_security_group_id)"
migrate_family="$(tf_output task_definition_families migrate)"

log "running ${migrate_family} (kommunal migrate_locked)"
task_arn="$(aws ecs run-task \
    --cluster "${cluster}" \
    --task-definition "${migrate_family}" \
    --launch-type FARGATE \
    --started-by "deploy-${IMAGE_TAG:0:28}" \
    --network-configuration "awsvpcConfiguration={subnets=[${subnets}],securityGroups=[${security_group}],assignPublicIp=DISABLED}" \
    --query 'tasks[0].taskArn' --output text)"
if [[ -z "${task_arn}" || "${task_arn}" == "None" ]]; then
    echo "the migration task did not start" >&2
    exit 1
fi
log "migration task ${task_arn##*/}; logs: $(tf_output log_group_names migrate)"

deadline=$((SECONDS + MIGRATION_TIMEOUT))
while true; do
    status="$(aws ecs describe-tasks --cluster "${cluster}" --tasks "${task_arn}" --query 'tasks[0].lastStatus' --output text)"
    [[ "${status}" == "STOPPED" ]] && break
    if ((SECONDS > deadline)); then
        echo "migration still ${status} after ${MIGRATION_TIMEOUT}s; stopping the deploy (the task keeps running)" >&2
        exit 1
    fi
    sleep 15
done

# shellcheck disable=SC2016 # JMESPath literals, not shell expansions
exit_code="$(aws ecs describe-tasks --cluster "${cluster}" --tasks "${task_arn}" \
    --query 'tasks[0].containers[?name==`migrate`].exitCode | [0]' --output text)"
if [[ "${exit_code}" != "0" ]]; then
    reason="$(aws ecs describe-tasks --cluster "${cluster}" --tasks "${task_arn}" --query 'tasks[0].stoppedReason' --output text)"
    echo "migration failed (exit code ${exit_code}, ${reason}); services keep running the previous release" >&2
    exit 1
fi
log "migrations done"

declare -A deployed
for component in web worker scheduler; do
    service="$(tf_output service_names "${component}")"
    family="$(tf_output task_definition_families "${component}")"
    log "rolling out ${family} to service ${service}"
    deployed[${service}]="$(aws ecs update-service --cluster "${cluster}" --service "${service}" \
        --task-definition "${family}" --query 'service.taskDefinition' --output text)"
done

log "waiting until web, worker and scheduler are stable"
aws ecs wait services-stable --cluster "${cluster}" --services "${!deployed[@]}"

# A deployment the circuit breaker rolled back is "stable" too: check what actually runs.
for service in "${!deployed[@]}"; do
    # shellcheck disable=SC2016 # JMESPath literals, not shell expansions
    running="$(aws ecs describe-services --cluster "${cluster}" --services "${service}" \
        --query 'services[0].deployments[?status==`PRIMARY`].taskDefinition | [0]' --output text)"
    if [[ "${running}" != "${deployed[${service}]}" ]]; then
        echo "service ${service} runs ${running##*/}, not ${deployed[${service}]##*/}: the rollout was rolled back" >&2
        exit 1
    fi
done
log "deployed ${IMAGE_TAG} to ${ENVIRONMENT}"
