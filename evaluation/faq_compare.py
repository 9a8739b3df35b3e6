"""Which answers FAQ questions more correctly: matching without training, or Rasa?

    python -m evaluation.faq_compare [--skip-rasa] [--keep DIR]

(a) ``actions/faq.py``: character n-gram similarity to the ways of asking of
    content/faq.yml, no training. Measured alone (the matcher), and as the
    assistant uses it (``faq.decide``): the project's NLU model picks the
    intent, with ``faq`` among them (its examples generated from
    content/faq.yml by rasa_extensions/faq_importer.py); faq, out_of_scope
    and nlu_fallback take the best entry at ``faq.THRESHOLDS``, place
    questions (ask_*) only at
    ``faq.STRONG_THRESHOLD``. Also measured with a model trained from nlu/
    alone (no faq intent), as the assistant was before the importer.
(b) Rasa retrieval intents: a ``faq/<id>`` intent per entry generated from
    the same ways of asking, added to a copy of nlu/, and a ResponseSelector
    added to a copy of config.yml; the answer is the selected response when
    the model says ``faq``.

Both are scored on tests/faq_heldout.yml: paraphrases per entry and
language (right entry = correct) and questions that must get no FAQ entry
(any entry = false match). The thresholds are chosen first, without the
held-out set: leave-one-out on the FAQ's own ways of asking against the
out_of_scope examples of nlu/ (THRESHOLDS, per language), the place-question
examples (STRONG_THRESHOLD, PLACE_THRESHOLD).
Figures: docs/faq.md.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

import curated.nlu_examples
from actions import answers, faq
from curated.content import Content, load
from curated.entries import FaqEntry
from language import LANGUAGES
from language.names import synonyms
from language.text import fold
from rasa_extensions import command as rasa_command

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "faq_heldout.yml"
PLACE_INTENTS = faq.PLACE_INTENTS
PLACE_COST = 0.1
GRID = [round(0.10 + 0.05 * i, 2) for i in range(17)]  # 0.10 .. 0.90

Answerer = Callable[[str, str], str | None]  # (text, language) -> FAQ id or None


@dataclass(frozen=True)
class PlaceThresholdChoice:
    """``choose_place_threshold``: per threshold of GRID (threshold, ways of
    asking answered right, place-question examples taken over)."""

    rows: list[tuple[float, int, int]]
    asked: int  # ways of asking of entries with a place
    examples: int  # nlu/ place-question examples about such a place
    place_threshold: float


@dataclass(frozen=True)
class ThresholdChoice:
    """``choose_thresholds``: per language (and "all"), per threshold of GRID
    (threshold, right answers leave-one-out, out_of_scope examples answered,
    place questions answered)."""

    rows: dict[str, list[tuple[float, int, int, int]]]
    positives: int
    out_of_scope: int
    place_questions: int
    thresholds: dict[str, float]
    strong_threshold: float
    place: PlaceThresholdChoice


Outcome = tuple[int, int, int]  # right entries, wrong entries, FAQ answers to nlu/ examples


@dataclass(frozen=True)
class RoutingResult:
    """``cross_validate_routing``: the outcome with the language thresholds
    alone (``base``), per (gate, routed threshold) (``rows``), and the best
    (gate and routed threshold None: no gate)."""

    questions: int
    examples: int
    routed_to_faq: int
    nlu_routed_to_faq: int
    base: Outcome
    rows: list[tuple[float, float, int, int, int]]
    best: tuple[float | None, float | None, int, int, int]


# ---------------------------------------------------------------- data


def heldout() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """[(language, text, entry id)] that must match, [(language, text)] that must not."""
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    positives = [
        (language, text, entry)
        for entry, languages in data["faq"].items()
        for language, texts in languages.items()
        for text in texts
    ]
    negatives = [(language, text) for language, texts in data["none"].items() for text in texts]
    return positives, negatives


def nlu_examples(intents: Sequence[str]) -> list[tuple[str, str]]:
    """[(language, text)] of these intents in nlu/, annotations removed."""
    return [(language, text) for language, text, _, _ in nlu_examples_with_places(intents)]


def nlu_examples_with_places(intents: Sequence[str]) -> list[tuple[str, str, str, list[str]]]:
    """[(language, text, intent, place ids annotated)] of these intents in nlu/."""
    forms = {fold(surface): value for surface, value in synonyms().items()}

    def place_id(surface: str) -> str:
        folded = fold(surface)
        return forms.get(folded, folded.replace(" ", "_"))

    return [
        (e.language, e.text, e.intent, [place_id(p) for p in e.places])
        for e in curated.nlu_examples.examples()
        if e.intent in intents
    ]


# ---------------------------------------------------------------- thresholds, without the held-out set


def leave_one_out_contents(content: Content):
    """Each way of asking with the FAQ without it: (language, entry, question, trial content)."""
    for entry in content.faq:
        for language, questions in entry.questions.items():
            for question in questions:
                others = tuple(q for q in questions if q != question)
                trimmed = replace(entry, questions={**entry.questions, language: others})
                trial = replace(content, faq=[trimmed if e is entry else e for e in content.faq])
                yield language, entry, question, trial


def leave_one_out(content: Content) -> list[tuple[str, str, faq.Match | None]]:
    """Each way of asking, matched against the FAQ without it: (language, expected id, match)."""
    return [
        (language, entry.id, faq.best_match(trial, question, language))
        for language, entry, question, trial in leave_one_out_contents(content)
    ]


def place_of(content: Content, places: Sequence[str], intent: str) -> str | None:
    """The place the action would answer about (answers.choose_place, no conversation)."""
    mentioned = [{"value": p, "text": p} for p in places]
    return answers.choose_place(content, mentioned, [], None, intent).place_id


def choose_place_threshold(content: Content) -> PlaceThresholdChoice:
    """PLACE_THRESHOLD: the lowest that takes over at most 1 in 200 of the nlu/
    place-question examples about a place of the family of some FAQ entry's
    place (the ones the family rule can take); the hits are the ways of asking
    of entries with a place, leave-one-out, asked as place questions about it."""
    entry_places = {e.place for e in content.faq if e.place}
    examples = []
    for language, text, intent, places in nlu_examples_with_places(PLACE_INTENTS):
        place = place_of(content, places, intent)
        if any(faq.same_family(content, place, p) for p in entry_places):
            examples.append((language, text, intent, place))
    hits = dict.fromkeys(GRID, 0)
    asked = 0
    for language, entry, question, trial in leave_one_out_contents(content):
        if not entry.place:
            continue
        asked += 1
        for t in GRID:
            m = faq.decide(
                trial, question, language, "ask_overview", entry.place, place_threshold=t
            )
            hits[t] += bool(m and m.entry.id == entry.id)
    taken = {
        t: sum(
            1
            for language, text, intent, place in examples
            if faq.decide(content, text, language, intent, place, place_threshold=t)
        )
        for t in GRID
    }
    limit = len(examples) / 200
    passing = [t for t in GRID if taken[t] <= limit]
    return PlaceThresholdChoice(
        rows=[(t, hits[t], taken[t]) for t in GRID],
        asked=asked,
        examples=len(examples),
        place_threshold=min(passing) if passing else faq.STRONG_THRESHOLD,
    )


def choose_thresholds(content: Content) -> ThresholdChoice:
    """Per language: the threshold with the most right answers minus twice the
    out_of_scope examples answered (a wrong answer costs more than the generic
    "I can help with..." answer) minus a tenth of the place questions answered
    (most are answered by their intent and never reach the FAQ; the ones the
    model does not understand do); one strong threshold for place questions,
    the lowest that takes over at most 1 in 200 of them (the topics answer them);
    and the place threshold (``choose_place_threshold``)."""
    positives = leave_one_out(content)
    out_of_scope = [
        (lang, faq.best_match(content, text, lang)) for lang, text in nlu_examples(["out_of_scope"])
    ]
    place_questions = [
        (lang, faq.best_match(content, text, lang)) for lang, text in nlu_examples(PLACE_INTENTS)
    ]

    def passing(matches, t: float, language: str) -> int:
        return sum(1 for lang, m in matches if m and m.score >= t and language in (lang, "all"))

    rows: dict[str, list[tuple[float, int, int, int]]] = {}
    chosen: dict[str, float] = {}
    for language in LANGUAGES + ("all",):
        rows[language] = [
            (
                t,
                sum(
                    1
                    for lang, e, m in positives
                    if m and m.score >= t and m.entry.id == e and language in (lang, "all")
                ),
                passing(out_of_scope, t, language),
                passing(place_questions, t, language),
            )
            for t in GRID
        ]
        chosen[language] = max(
            rows[language], key=lambda r: (r[1] - 2 * r[2] - PLACE_COST * r[3], r[0])
        )[0]
    limit = len(place_questions) / 200
    strong = min((r for r in rows["all"] if r[3] <= limit), key=lambda r: r[0])[0]
    return ThresholdChoice(
        rows=rows,
        positives=len(positives),
        out_of_scope=len(out_of_scope),
        place_questions=len(place_questions),
        thresholds={language: chosen[language] for language in LANGUAGES},
        strong_threshold=strong,
        place=choose_place_threshold(content),
    )


# ---------------------------------------------------------------- scoring


def score(answer: Answerer) -> dict[str, dict[str, int]]:
    positives, negatives = heldout()
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for language, text, expected in positives:
        got = answer(text, language)
        table[language]["asked"] += 1
        table[language]["right"] += got == expected
        table[language]["wrong_entry"] += got is not None and got != expected
    for language, text in negatives:
        table[language]["unrelated"] += 1
        table[language]["false_match"] += answer(text, language) is not None
    return table


def render(name: str, table: dict[str, dict[str, int]]) -> str:
    lines = [f"{name}"]
    total: defaultdict[str, int] = defaultdict(int)
    for language in LANGUAGES + ("all",):
        row = total if language == "all" else table[language]
        if language != "all":
            for key, value in row.items():
                total[key] += value
        lines.append(
            f"  {language:>3}: {row['right']}/{row['asked']} right "
            f"({100 * row['right'] / max(row['asked'], 1):.0f}%), "
            f"{row['wrong_entry']} wrong entry, "
            f"{row['false_match']}/{row['unrelated']} false matches"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- Rasa


def faq_training_data(entries: Sequence[FaqEntry]) -> str:
    """Retrieval intents faq/<id> with every way of asking, and their responses."""
    nlu = []
    responses = {}
    for entry in entries:
        questions = [q for language in LANGUAGES for q in entry.questions.get(language, ())]
        nlu.append(
            {"intent": f"faq/{entry.id}", "examples": "".join(f"- {q}\n" for q in questions)}
        )
        responses[f"utter_faq/{entry.id}"] = [{"text": entry.answer["en"]}]
    return yaml.safe_dump(
        {"version": "3.1", "nlu": nlu, "responses": responses}, allow_unicode=True, sort_keys=False
    )


def project_config() -> str:
    return (ROOT / "config.yml").read_text(encoding="utf-8")


def config_without_faq_intent() -> str:
    """config.yml without its importer: the classifier never sees the FAQ."""
    config = yaml.safe_load(project_config())
    config.pop("importers", None)
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def config_with_response_selector() -> str:
    """config.yml without its importer, with a ResponseSelector for ``faq``."""
    config = yaml.safe_load(config_without_faq_intent())
    pipeline = config["pipeline"]
    gazetteer = next(
        i for i, c in enumerate(pipeline) if c["name"].endswith("GazetteerEntityExtractor")
    )
    pipeline.insert(
        gazetteer,
        {"name": "ResponseSelector", "retrieval_intent": "faq", "epochs": 100, "random_seed": 42},
    )
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def train(workdir: Path, name: str, config: str, extra_data: str | None) -> Path:
    model = workdir / f"{name}.tar.gz"
    if model.exists():  # --keep DIR a second time: measure again without training
        return model
    data = workdir / f"{name}-nlu"
    for path in (ROOT / "nlu").rglob("*.yml"):
        target = data / path.relative_to(ROOT / "nlu")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    if extra_data:
        (data / "faq.yml").write_text(extra_data, encoding="utf-8")
    (workdir / f"{name}-config.yml").write_text(config, encoding="utf-8")
    return train_nlu(workdir / f"{name}-config.yml", data, workdir, name)


def train_nlu(config: Path, nlu_dir: Path, workdir: Path, name: str) -> Path:
    """``rasa train nlu`` into workdir/<name>.tar.gz, from the project folder
    (the importer's content_dir is relative to it), cache in workdir."""
    print(f"training {name} ({config.name}, {nlu_dir.name})...", file=sys.stderr)
    return rasa_command.train_nlu(config, nlu_dir, workdir, name).model


def parser(model: Path) -> Callable[[str], dict]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    agent = Agent.load(str(model))
    configure_structlog(logging.WARNING)  # not one debug line per message parsed
    loop = asyncio.new_event_loop()
    cache: dict[str, dict] = {}

    def parse(text: str) -> dict:
        if text not in cache:
            cache[text] = loop.run_until_complete(agent.parse_message(text))
        return cache[text]

    return parse


def rasa_answerer(parse: Callable[[str], dict]) -> Answerer:
    def answer(text: str, language: str) -> str | None:
        result = parse(text)
        if (result.get("intent") or {}).get("name") != "faq":
            return None
        selected = (result.get("response_selector") or {}).get("faq", {}).get("response", {})
        key = selected.get("intent_response_key") or ""
        return key.split("/", 1)[1] if "/" in key else None

    return answer


def assistant_answerer(
    content: Content,
    parse: Callable[[str], dict],
    strong: float | None = None,
    place_threshold: float | None = None,
) -> Answerer:
    """What actions.py does (faq.decide), with the intent and place entities of the model."""

    def answer(text: str, language: str) -> str | None:
        result = parse(text)
        intent = (result.get("intent") or {}).get("name")
        confidence = (result.get("intent") or {}).get("confidence")
        entities = result.get("entities") or []
        mentioned = [
            {"value": str(e.get("value")), "text": text[e["start"] : e["end"]]}
            for e in entities
            if e.get("entity") == "place"
        ]
        activities = [str(e.get("value")) for e in entities if e.get("entity") == "activity"]
        place = answers.choose_place(content, mentioned, activities, None, intent or "").place_id
        match = faq.decide(
            content, text, language, intent, place, confidence=confidence,
            strong_threshold=strong, place_threshold=place_threshold,
        )  # fmt: skip
        return match.entry.id if match else None

    return answer


def matcher_answerer(content: Content) -> Answerer:
    def answer(text: str, language: str) -> str | None:
        match = faq.answer_for(content, text, language)
        return match.entry.id if match else None

    return answer


# ---------------------------------------------------------------- a lower threshold when the model says faq?

FOLDS = 4
GATES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)  # the model's confidence in faq at or above
ROUTED = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)  # then the entry's score at or above


