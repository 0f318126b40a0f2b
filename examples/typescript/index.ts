// Two teams' Claude Code on Vertex AI from one program, each team in a project of its own.
// `@owner/claude-vertex` is the SDK `pulumi package add github.com/OWNER/claude-vertex/components@v0.1.0` generates
// from the package schema, named after the repository's owner, lowercased (replace owner as you replace OWNER in
// Pulumi.yaml): its names (the ClaudeVertexTeam class, camelCase inputs and outputs) are the schema's.
import * as claudeVertex from "@owner/claude-vertex";

const payments = new claudeVertex.ClaudeVertexTeam("payments", {
    team: "payments",
    project: {
        id: "claude-payments-prod",
        billingAccount: "012345-6789AB-CDEF01",
        folderId: "123456789012",
        labels: { "cost-center": "cc-1234" },
    },
    vertex: {
        region: "global",
        models: { opus: "claude-opus-5-5", sonnet: "claude-sonnet-5-5", haiku: "claude-haiku-4-5@20251001" },
        primaryModel: "sonnet",
        regionOverrides: { haiku: "us-east5" },
        enableModels: true,
    },
    access: {
        members: ["group:payments-devs@example.com"],
        serviceAccounts: [{ id: "claude-agent", impersonators: ["group:payments-oncall@example.com"] }],
    },
    ci: { github: { repositories: ["acme/payments-app"] } },
    guardrails: { budget: { monthlyAmount: 2000, notify: ["payments-leads@example.com"] } },
});

const research = new claudeVertex.ClaudeVertexTeam("research", {
    team: "research",
    project: { id: "claude-research-prod", billingAccount: "012345-6789AB-CDEF01", folderId: "123456789012" },
    vertex: { region: "us-east5", primaryModel: "opus" },
    access: { permissions: ["aiplatform.endpoints.predict"], members: ["group:research-devs@example.com"] },
    guardrails: { budget: { monthlyAmount: 500, thresholds: [0.5, 1.0] } },
});

export const paymentsProjectId = payments.projectId;
export const paymentsDotenv = payments.dotenv;
export const paymentsGithubWorkflow = payments.ciGithubWorkflow;
export const researchProjectId = research.projectId;
export const researchDotenv = research.dotenv;
