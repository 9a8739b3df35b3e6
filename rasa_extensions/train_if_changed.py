"""``rasa train``, but only when the model would differ from the latest one.

Rasa 3.6's ``rasa train`` always writes a new model archive: its training
cache spares the components' training when nothing changed, not the packing
of one more model (``make run`` used to add a model to models/ at every start,
and Rasa then loads it again). Its fingerprints are stable from one run to the
next (the project's ``fingerprint_addon`` and the FAQ importer included); what
was missing is comparing them with the model they made.

So: a dry run computes Rasa's own fingerprint of every node of the training
graph (components' code and config, training data, domain, responses); their
digest is written beside each model it trains (``<model>.fingerprint``). When
the latest model's digest is today's, nothing is trained. When any node would
be trained, or the digest differs (an edited response, a model of other data
left last), Rasa trains as ``rasa train`` does, its validation first.

The dry run itself costs half a minute (Rasa and TensorFlow imported, the
graph built): before it, a digest of the files the model is made of (the
training data, domain, config, content/, the code of the project's components
and the packages' versions: ``INPUTS``) is compared with the one kept beside
the model (``<model>.inputs``). When they are the same, nothing is imported
and the model is kept; when any differs, the dry run decides as above.

Run as ``python -m rasa_extensions.train_if_changed --out models`` from the
project folder (``bot.services.train``, ``make train``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from rasa_extensions import command

CONFIG = "config.yml"
DOMAIN = "domain.yml"
DATA = ["nlu", "dialogue"]


# What a model is made of, as files of the project folder: what Rasa reads
# (config, domain, training data), what the project's components read (content/
# for the FAQ's ways of asking, language/'s words) and their code, and the
# packages' versions. A superset: an edit elsewhere in it only costs a dry run.
INPUTS = (
    "config.yml", "domain.yml", "nlu", "dialogue", "content", "rasa_extensions", "language",
    "curated", "settings", "requirements.lock",
)  # fmt: skip


def inputs_digest(root: Path) -> str:
    """A digest of every file of ``INPUTS`` under ``root``, with the Python and
    Rasa versions this process would train with."""
    import importlib.metadata

    digest = hashlib.sha256(f"{sys.version} rasa {importlib.metadata.version('rasa')}".encode())
    for name in INPUTS:
        top = root / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_path(model: Path) -> Path:
    """Where the digest of the files ``model`` was made of is kept: ``<name>.inputs``."""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".inputs")


def _kept(model: Path) -> str | None:
    path = inputs_path(model)
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def fingerprint_path(model: Path) -> Path:
    """Where the digest of ``model`` is kept: beside it, ``<name>.fingerprint``."""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".fingerprint")


def recorded_fingerprint(model: Path) -> str | None:
    path = fingerprint_path(model)
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def current_fingerprint(out: Path) -> str | None:
    """Digest of Rasa's fingerprints of the training graph; None when some
    component would have to be trained (not in Rasa's training cache)."""
    import rasa
    from rasa.engine.training.components import FingerprintStatus
    from rasa.model_training import train
    from rasa.shared.importers.importer import TrainingDataImporter

    result = train(DOMAIN, CONFIG, DATA, output=str(out), dry_run=True)
    parts = {
        "rasa": rasa.__version__,
        "config": hashlib.sha256(Path(CONFIG).read_bytes()).hexdigest(),
    }
    for node, value in sorted((result.dry_run_results or {}).items()):
        if isinstance(value, FingerprintStatus):
            if not value.is_hit:
                return None
            parts[node] = value.output_fingerprint
        elif isinstance(value, TrainingDataImporter):
            continue  # an importer's fingerprint is random by design; its outputs are counted
        elif hasattr(value, "fingerprint"):
            parts[node] = value.fingerprint()  # domain, responses, training data, stories
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rasa_extensions.train_if_changed")
    parser.add_argument("--out", type=Path, default=Path("models"))
    args = parser.parse_args(argv)

    latest = command.latest_model(args.out)
    recorded = recorded_fingerprint(latest) if latest is not None else None
    # Read before anything is trained: a file edited meanwhile is seen next time.
    inputs = inputs_digest(Path.cwd())
    if latest is not None and recorded is not None and _kept(latest) == inputs:
        print(
            f"Nothing changed since {latest.name} (the same files): the model is kept.", flush=True
        )
        return 0

    from rasa_extensions import speedups

    speedups.import_skops_first()
    from rasa.__main__ import main as rasa_main

    speedups.apply()
    if latest is not None and recorded is not None and current_fingerprint(args.out) == recorded:
        inputs_path(latest).write_text(inputs + "\n", encoding="utf-8")
        print(f"Nothing changed since {latest.name}: the model is kept, not retrained.", flush=True)
        return 0
    sys.argv = ["rasa", *command.train_args(args.out)]
    rasa_main()
    trained = command.latest_model(args.out)
    if trained is not None and trained != latest:
        digest = current_fingerprint(args.out)
        if digest is not None:  # the cache kept every component: next time can compare
            fingerprint_path(trained).write_text(digest + "\n", encoding="utf-8")
            inputs_path(trained).write_text(inputs + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
