"""Where the channel layer keeps its files and finds its services.

Everything comes from the environment, with defaults that work on a fresh
clone (``make run``): nothing here is a secret, and secrets are never written
in git (see ``pseudonym``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    var_dir: Path  # databases, logs, the generated pseudonym key (git-ignored)
    models_dir: Path
    content_dir: Path
    rasa_url: str  # empty: start Rasa here
    rasa_timeout: float  # seconds before the tourist is told to try again

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"


def from_environment() -> Settings:
    return Settings(
        var_dir=Path(os.environ.get("VAR_DIR") or ROOT / "var"),
        models_dir=Path(os.environ.get("MODELS_DIR") or ROOT / "models"),
        content_dir=Path(os.environ.get("CONTENT_DIR") or ROOT / "content"),
        rasa_url=os.environ.get("RASA_URL", "").rstrip("/"),
        rasa_timeout=float(os.environ.get("RASA_TIMEOUT_SECONDS") or 5.0),
    )
