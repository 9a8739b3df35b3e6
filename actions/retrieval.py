"""A hybrid search over the content's passages (actions/passages.py).

Two scores per passage, both over its three languages at once (a French
question finds a passage by its French text, a Chinese one by its Chinese):
- lexical: BM25 (Okapi, the rank_bm25 library) over folded words and, for Chinese, the
  words jieba cuts and every two characters in a row (jieba cuts "南针峰" as
  南/针峰 and "跳台滑雪场" otherwise than "跳台滑雪": the pairs still meet),
  each passage a document of its texts and ways of asking;
  scaled to 0..1 by the best passage of the message;
- meaning: cosine between the message's sentence vector (the multilingual
  encoder Rasa already runs: language/meaning.py) and each of the passage's
  texts and ways of asking, the best one counting.

The index is built for one version of the content and rebuilt after a live
reload; passage vectors are kept by text, so a reload encodes only new texts.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy
from rank_bm25 import BM25Okapi

from actions.passages import Passage, passages_of
from curated.content import Content
from language import meaning
from language.text import HAN_RUN, fold

_LATIN = re.compile(r"[a-z0-9]{2,}")
MAX_TERMS_KEPT = 50_000  # terms whose scores are kept (a few MB at 300 passages)


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokens(text: str) -> list[str]:
    """Folded Latin words of two letters or more; Chinese words as jieba cuts
    them, and the run's characters two by two."""
    folded = fold(text)
    found = _LATIN.findall(HAN_RUN.sub(" ", folded))
    for run in HAN_RUN.findall(folded):
        found.extend(w for w in _jieba().lcut(run) if w.strip())
        found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


@functools.lru_cache(maxsize=4_096)  # a live reload cuts only the texts that changed
def _document(text: str) -> tuple[str, ...]:
    """A passage's tokens as BM25 indexes them (never empty)."""
    return tuple(tokens(text)) or ("_",)


@dataclass(frozen=True)
class Scored:
    passage: Passage
    lexical: float  # 0..1, the best passage of the message being 1
    meaning: float  # cosine, 0 when the message has no vector


class Index:
    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        # (Not bm25s: it starts a JAX backend, threads and all, when jax is
        # installed, as Rasa's TensorFlow has it, only to pick a top-k.)
        corpus = [_document(" ".join(p.searched())) for p in self.passages]
        self.bm25 = BM25Okapi(corpus)
        # Where each term is, and how often: a new term's scores without
        # rank_bm25's loop over every passage (``_term_scores``).
        self._postings: dict[str, tuple[list[int], list[int]]] = {}
        for row, frequencies in enumerate(self.bm25.doc_freqs):
            for term, count in frequencies.items():
                rows, counts = self._postings.setdefault(term, ([], []))
                rows.append(row)
                counts.append(count)
        bm25 = self.bm25  # rank_bm25's length normalisation, as get_scores computes it
        self._length = bm25.k1 * (1 - bm25.b + bm25.b * numpy.array(bm25.doc_len) / bm25.avgdl)
        self._terms: dict[str, numpy.ndarray] = {}
        self._vectors: list[numpy.ndarray] | None = None
        self._matrix = numpy.zeros((0, meaning.DIMENSIONS), dtype=numpy.float32)
        self._starts = numpy.zeros(0, dtype=int)
        self._sizes = numpy.zeros(0, dtype=int)
        self._vector_lock = threading.Lock()
        self._encoding: threading.Thread | None = None

    def encode_in_background(self) -> None:
        """Encodes the passages in a thread (the action server at start-up:
        seconds of work that must not delay its first answers, which use the
        words alone until it is done)."""
        if self._encoding is None:
            self._encoding = threading.Thread(target=self.vectors, daemon=True, name="passages")
            self._encoding.start()

    def vectors(self) -> list[numpy.ndarray]:
        """Each passage's text and key vectors (encoded on first use)."""
        with self._vector_lock:
            if self._vectors is None:
                texts = [p.searched() for p in self.passages]
                flat = [t for group in texts for t in group]
                encoded = meaning.encode_cached(flat, keep=True)
                vectors, start = [], 0
                for group in texts:
                    vectors.append(encoded[start : start + len(group)])
                    start += len(group)
                # One matrix of every text, and where each passage's rows start:
                # a message is one product with it, not one per passage.
                self._matrix = encoded
                self._starts = numpy.cumsum([0] + [len(g) for g in texts[:-1]])
                self._sizes = numpy.array([len(g) for g in texts])
                self._vectors = vectors
            return self._vectors

    def _term_scores(self, term: str) -> numpy.ndarray:
        """rank_bm25's scores of every passage for one term (``get_scores([term])``,
        the same operations on the same numbers, from the term's postings
        rather than a loop over every passage), kept: a message's are their
        sum (what ``get_scores`` adds up)."""
        scores = self._terms.get(term)
        if scores is None:
            frequency = numpy.zeros(len(self.passages), dtype=numpy.int64)
            rows, counts = self._postings.get(term, ((), ()))
            frequency[list(rows)] = counts
            k1 = self.bm25.k1
            scores = numpy.zeros(len(self.passages))
            scores += (self.bm25.idf.get(term) or 0) * (
                frequency * (k1 + 1) / (frequency + self._length)
            )
            if len(self._terms) < MAX_TERMS_KEPT:
                self._terms[term] = scores
        return scores

    def _meaning(self, vector: numpy.ndarray) -> numpy.ndarray:
        """Each passage's best cosine with ``vector`` (0 for a passage without text)."""
        self.vectors()
        if not len(self._matrix):
            return numpy.zeros(len(self.passages))
        cosines = self._matrix @ numpy.asarray(vector, dtype=self._matrix.dtype)
        filled = self._sizes > 0
        best = numpy.zeros(len(self.passages))
        best[filled] = numpy.maximum.reduceat(cosines, self._starts[filled])
        return best

    def meaning_ready(self) -> bool:
        """False while the passages are encoded in the background."""
        return self._encoding is None or not self._encoding.is_alive()

    def search(self, text: str, vector: numpy.ndarray | None = None) -> list[Scored]:
        """Every passage with its two scores (in the passages' order)."""
        lexical, dense = self.scores(text, vector)
        return [
            Scored(p, float(lex), float(cos))
            for p, lex, cos in zip(self.passages, lexical, dense, strict=True)
        ]

    def scores(
        self, text: str, vector: numpy.ndarray | None = None
    ) -> tuple[numpy.ndarray, numpy.ndarray]:
        """``search``'s two scores as arrays in the passages' order: lexical, meaning."""
        query = tokens(text)
        lexical = numpy.zeros(len(self.passages))
        if query:  # a word no passage has adds nothing
            lexical = numpy.sum([self._term_scores(term) for term in query], axis=0)
            top = lexical.max() if len(lexical) else 0.0
            lexical = lexical / top if top > 0 else lexical
        dense = numpy.zeros(len(self.passages))
        encoding = self._encoding is not None and self._encoding.is_alive()
        if vector is not None and not encoding:
            dense = self._meaning(vector)
        return lexical, dense


_cache: tuple[Content | None, Index | None] = (None, None)
_lock = threading.Lock()


def index_of(content: Content) -> Index:
    global _cache
    with _lock:
        if _cache[0] is content and _cache[1] is not None:
            return _cache[1]
        index = Index(passages_of(content))
        _cache = (content, index)
        return index
