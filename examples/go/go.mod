module claude-vertex-teams-go

go 1.23

require (
	example.com/pulumi-claude-vertex/sdk/go v0.1.0
	github.com/pulumi/pulumi/sdk/v3 v3.274.0
)

replace example.com/pulumi-claude-vertex/sdk/go => ./sdks/claude-vertex
