"""``python -m skillpress.client``: run the thin client on its bundled (or named) contract."""

import sys

from .main import main

sys.exit(main())
