#!/usr/bin/env bash
# The GitOps pipeline's own identities, keyless: run once by an administrator, then again whenever you like
# (every step looks before it creates, and the providers' conditions are re-applied, so a re-run converges).
#
# In ADMIN_PROJECT_ID it creates:
#   * the Pulumi state bucket (versioned, uniform bucket-level access, public access prevention) and a
#     Cloud KMS key for the stacks' secrets provider (gcpkms://...);
#   * two service accounts: the deployer (`pulumi up` / `pulumi destroy`, default branch only) and the
#     previewer (read-only `pulumi preview` for pull requests and the drift check);
#   * two workload identity pools with one OIDC provider each, both admitting the platform repository only:
#       apply pool:   tokens of the platform repository on the default branch;
#       preview pool: any token of the platform repository (pull requests from its own branches, schedules).
#     Two pools rather than two providers, because a principalSet spans its whole pool: a binding in the
#     apply pool can never be met by a pull request's token, whatever attributes that token carries.
#   * roles/iam.workloadIdentityUser on each service account, for that repository's principalSet in its
#     own pool and nobody else (never `.../workloadIdentityPools/<pool>/*`).
# It grants the narrowest roles the program needs: see grant_deployer and grant_previewer below. Where GCP
# supports it, an IAM condition on `iam.googleapis.com/modifiedGrantsByRole` limits which roles the deployer
# can hand out (bootstrap/README.md says which grants it narrows and which it cannot).
# On the team folder it enforces `constraints/compute.skipDefaultNetworkCreation`, so no team project ever
# gets a default network (the program never enables Compute; see components/claude_vertex/resources/project.py).
# It never creates a service-account key and never grants a basic role (owner, editor, viewer).
#
# Parameters come from the environment (see bootstrap/README.md):
#   ADMIN_PROJECT_ID    project that holds the identities, the state bucket and the KMS key
#   TEAM_FOLDER_ID      numeric ID of the folder team projects are created in
#   BILLING_ACCOUNT_ID  billing account team projects are linked to (XXXXXX-XXXXXX-XXXXXX)
#   STATE_BUCKET        globally unique bucket name for the Pulumi state
#   CI_PLATFORM         github (default) or gitlab
#   GITHUB_REPOSITORY   owner/name of the platform repository          (CI_PLATFORM=github)
#   GITLAB_PROJECT_PATH group[/subgroup]/project of the platform repo  (CI_PLATFORM=gitlab)
#   GITLAB_URL          GitLab instance, default https://gitlab.com     (CI_PLATFORM=gitlab)
#   ORGANIZATION_ID     numeric organization ID: grants the deployer roles/orgpolicy.policyAdmin there, which
#                       the stacks' per-project org policies need (grantable only at the organization); unset:
#                       no org-level grant, and stacks must not set org policies
# Optional, with defaults: DEFAULT_BRANCH (main), STATE_LOCATION (US), KMS_LOCATION (global),
#   KMS_KEYRING (claude-vertex), KMS_KEY (pulumi-secrets), DEPLOYER_SA_ID (claude-vertex-deployer),
#   PREVIEWER_SA_ID (claude-vertex-previewer), APPLY_POOL_ID (claude-vertex-apply),
#   PREVIEW_POOL_ID (claude-vertex-preview), PROVIDER_ID (the platform name), RETRY_DELAY (2: seconds
#   before the first retry of an IAM binding), FOLDER_NETWORK_POLICY (1: enforce skipDefaultNetworkCreation on
#   the team folder, which needs roles/orgpolicy.policyAdmin for whoever runs this; 0: the platform already
#   does), DRY_RUN (1: print the changes instead of making them; the read-only look-ups still run).
set -euo pipefail

die() {
  echo "deployer.sh: $*" >&2
  exit 2
}

