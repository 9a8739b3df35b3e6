"""What the ranking of passages costs an action server (actions/ranking.py).

``python -m benchmarks.ranking_cost`` loads the project's content as the
action server does, then measures:

- the passages built from it, the lexical index (BM25) built, and their
  sentence vectors encoded from nothing, then read back from the file the
  action server keeps them in (``--vectors-dir``, language.meaning.keep_in);
- the CPU time of one ranking per message (``ranking.rank``: the search over
  every passage, the constraints, the score), on the held-out questions of
  tests/nlu_heldout and tests/faq_heldout.yml, each after a main destination
  as a follow-up would be. The message's vector is encoded beforehand: Rasa's
  featurizer makes it and sends it along, so the action never encodes it;
- a live reload: one FAQ answer edited in a copy of content/, the time from
  reading the files again to the first ranking on the new version (passages
  and BM25 index built again, only the edited texts encoded, as the action
  server does on the first question after a reload);
- the process's peak resident memory.

Budget (issue 22): 3 ms of CPU for the search per message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

from actions import ranking, retrieval
from actions.passages import passages_of
from curated.content import load
from curated.nlu_examples import file_examples, plain
from language import meaning

ROOT = Path(__file__).resolve().parent.parent
# Asked alone, or after each of these places of content/ (ids: "chamonix" is
# none, and a question after it would be held to country-wide passages).
PLACES = (None, "mont_blanc", "badaling", "bauges", "chongli")
NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.timezone.utc)
BUDGET_MS = 3.0
RELOAD_BUDGET_S = 5.0


def questions() -> list[tuple[str, str]]:
    """(text, language) of the held-out questions nobody trained on."""
    asked = [
        (plain(raw), path.stem)
        for path in sorted((ROOT / "tests" / "nlu_heldout").glob("*.yml"))
        for _intent, raw in file_examples(path)
    ]
    heldout = yaml.safe_load((ROOT / "tests" / "faq_heldout.yml").read_text(encoding="utf-8"))
    for by_language in heldout["faq"].values():
        for language, texts in by_language.items():
            asked += [(text, language) for text in texts]
    return asked


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="at most this many questions")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    content = load(ROOT / "content")
    print(f"content loaded in {time.perf_counter() - started:.2f} s")
    started = time.process_time()
    passages = passages_of(content)
    index = retrieval.Index(passages)
    print(f"{len(passages)} passages, BM25 index built: {_ms(started):.0f} ms of CPU")

    with tempfile.TemporaryDirectory() as kept:
        meaning.encoder()  # the encoder's own loading is Rasa's too, not the search's
        meaning.keep_in(Path(kept))
        started = time.perf_counter()
        vectors = index.vectors()
        texts = sum(len(v) for v in vectors)
        print(f"{texts} texts encoded from nothing in {time.perf_counter() - started:.1f} s")
        meaning._known.clear()
        started = time.perf_counter()
        meaning.keep_in(Path(kept))
        retrieval.Index(passages).vectors()
        print(f"the same read back from the kept file in {time.perf_counter() - started:.2f} s")
        print(
            f"live reload (files read, passages, index, edited texts encoded, first ranking): "
            f"{live_reload():.2f} s (budget {RELOAD_BUDGET_S:.0f} s)"
        )

    asked = questions()[: args.limit or None]
    encoded = meaning.encode([text for text, _ in asked])
    first: list[float] = []  # the text's first ranking: its words' scores not kept yet
    repeated: list[float] = []  # the same words after another place
    for (text, language), vector in zip(asked, encoded, strict=True):
        for place in PLACES:
            question = ranking.Question(text, language, place=place, vector=vector)
            before = time.process_time()
            ranking.rank(content, question, NOW)
            (repeated if place else first).append((time.process_time() - before) * 1000)
    for name, cpu in (("first ask of a text", first), ("asked again after a place", repeated)):
        cpu.sort()
        p50, p95 = statistics.median(cpu), cpu[int(len(cpu) * 0.95)]
        print(
            f"ranking, {name} ({len(cpu)}): CPU per message p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
            f"mean {statistics.mean(cpu):.2f} ms (budget {BUDGET_MS:.0f} ms: "
            f"{'met' if p50 <= BUDGET_MS else 'missed'} at the median)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")


def live_reload() -> float:
    """Seconds from reading content/ again, one FAQ answer edited, to the first
    ranking on it: what the first question after an editor's save waits for."""
    with tempfile.TemporaryDirectory() as copy:
        edited = Path(copy) / "content"
        shutil.copytree(ROOT / "content", edited)
        path = edited / "faq_mont_blanc.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["faq"][0]["answer"]["en"] += " Edited for the benchmark."
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        question = ranking.Question("Can I bring my dog?", "en", place="mont_blanc")
        question = replace(question, vector=meaning.encode([question.text])[0])  # Rasa's
        started = time.perf_counter()
        ranking.rank(load(edited), question, NOW)
        return time.perf_counter() - started


def _ms(started: float) -> float:
    return (time.process_time() - started) * 1000


if __name__ == "__main__":
    main()
