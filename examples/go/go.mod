module claude-vertex-teams-go

go 1.23

require (
	github.com/owner/pulumi-claude-vertex/sdk/go v0.1.0
	github.com/pulumi/pulumi/sdk/v3 v3.274.0
)

replace github.com/owner/pulumi-claude-vertex/sdk/go => ./sdks/claude-vertex
