"""Language choice on short messages: the project's decision against raw langdetect.

    python -m evaluation.language

Data: the held-out tourist messages (tests/nlu_heldout, requests to switch
language left out, since they are answered in the language asked for) and,
when ../shared/eval/lid is beside the project, short general web texts from
the lingua project's test data.
"""

from __future__ import annotations

from collections.abc import Callable

from evaluation import heldout
from language import LANGUAGES
from language import decision as language

LID = heldout.ROOT.parent / "shared" / "eval" / "lid"

Sample = tuple[str, str]  # (text, language)


def tourist_messages() -> list[Sample]:
    return [
        (e.text, lang)
        for lang, examples in heldout.load_all().items()
        for e in examples
        if e.intent != "change_language"
    ]


def lid_file(kind: str, limit: int | None = None) -> list[Sample]:
    """The texts of one kind in every language; the first ``limit`` of each when given."""
    samples = []
    for lang in LANGUAGES:
        path = LID / f"{kind}.{lang}.txt"
        if path.exists():
            lines = [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
            samples += [(line, lang) for line in lines[:limit]]
    return samples


def raw_langdetect() -> Callable[[str], str]:
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0

    def guess(text: str) -> str:
        try:
            code = detect(text)
        except Exception:
            return "?"
        return "zh" if code.startswith("zh") else code

    return guess


def accuracy(samples: list[Sample], guess: Callable[[str, str], str]) -> float:
    return (
        sum(guess(text, lang) == lang for text, lang in samples) / len(samples)
        if samples
        else float("nan")
    )


def measure(
    extra: dict[str, Callable[[str], str]] | None = None, limit: int | None = None
) -> dict[str, dict[str, float]]:
    """Accuracy of each method on each set; ``extra`` adds detectors (name -> text -> code).

    ``limit``: at most this many texts per language of each outside set (a smoke run).
    """
    raw = raw_langdetect()
    methods: dict[str, Callable[[str, str], str]] = {
        "raw langdetect": lambda text, lang: raw(text),
        "project, new user": lambda text, lang: language.decide(text).language,
        "project, language known": lambda text, lang: language.decide(text, previous=lang).language,
        "project, other language known": lambda text, lang: (
            language.decide(text, previous="en" if lang != "en" else "fr").language
        ),
    }
    for name, detector in (extra or {}).items():
        methods[name] = _ignoring_language(detector)
    tourist = tourist_messages()
    sets: dict[str, list[Sample]] = {
        "tourist messages, 1-2 words": [s for s in tourist if _size(s) <= 2],
        "tourist messages, 3-5 words": [s for s in tourist if 3 <= _size(s) <= 5],
        "tourist messages, all": tourist,
    }
    for kind in ("single-words", "word-pairs", "sentences"):
        samples = lid_file(kind, limit)
        if samples:
            sets[f"lingua {kind}"] = samples
    return {
        name: {**{m: accuracy(samples, f) for m, f in methods.items()}, "n": len(samples)}
        for name, samples in sets.items()
    }


def _ignoring_language(detector: Callable[[str], str]) -> Callable[[str, str], str]:
    """A detector of the text alone, as a method (the language known is not used)."""
    return lambda text, lang: detector(text)


def _size(sample: Sample) -> int:
    """Words, or for Chinese, characters counted two to a word."""
    text, lang = sample
    if lang == "zh":
        return max(1, len([c for c in text if not c.isspace()]) // 2)
    return len(text.split())


def report(results: dict[str, dict[str, float]]) -> str:
    methods = [m for m in next(iter(results.values())) if m != "n"]
    lines = ["| messages | n | " + " | ".join(methods) + " |", "|---|---|" + "---|" * len(methods)]
    for name, row in results.items():
        cells = " | ".join(f"{row[m]:.1%}" for m in methods)
        lines.append(f"| {name} | {int(row['n'])} | {cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    print(report(measure()))


if __name__ == "__main__":
    main()