# require NAME REGEX HINT: NAME must be set and match REGEX, or the script stops before touching anything.
require() {
  local name=$1 pattern=$2 hint=$3
  local value=${!name:-}
  [[ -n "$value" ]] || die "$name is required: $hint"
  [[ "$value" =~ $pattern ]] || die "$name=$value is not valid: $hint"
}

CI_PLATFORM=${CI_PLATFORM:-github}
DEFAULT_BRANCH=${DEFAULT_BRANCH:-main}
STATE_LOCATION=${STATE_LOCATION:-US}
KMS_LOCATION=${KMS_LOCATION:-global}
KMS_KEYRING=${KMS_KEYRING:-claude-vertex}
KMS_KEY=${KMS_KEY:-pulumi-secrets}
DEPLOYER_SA_ID=${DEPLOYER_SA_ID:-claude-vertex-deployer}
PREVIEWER_SA_ID=${PREVIEWER_SA_ID:-claude-vertex-previewer}
APPLY_POOL_ID=${APPLY_POOL_ID:-claude-vertex-apply}
PREVIEW_POOL_ID=${PREVIEW_POOL_ID:-claude-vertex-preview}
PROVIDER_ID=${PROVIDER_ID:-$CI_PLATFORM}
GITLAB_URL=${GITLAB_URL:-https://gitlab.com}
GITLAB_URL=${GITLAB_URL%/}
DRY_RUN=${DRY_RUN:-0}
FOLDER_NETWORK_POLICY=${FOLDER_NETWORK_POLICY:-1}
ORGANIZATION_ID=${ORGANIZATION_ID:-}

require ADMIN_PROJECT_ID '^[a-z][a-z0-9-]{4,28}[a-z0-9]$' "the admin project ID, e.g. acme-platform-admin"
require TEAM_FOLDER_ID '^[0-9]{1,20}$' "the numeric folder ID team projects live in, e.g. 123456789012"
require BILLING_ACCOUNT_ID '^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$' "a billing account ID, XXXXXX-XXXXXX-XXXXXX"
require STATE_BUCKET '^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$' "a bucket name, e.g. acme-claude-vertex-state"
require STATE_LOCATION '^[A-Za-z0-9-]+$' "a Cloud Storage location such as US, EU or europe-west1"
require KMS_LOCATION '^[a-z0-9-]+$' "a Cloud KMS location such as global or europe-west1"
require KMS_KEYRING '^[A-Za-z0-9_-]{1,63}$' "a key ring name"
require KMS_KEY '^[A-Za-z0-9_-]{1,63}$' "a key name"
require DEFAULT_BRANCH '^[A-Za-z0-9._/-]+$' "the branch applies run from, e.g. main"
for sa in DEPLOYER_SA_ID PREVIEWER_SA_ID; do
  require "$sa" '^[a-z][a-z0-9-]{4,28}[a-z0-9]$' "a service account ID: 6-30 lowercase letters, digits, hyphens"
done
for pool in APPLY_POOL_ID PREVIEW_POOL_ID; do
  require "$pool" '^[a-z0-9][a-z0-9-]{2,30}[a-z0-9]$' "a pool ID: 4-32 lowercase letters, digits, hyphens"
  [[ "${!pool}" != gcp-* ]] || die "$pool: the gcp- prefix is reserved by Google"
done
[[ "$APPLY_POOL_ID" != "$PREVIEW_POOL_ID" ]] || die "APPLY_POOL_ID and PREVIEW_POOL_ID must differ"
require PROVIDER_ID '^[a-z0-9][a-z0-9-]{2,30}[a-z0-9]$' "a provider ID: 4-32 lowercase letters, digits, hyphens"
[[ "$DRY_RUN" == 0 || "$DRY_RUN" == 1 ]] || die "DRY_RUN must be 0 or 1"
[[ "$FOLDER_NETWORK_POLICY" == 0 || "$FOLDER_NETWORK_POLICY" == 1 ]] || die "FOLDER_NETWORK_POLICY must be 0 or 1"
if [[ -n "$ORGANIZATION_ID" ]]; then
  require ORGANIZATION_ID '^[0-9]{1,20}$' "the numeric organization ID, e.g. 123456789012"
fi

# What the OIDC provider reads from the platform's tokens. Values are validated above to hold no quote,
# so they can sit inside the single-quoted CEL strings below.
case "$CI_PLATFORM" in
  github)
    require GITHUB_REPOSITORY '^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$' "the platform repository as owner/name"
    ISSUER_URI="https://token.actions.githubusercontent.com"
    REPO_ATTRIBUTE="repository"
    REPO_VALUE="$GITHUB_REPOSITORY"
    ATTRIBUTE_MAPPING="google.subject=assertion.sub,attribute.repository=assertion.repository,attribute.ref=assertion.ref"
    PREVIEW_CONDITION="assertion.repository == '$GITHUB_REPOSITORY'"
    APPLY_CONDITION="$PREVIEW_CONDITION && assertion.ref == 'refs/heads/$DEFAULT_BRANCH'"
    ;;
  gitlab)
    require GITLAB_PROJECT_PATH '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$' "the platform project as group/project"
    require GITLAB_URL '^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$' "an https:// URL"
    ISSUER_URI="$GITLAB_URL"
    REPO_ATTRIBUTE="project_path"
    REPO_VALUE="$GITLAB_PROJECT_PATH"
    ATTRIBUTE_MAPPING="google.subject=assertion.sub,attribute.project_path=assertion.project_path,attribute.ref=assertion.ref"
    PREVIEW_CONDITION="assertion.project_path == '$GITLAB_PROJECT_PATH'"
    # A protected branch, not just any ref that happens to be called main (a tag could be).
    APPLY_CONDITION="$PREVIEW_CONDITION && assertion.ref_type == 'branch' && assertion.ref == '$DEFAULT_BRANCH' && assertion.ref_protected == 'true'"
    ;;
  *) die "CI_PLATFORM=$CI_PLATFORM: expected github or gitlab" ;;
