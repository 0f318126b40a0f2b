"""ComponentResources for one team's Claude Code on Vertex AI, and the pure code they use."""
