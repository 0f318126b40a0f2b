"""The gateway's GCP resources, one module per concern: network, database, secrets, service, load balancer,
spend caps. `claude_vertex.gateway.ClaudeGateway` composes them."""
