// Two teams' Claude Code on Vertex AI from one program, each team in a project of its own.
//
// The claudevertex package is the SDK `pulumi package add github.com/OWNER/claude-vertex/components@v0.1.0` generates
// from the package schema: the module is named after the repository's owner, lowercased
// (github.com/owner/pulumi-claude-vertex/sdk/go; replace owner as you replace OWNER in Pulumi.yaml). Each object input
// is the schema type's `Args` struct (`ProjectArgs` -> `ProjectArgsArgs`), every input plain: required fields are
// values, optional ones pointers (pulumi.StringRef, pulumi.BoolRef).
package main

import (
	"github.com/owner/pulumi-claude-vertex/sdk/go/claudevertex"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		payments, err := claudevertex.NewClaudeVertexTeam(ctx, "payments", &claudevertex.ClaudeVertexTeamArgs{
			Team: "payments",
			Project: claudevertex.ProjectArgsArgs{
				Id:             "claude-payments-prod",
				BillingAccount: pulumi.StringRef("012345-6789AB-CDEF01"),
				FolderId:       pulumi.StringRef("123456789012"),
				Labels:         map[string]string{"cost-center": "cc-1234"},
			},
			Vertex: &claudevertex.VertexArgsArgs{
				Region: pulumi.StringRef("global"),
				Models: &claudevertex.ModelPinsArgsArgs{
					Opus:   pulumi.StringRef("claude-opus-5-5"),
					Sonnet: pulumi.StringRef("claude-sonnet-5-5"),
					Haiku:  pulumi.StringRef("claude-haiku-4-5@20251001"),
				},
				PrimaryModel:    pulumi.StringRef("sonnet"),
				RegionOverrides: map[string]string{"haiku": "us-east5"},
				EnableModels:    pulumi.BoolRef(true),
			},
			Access: &claudevertex.AccessArgsArgs{
				Members: []string{"group:payments-devs@example.com"},
				ServiceAccounts: []claudevertex.ServiceAccountArgsArgs{{
					Id:            "claude-agent",
					Impersonators: []string{"group:payments-oncall@example.com"},
				}},
			},
			Ci: &claudevertex.CiArgsArgs{
				Github: &claudevertex.GitHubCiArgsArgs{Repositories: []string{"acme/payments-app"}},
			},
			Guardrails: &claudevertex.GuardrailsArgsArgs{
				Budget: &claudevertex.BudgetArgsArgs{
					MonthlyAmount: 2000,
					Notify:        []string{"payments-leads@example.com"},
				},
			},
		})
		if err != nil {
			return err
		}
		research, err := claudevertex.NewClaudeVertexTeam(ctx, "research", &claudevertex.ClaudeVertexTeamArgs{
			Team: "research",
			Project: claudevertex.ProjectArgsArgs{
				Id:             "claude-research-prod",
				BillingAccount: pulumi.StringRef("012345-6789AB-CDEF01"),
				FolderId:       pulumi.StringRef("123456789012"),
			},
			Vertex: &claudevertex.VertexArgsArgs{
				Region:       pulumi.StringRef("us-east5"),
				PrimaryModel: pulumi.StringRef("opus"),
			},
			Access: &claudevertex.AccessArgsArgs{
				Permissions: []string{"aiplatform.endpoints.predict"},
				Members:     []string{"group:research-devs@example.com"},
			},
			Guardrails: &claudevertex.GuardrailsArgsArgs{
				Budget: &claudevertex.BudgetArgsArgs{MonthlyAmount: 500, Thresholds: []float64{0.5, 1.0}},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("paymentsProjectId", payments.ProjectId)
		ctx.Export("paymentsDotenv", payments.Dotenv)
		ctx.Export("paymentsGithubWorkflow", payments.CiGithubWorkflow)
		ctx.Export("researchProjectId", research.ProjectId)
		ctx.Export("researchDotenv", research.Dotenv)
		return nil
	})
}
