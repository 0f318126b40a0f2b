"""The plugin's entry point: the Python language host runs `python <this directory> <engine address>`.

`pulumi package add <repo>/components@vX.Y.Z` installs this directory as a source plugin (PulumiPlugin.yaml,
runtime python): a virtualenv here (`venv/`) with this distribution installed into it, then, whenever the
engine needs the provider, this file, which serves `ClaudeVertexTeam` (claude_vertex/plugin.py).
"""

from claude_vertex.plugin import main

if __name__ == "__main__":
    main()
