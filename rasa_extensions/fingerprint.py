"""What Rasa's training cache must know about the project's own components."""

from __future__ import annotations

import hashlib
from pathlib import Path


def source_fingerprint(*paths: Path) -> str:
    """A digest of files, so Rasa retrains a component when its code or data changes.

    Rasa's training cache knows the training data and the config, not the code
    of custom components: without this, an edited component would keep the
    output of its previous version.
    """
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()
