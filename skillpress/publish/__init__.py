"""One versioned release of a spec's documents, skills, site and thin client.

``publish`` (``skillpress publish``) checks that the project is fresh, then writes the
release; ``verify`` (``skillpress verify``) re-checks a release against its manifest.
See ``skillpress.publish.release`` for the layout and ``skillpress.publish.verify`` for
what a release must satisfy.
"""

from skillpress.publish.release import publish
from skillpress.publish.verify import MANIFEST, verify

__all__ = ["MANIFEST", "publish", "verify"]
