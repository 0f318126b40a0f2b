import sys

from tools.review.cli import main

sys.exit(main())
