"""Pure renderings of the plan: Claude Code's environment in every form, managed settings, CI snippets."""
