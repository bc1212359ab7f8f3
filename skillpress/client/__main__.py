"""``python -m skillpress.client``: run the bundled thin client."""

import sys

from .main import main

sys.exit(main())