def _fold_files(workdir: Path, part: int, examples, questions) -> tuple[Path, Path, Path]:
    """nlu/ and content/ without this part's examples and ways of asking, and
    a config.yml whose importer reads that content: (config, nlu dir, content dir)."""
    here = workdir / f"fold{part}"
    held = {(e.path, e.raw) for i, e in enumerate(examples) if i % FOLDS == part}
    for path in sorted((ROOT / "nlu").glob("*/*.yml")):
        kept = [
            line for line in path.read_text(encoding="utf-8").splitlines()
            if not (line.strip().startswith("- ") and (path, line.strip()[2:].strip()) in held)
        ]  # fmt: skip
        target = here / "nlu" / path.relative_to(ROOT / "nlu")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    content_dir = Path(shutil.copytree(ROOT / "content", here / "content"))
    asked = {(q[0], q[1]) for i, q in enumerate(questions) if i % FOLDS == part}
    data = yaml.safe_load((content_dir / "faq.yml").read_text(encoding="utf-8"))
    for entry in data["faq"]:
        for language, texts in entry["questions"].items():
            entry["questions"][language] = [t for t in texts if (language, t) not in asked]
    (content_dir / "faq.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = yaml.safe_load(project_config())
    config["importers"][0]["content_dir"] = str(content_dir)
    (here / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return here / "config.yml", here / "nlu", content_dir


def cross_validate_routing(workdir: Path) -> RoutingResult:
    """Whether a message the model calls ``faq`` with high confidence should
    take the best entry at a lower score than the language's THRESHOLDS.
    Training data only: 4 folds over nlu/ and the FAQ's ways of asking; each
    part's model is trained without them (FAQ questions removed from a copy
    of content/ too) and predicts them. Scored as most right entries minus
    twice the wrong entries and twice the FAQ answers given to nlu/ examples
    (which are not FAQ questions)."""
    content = load(ROOT / "content")
    examples = list(curated.nlu_examples.examples())
    questions = [
        (lang, q, e.id) for e in content.faq for lang, qs in e.questions.items() for q in qs
    ]
    # (expected entry or None, language, intent, confidence, best entry, score)
    seen: list[tuple[str | None, str, str, float, str | None, float]] = []
    for part in range(FOLDS):
        config, nlu_dir, content_dir = _fold_files(workdir, part, examples, questions)
        model = train_nlu(config, nlu_dir, workdir, f"fold{part}")
        parse, part_content = parser(model), load(content_dir)
        asked: list[tuple[str | None, str, str]] = [
            (None, e.language, e.text) for i, e in enumerate(examples) if i % FOLDS == part
        ]
        asked += [
            (entry, lang, q) for i, (lang, q, entry) in enumerate(questions) if i % FOLDS == part
        ]
        for expected, language, text in asked:
            intent = parse(text)["intent"]
            match = faq.best_match(part_content, text, language)
            seen.append(
                (expected, language, intent["name"], intent["confidence"],
                 match.entry.id if match else None, match.score if match else 0.0)
            )  # fmt: skip

    def outcome(gate: float, routed: float) -> Outcome:
        right = wrong = false = 0
        for expected, language, intent, confidence, entry, score in seen:
            if intent != faq.FAQ_INTENT:
                continue  # other intents are not changed by this rule
            threshold = faq.faq_threshold(language, intent, confidence, gate, routed)
            answered = entry if score >= threshold else None
            if expected is None:
                false += answered is not None
            else:
                right += answered == expected
                wrong += answered is not None and answered != expected
        return right, wrong, false

    rows = [(g, t, *outcome(g, t)) for g in GATES for t in ROUTED]
    base = outcome(2.0, 1.0)  # no gate: THRESHOLDS as in use
    candidates: list[tuple[float | None, float | None, int, int, int]] = [
        (None, None, *base),
        *rows,
    ]
    return RoutingResult(
        questions=len(questions),
        examples=len(examples),
        routed_to_faq=sum(1 for s in seen if s[0] is not None and s[2] == faq.FAQ_INTENT),
        nlu_routed_to_faq=sum(1 for s in seen if s[0] is None and s[2] == faq.FAQ_INTENT),
        base=base,
        rows=rows,
        # Among equals: no gate, else the highest gate and threshold (the fewest changes).
        best=max(
            candidates,
            key=lambda r: (r[2] - 2 * r[3] - 2 * r[4], r[0] is None, r[0] or 0, r[1] or 0),
        ),
    )


def print_cross_validation(result: RoutingResult) -> None:
    print(
        f"Lower threshold when the model says faq? {FOLDS}-fold cross-validation on training data "
        f"({result.questions} ways of asking, {result.examples} nlu/ examples): "
        f"{result.routed_to_faq} ways of asking and {result.nlu_routed_to_faq} nlu/ examples "
        "were called faq by the model trained without them."
    )
    right, wrong, false = result.base
    print(
        f"  language thresholds only (no gate): {right} right, {wrong} wrong entry, {false} FAQ answers to nlu/ examples"
    )
    print("  gate  routed  right  wrong  false  score (right - 2 wrong - 2 false)")
    for gate, routed, right, wrong, false in result.rows:
        print(
            f"  {gate:4.2f}  {routed:6.2f}  {right:5d}  {wrong:5d}  {false:5d}  {right - 2 * wrong - 2 * false:5d}"
        )
    best_gate, best_routed, *_ = result.best
    print(
        f"  best: {'the language thresholds (no gate)' if best_gate is None else f'gate {best_gate}, routed {best_routed}'}"
        f" (in use: gate {faq.ROUTED_CONFIDENCE}, routed {faq.ROUTED_THRESHOLD})"
    )


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(prog="python -m evaluation.faq_compare")
    arguments.add_argument("--skip-rasa", action="store_true", help="only the matching")
    arguments.add_argument("--keep", help="train in this folder and keep it")
    arguments.add_argument(
        "--cross-validate",
        action="store_true",
        help="also test a lower threshold for confident faq predictions (4 more trainings)",
    )
    args = arguments.parse_args(argv)
    content = load(ROOT / "content")
    if content.problems:
        print("content/ has problems: run python -m curated.validate", file=sys.stderr)
        return 1

    chosen = choose_thresholds(content)
    print(
        f"Thresholds, chosen without the held-out set ({chosen.positives} ways of asking, "
        f"leave-one-out; {chosen.out_of_scope} out_of_scope and "
        f"{chosen.place_questions} place-question examples of nlu/):"
    )
    for language in LANGUAGES:
        print(f"  {language}: threshold  right(LOO)  out_of_scope>=t  place_questions>=t")
        for t, right, oos, places in chosen.rows[language]:
            print(f"      {t:9.2f}  {right:10d}  {oos:15d}  {places:18d}")
    print(
        f"  chosen: {chosen.thresholds} (in use: {faq.THRESHOLDS}); strong threshold for "
        f"place questions: {chosen.strong_threshold} (in use: {faq.STRONG_THRESHOLD})"
    )
    place = chosen.place
    print(
        f"Place threshold (place question, entry's place of the family of the place asked): "
        f"{place.asked} ways of asking of entries with a place (leave-one-out) and "
        f"{place.examples} nlu/ place-question examples about such a place:"
    )
    print("      threshold  right(LOO)  examples taken over (limit 1 in 200)")
    for t, right, taken in place.rows:
        print(f"      {t:9.2f}  {right:10d}  {taken:8d}")
    print(f"  chosen: {place.place_threshold} (in use: {faq.PLACE_THRESHOLD})")
    print()
    print(
        render(
            f"(a) matching alone, thresholds {faq.THRESHOLDS}, held-out",
            score(matcher_answerer(content)),
        )
    )
    if args.skip_rasa:
        return 0

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="faq-compare-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        project = train(workdir, "project", project_config(), None)
        before = train(workdir, "before", config_without_faq_intent(), None)
        selector = train(
            workdir, "selector", config_with_response_selector(), faq_training_data(content.faq)
        )
        print()
        print(
            render(
                "(a) in the assistant: project NLU model (faq intent generated from "
                f"content/faq.yml) + faq.decide (faq/out_of_scope/nlu_fallback: "
                f"{faq.THRESHOLDS}; place questions >= "
                f"{faq.STRONG_THRESHOLD}, or >= {faq.PLACE_THRESHOLD} about the entry's place family)",
                score(assistant_answerer(content, parser(project))),
            )
        )
        print()
        print(
            render(
                "(a) as before: the model trained from nlu/ alone (no faq intent) + faq.decide",
                score(assistant_answerer(content, parser(before))),
            )
        )
        print()
        print(
            render(
                "(b) Rasa retrieval intents + ResponseSelector, held-out",
                score(rasa_answerer(parser(selector))),
            )
        )
        if args.cross_validate:
            print()
            print_cross_validation(cross_validate_routing(workdir / "cross-validation"))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
