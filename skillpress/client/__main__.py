"""``python -m skillpress.client``: run the bundled thin client."""

import sys

from skillpress.client.main import main

sys.exit(main())
