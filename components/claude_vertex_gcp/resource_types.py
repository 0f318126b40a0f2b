"""Pulumi type tokens of the Google provider (pulumi-gcp 10.x), as the engine and a policy pack see them.

The program registers resources through pulumi-gcp's classes; the pack, the mocks and the tools recognise them by
these tokens. `TEAM_TYPES` is what a team stack registers, all features on: a test renders the program and holds it
to exactly this set, and another checks every token here exists in the installed provider.
"""

from __future__ import annotations

# What a team stack registers.
PROJECT = "gcp:organizations/project:Project"
SERVICE = "gcp:projects/service:Service"
PROJECT_CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole"
SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"
PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
SERVICE_ACCOUNT_IAM_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
WORKLOAD_IDENTITY_POOL = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool"
WORKLOAD_IDENTITY_POOL_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
MODEL_GARDEN_ENABLE_MODEL = "gcp:vertex/aiModelGardenEnableModel:AiModelGardenEnableModel"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
BUDGET = "gcp:billing/budget:Budget"
NOTIFICATION_CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
QUOTA_PREFERENCE = "gcp:cloudquota/sQuotaPreference:SQuotaPreference"
PROJECT_AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
LOG_METRIC = "gcp:logging/metric:Metric"
DASHBOARD = "gcp:monitoring/dashboard:Dashboard"
ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"

TEAM_TYPES = (
    PROJECT,
    SERVICE,
    PROJECT_CUSTOM_ROLE,
    SERVICE_ACCOUNT,
    PROJECT_IAM_MEMBER,
    SERVICE_ACCOUNT_IAM_MEMBER,
    WORKLOAD_IDENTITY_POOL,
    WORKLOAD_IDENTITY_POOL_PROVIDER,
    MODEL_GARDEN_ENABLE_MODEL,
    ORG_POLICY,
    BUDGET,
    NOTIFICATION_CHANNEL,
    QUOTA_PREFERENCE,
    PROJECT_AUDIT_CONFIG,
    LOG_METRIC,
    DASHBOARD,
    ALERT_POLICY,
)
"""Every Google resource type a team stack registers (with CI, budget, caps, models and usage on)."""
IAM_MEMBER_TYPES = (PROJECT_IAM_MEMBER, SERVICE_ACCOUNT_IAM_MEMBER)
"""The two kinds of grant the design makes: the team's role on its project, and roles on its own accounts."""

# What a gateway stack registers besides a project, its APIs, accounts and project grants (`ClaudeGateway`).
CLOUD_RUN_SERVICE = "gcp:cloudrunv2/service:Service"
CLOUD_RUN_JOB = "gcp:cloudrunv2/job:Job"
SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
SQL_DATABASE = "gcp:sql/database:Database"
SQL_USER = "gcp:sql/user:User"
SECRET = "gcp:secretmanager/secret:Secret"
SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
SECRET_IAM_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
NETWORK = "gcp:compute/network:Network"
SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
GLOBAL_ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
SERVICE_NETWORKING_CONNECTION = "gcp:servicenetworking/connection:Connection"
ADDRESS = "gcp:compute/address:Address"
REGION_NETWORK_ENDPOINT_GROUP = "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup"
REGION_BACKEND_SERVICE = "gcp:compute/regionBackendService:RegionBackendService"
REGION_URL_MAP = "gcp:compute/regionUrlMap:RegionUrlMap"
REGION_TARGET_HTTPS_PROXY = "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy"
FORWARDING_RULE = "gcp:compute/forwardingRule:ForwardingRule"
CERTIFICATE_ISSUANCE_CONFIG = "gcp:certificatemanager/certificateIssuanceConfig:CertificateIssuanceConfig"
CERTIFICATE = "gcp:certificatemanager/certificate:Certificate"
DNS_MANAGED_ZONE = "gcp:dns/managedZone:ManagedZone"
DNS_RECORD_SET = "gcp:dns/recordSet:RecordSet"

GATEWAY_TYPES = (
    PROJECT,
    SERVICE,
    SERVICE_ACCOUNT,
    PROJECT_IAM_MEMBER,
    ORG_POLICY,
    CLOUD_RUN_SERVICE,
    CLOUD_RUN_JOB,
    SQL_INSTANCE,
    SQL_DATABASE,
    SQL_USER,
    SECRET,
    SECRET_VERSION,
    SECRET_IAM_MEMBER,
    NETWORK,
    SUBNETWORK,
    GLOBAL_ADDRESS,
    SERVICE_NETWORKING_CONNECTION,
    ADDRESS,
    REGION_NETWORK_ENDPOINT_GROUP,
    REGION_BACKEND_SERVICE,
    REGION_URL_MAP,
    REGION_TARGET_HTTPS_PROXY,
    FORWARDING_RULE,
    CERTIFICATE_ISSUANCE_CONFIG,
    CERTIFICATE,
    DNS_MANAGED_ZONE,
    DNS_RECORD_SET,
)
"""Every Google resource type a gateway stack registers (`claude-vertex:gateway`, a created project)."""
CLOUD_RUN_IAM_TYPES = ("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "gcp:cloudrunv2/jobIamMember:JobIamMember")
"""Invoker grants on Cloud Run: a gateway stack registers none (its service checks no IAM invoker; see the pack)."""

# Look-alikes a team stack never registers (the pack names them to refuse them with a reason).
ORGANIZATION_CUSTOM_ROLE = "gcp:organizations/iAMCustomRole:IAMCustomRole"
FOLDER_AUDIT_CONFIG = "gcp:folder/iamAuditConfig:IamAuditConfig"
ORGANIZATION_AUDIT_CONFIG = "gcp:organizations/iamAuditConfig:IamAuditConfig"
LEGACY_ORG_POLICIES = (
    "gcp:projects/organizationPolicy:OrganizationPolicy",
    "gcp:folder/organizationPolicy:OrganizationPolicy",
    "gcp:organizations/policy:Policy",
)
"""Org policies through the v1 API (`constraints/...` with `booleanPolicy` / `listPolicy`)."""
SERVICE_ACCOUNT_KEY = "gcp:serviceaccount/key:Key"
HMAC_KEY = "gcp:storage/hmacKey:HmacKey"
API_KEY = "gcp:projects/apiKey:ApiKey"
OAUTH_CLIENT = "gcp:iam/oauthClient:OauthClient"
OAUTH_CLIENT_CREDENTIAL = "gcp:iam/oauthClientCredential:OauthClientCredential"
TAG_TYPES = "gcp:tags/*"
"""Resource-manager tag keys, values, bindings and their IAM: a glob over the provider's `tags` module."""

# Invokes (data sources) the program calls.
GET_TESTABLE_PERMISSIONS = "gcp:iam/getTestablePermissions:getTestablePermissions"
GET_PROJECT = "gcp:organizations/getProject:getProject"