esac

command -v gcloud >/dev/null || die "gcloud is not on PATH: install the Google Cloud CLI and run gcloud auth login"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1

# run CMD...: a change. Printed (shell-quoted, so it can be copied), then made unless DRY_RUN=1.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [[ "$DRY_RUN" != 1 ]]; then
    "$@"
  fi
}

# grant CMD...: an add-iam-policy-binding, printed and made like `run`. A service account created moments ago
# can be unknown to IAM for a little while, so a failed binding is retried (5 tries, 2 s apart doubling).
grant() {
  local attempt delay=${RETRY_DELAY:-2}
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  [[ "$DRY_RUN" != 1 ]] || return 0
  for attempt in 1 2 3 4 5; do
    if "$@"; then
      return 0
    fi
    [[ $attempt -lt 5 ]] || break
    echo "deployer.sh: retrying in ${delay}s" >&2
    sleep "$delay"
    delay=$((delay * 2))
  done
  die "giving up after 5 tries: $*"
}

# probe CMD...: a read-only look-up; its output, or nothing when the thing does not exist.
probe() {
  "$@" 2>/dev/null || true
}

P=(--project "$ADMIN_PROJECT_ID")
DEPLOYER="$DEPLOYER_SA_ID@$ADMIN_PROJECT_ID.iam.gserviceaccount.com"
PREVIEWER="$PREVIEWER_SA_ID@$ADMIN_PROJECT_ID.iam.gserviceaccount.com"
BUCKET_URL="gs://$STATE_BUCKET"
KEY_ARGS=("$KMS_KEY" --keyring "$KMS_KEYRING" --location "$KMS_LOCATION" "${P[@]}")

PROJECT_NUMBER=$(probe gcloud projects describe "$ADMIN_PROJECT_ID" --format='value(projectNumber)')
[[ "$PROJECT_NUMBER" =~ ^[0-9]+$ ]] || die "cannot read project $ADMIN_PROJECT_ID (does it exist, and may you read it?)"

