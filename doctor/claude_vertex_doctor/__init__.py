"""claude-vertex-doctor: says whether Claude Code on Vertex AI will work for you, and what to do if not."""

__version__ = "0.1.0"
