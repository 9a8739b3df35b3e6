"""The review app's settings: ``settings.ReviewSettings``, read with all the others.

The variables and their defaults are listed there (``settings/__init__.py``).
"""

from __future__ import annotations

import settings
from settings import ROOT, ReviewSettings

Config = ReviewSettings

__all__ = ["Config", "ROOT", "from_environment"]


def from_environment() -> Config:
    return settings.from_environment().review