enable_apis() {
  # iam, iamcredentials, sts: workload identity federation and service account impersonation.
  # cloudresourcemanager, serviceusage, cloudbilling: the deployer's calls that create and configure team
  #   projects are billed to, and need these APIs on in, the project its identity lives in.
  # storage, cloudkms: the state bucket and the secrets key.
  run gcloud services enable "${P[@]}" \
    iam.googleapis.com iamcredentials.googleapis.com sts.googleapis.com \
    cloudresourcemanager.googleapis.com serviceusage.googleapis.com cloudbilling.googleapis.com \
    storage.googleapis.com cloudkms.googleapis.com
}

ensure_state_backend() {
  if [[ -z "$(probe gcloud storage buckets describe "$BUCKET_URL" --format='value(name)')" ]]; then
    run gcloud storage buckets create "$BUCKET_URL" "${P[@]}" --location "$STATE_LOCATION" \
      --uniform-bucket-level-access --public-access-prevention
  fi
  # Every state write keeps the previous object: a bad apply or a deleted stack can be recovered.
  run gcloud storage buckets update "$BUCKET_URL" --versioning
  if [[ -z "$(probe gcloud kms keyrings describe "$KMS_KEYRING" --location "$KMS_LOCATION" "${P[@]}" --format='value(name)')" ]]; then
    run gcloud kms keyrings create "$KMS_KEYRING" --location "$KMS_LOCATION" "${P[@]}"
  fi
  if [[ -z "$(probe gcloud kms keys describe "${KEY_ARGS[@]}" --format='value(name)')" ]]; then
    run gcloud kms keys create "${KEY_ARGS[@]}" --purpose encryption
  fi
}

ensure_service_account() {
  local id=$1 email=$2 display=$3 description=$4
  if [[ -z "$(probe gcloud iam service-accounts describe "$email" "${P[@]}" --format='value(email)')" ]]; then
    run gcloud iam service-accounts create "$id" "${P[@]}" --display-name "$display" --description "$description"
  fi
}

# ensure_pool POOL DISPLAY: create it, or undelete it when it sits in its 30-day soft-deleted state (its ID
# cannot be reused until then).
ensure_pool() {
  local pool=$1 display=$2 state
  state=$(probe gcloud iam workload-identity-pools describe "$pool" --location global "${P[@]}" --format='value(state)')
  case "$state" in
    "") run gcloud iam workload-identity-pools create "$pool" --location global "${P[@]}" \
          --display-name "$display" --description "claude-vertex GitOps pipeline: $display" ;;
    DELETED) run gcloud iam workload-identity-pools undelete "$pool" --location global "${P[@]}" ;;
    *) echo "pool $pool exists ($state)" ;;
  esac
}

# ensure_provider POOL CONDITION: the OIDC provider for the platform, created or brought back in line.
ensure_provider() {
  local pool=$1 condition=$2 state display="$CI_PLATFORM $REPO_VALUE"
  local where=("$PROVIDER_ID" --workload-identity-pool "$pool" --location global "${P[@]}")
  local settings=(--issuer-uri "$ISSUER_URI" --attribute-mapping "$ATTRIBUTE_MAPPING" --attribute-condition "$condition")
  state=$(probe gcloud iam workload-identity-pools providers describe "${where[@]}" --format='value(state)')
  case "$state" in
    "")
      run gcloud iam workload-identity-pools providers create-oidc "${where[@]}" "${settings[@]}" \
        --display-name "${display:0:32}"
      ;;
    DELETED)
      run gcloud iam workload-identity-pools providers undelete "${where[@]}"
      run gcloud iam workload-identity-pools providers update-oidc "${where[@]}" "${settings[@]}"
      ;;
    *) run gcloud iam workload-identity-pools providers update-oidc "${where[@]}" "${settings[@]}" ;;
  esac
}

