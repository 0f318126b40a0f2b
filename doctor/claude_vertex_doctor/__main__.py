"""`python -m claude_vertex_doctor`: the same entry point as the console script."""

import sys

from claude_vertex_doctor.cli import main

sys.exit(main())