# allow_repository SA POOL: only the platform repository's identities in POOL may act as SA.
allow_repository() {
  local sa=$1 pool=$2
  local member="principalSet://iam.googleapis.com/projects/$PROJECT_NUMBER/locations/global/workloadIdentityPools/$pool/attribute.$REPO_ATTRIBUTE/$REPO_VALUE"
  grant gcloud iam service-accounts add-iam-policy-binding "$sa" "${P[@]}" \
    --role roles/iam.workloadIdentityUser --member "$member" --condition=None
}

# folder_grant SA ROLE [EXPRESSION TITLE]: ROLE on the team folder, unconditional or under an IAM condition.
# The condition uses gcloud's `^;^` delimiter so that commas inside the CEL expression stay in it.
folder_grant() {
  local condition=None
  if [[ $# -ge 4 ]]; then condition="^;^expression=$3;title=$4"; fi
  grant gcloud resource-manager folders add-iam-policy-binding "$TEAM_FOLDER_ID" \
    --member "serviceAccount:$1" --role "$2" --condition="$condition"
}

# The only roles the program grants on service accounts: who may impersonate a team account, and which CI
# repositories may act as the team's CI account. Any other grant on an account is refused by IAM itself.
SA_GRANTS_CONDITION="api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(['roles/iam.serviceAccountTokenCreator', 'roles/iam.workloadIdentityUser'])"

# enforce_folder_network_policy: no default network in any team project, even if Compute is enabled later.
enforce_folder_network_policy() {
  local dir file
  dir=$(mktemp -d)
  file="$dir/skip-default-network.yaml"
  printf 'name: folders/%s/policies/compute.skipDefaultNetworkCreation\nspec:\n  rules:\n  - enforce: true\n' \
    "$TEAM_FOLDER_ID" > "$file"
  run gcloud org-policies set-policy "$file"
  rm -rf "$dir"
}

grant_deployer() {
  local m="serviceAccount:$DEPLOYER"
  # Create the team projects, inside the team folder only.
  folder_grant "$DEPLOYER" roles/resourcemanager.projectCreator
  # Link them to the billing account (billing.resourceAssociations.create), on that account only,
  grant gcloud billing accounts add-iam-policy-binding "$BILLING_ACCOUNT_ID" --member "$m" --role roles/billing.user
  # and on the project side (resourcemanager.projects.createBillingAssignment), which would otherwise come
  # only from the owner role GCP gives a project's creator.
  folder_grant "$DEPLOYER" roles/billing.projectManager
  # Enable Vertex AI, IAM, STS and IAM Credentials in team projects (and read which APIs are on).
  folder_grant "$DEPLOYER" roles/serviceusage.serviceUsageAdmin
  # The team's custom role with the predict (and computeTokens) permissions.
  folder_grant "$DEPLOYER" roles/iam.roleAdmin
  # Team and CI service accounts, and who may impersonate them (their own IAM policies): only the two roles
  # the program grants on accounts.
  folder_grant "$DEPLOYER" roles/iam.serviceAccountAdmin "$SA_GRANTS_CONDITION" \
    "claude-vertex: token creator and workload identity user only"
  # The custom-role grants to members and service accounts in team projects (IAMMember, never a policy).
  # Not conditioned: the role names carry each team's project ID (projects/<id>/roles/claudeVertex<Team>),
  # which a folder-level `hasOnly([...])` cannot list in advance (bootstrap/README.md).
  folder_grant "$DEPLOYER" roles/resourcemanager.projectIamAdmin
  # The per-team CI workload identity pools and providers.
  folder_grant "$DEPLOYER" roles/iam.workloadIdentityPoolAdmin
  # Read and write the stack state: objects in this one bucket, nothing else in Cloud Storage.
  grant gcloud storage buckets add-iam-policy-binding "$BUCKET_URL" --member "$m" \
    --role roles/storage.objectAdmin --condition=None
  # Encrypt and decrypt the stacks' secrets with this one key.
  grant gcloud kms keys add-iam-policy-binding "${KEY_ARGS[@]}" --member "$m" \
    --role roles/cloudkms.cryptoKeyEncrypterDecrypter --condition=None
  # Per-project org policies (compute.skipDefaultNetworkCreation, vertexai.allowedModels) can only be set by
  # roles/orgpolicy.policyAdmin, which GCP grants only on the organization.
  if [[ -n "$ORGANIZATION_ID" ]]; then
    grant gcloud organizations add-iam-policy-binding "$ORGANIZATION_ID" --member "$m" \
      --role roles/orgpolicy.policyAdmin --condition=None
  fi
}

grant_previewer() {
  local m="serviceAccount:$PREVIEWER"
  # `pulumi preview --refresh` reads what the deployer manages, and can change none of it:
  # projects and folders (and project IAM policies),
  folder_grant "$PREVIEWER" roles/browser
  # custom roles and the IAM policies on service accounts,
  folder_grant "$PREVIEWER" roles/iam.securityReviewer
  # enabled APIs,
  folder_grant "$PREVIEWER" roles/serviceusage.serviceUsageViewer
  # service accounts,
  folder_grant "$PREVIEWER" roles/iam.serviceAccountViewer
  # and the CI workload identity pools and providers.
  folder_grant "$PREVIEWER" roles/iam.workloadIdentityPoolViewer
  # Read the state (a preview writes none: no lock, no history).
  grant gcloud storage buckets add-iam-policy-binding "$BUCKET_URL" --member "$m" \
    --role roles/storage.objectViewer --condition=None
  # Decrypt the stacks' secrets.
  grant gcloud kms keys add-iam-policy-binding "${KEY_ARGS[@]}" --member "$m" \
    --role roles/cloudkms.cryptoKeyDecrypter --condition=None
}

enable_apis
if [[ "$FOLDER_NETWORK_POLICY" == 1 ]]; then enforce_folder_network_policy; fi
ensure_state_backend
ensure_service_account "$DEPLOYER_SA_ID" "$DEPLOYER" "claude-vertex deployer" \
  "pulumi up and destroy from the default branch of $REPO_VALUE; no keys."
ensure_service_account "$PREVIEWER_SA_ID" "$PREVIEWER" "claude-vertex previewer" \
  "Read-only pulumi preview and drift checks for $REPO_VALUE; no keys."
ensure_pool "$APPLY_POOL_ID" "claude-vertex apply"
ensure_pool "$PREVIEW_POOL_ID" "claude-vertex preview"
ensure_provider "$APPLY_POOL_ID" "$APPLY_CONDITION"
ensure_provider "$PREVIEW_POOL_ID" "$PREVIEW_CONDITION"
allow_repository "$DEPLOYER" "$APPLY_POOL_ID"
allow_repository "$PREVIEWER" "$PREVIEW_POOL_ID"
grant_deployer
grant_previewer

PROVIDER_PREFIX="projects/$PROJECT_NUMBER/locations/global/workloadIdentityPools"
cat <<EOF

Done. Configure the pipeline with these variables (none of them is a secret):
  PULUMI_BACKEND_URL=$BUCKET_URL
  PULUMI_SECRETS_PROVIDER=gcpkms://projects/$ADMIN_PROJECT_ID/locations/$KMS_LOCATION/keyRings/$KMS_KEYRING/cryptoKeys/$KMS_KEY
  GCP_WIF_PROVIDER_APPLY=$PROVIDER_PREFIX/$APPLY_POOL_ID/providers/$PROVIDER_ID
  GCP_DEPLOY_SERVICE_ACCOUNT=$DEPLOYER
  GCP_WIF_PROVIDER_PREVIEW=$PROVIDER_PREFIX/$PREVIEW_POOL_ID/providers/$PROVIDER_ID
  GCP_PREVIEW_SERVICE_ACCOUNT=$PREVIEWER
EOF
