"""Long messages answered question by question: how many get every answer they need.

Each case of evaluation/long_messages.yml is sent as one message, by a new
tourist, through the channel core (bot/core/assistant.py) to a running Rasa and
action server; it is fully answered when the reply holds the content's text of
each (place, topic) it expects, in the order asked and in its language.

    python -m evaluation.long_messages [--show]

Starts Rasa and the action server with the latest model (or uses RASA_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml

from rasa_extensions.command import ROOT

CASES = Path(__file__).with_name("long_messages.yml")


def verdict(case: dict, language: str, texts: list[str], content) -> str:
    """right, or what went wrong: wrong language, answer missing, order."""
    if language != case["language"]:
        return "wrong language"
    found = []
    for place_id, topic in case["expect"]:
        _, passage = content.topic(place_id, topic)
        where = [i for i, text in enumerate(texts) if passage.text[language] in text]
        if not where:
            return f"missing {place_id} {topic}"
        found.append(where[0])
    return "right" if found == sorted(found) else "out of order"


async def measure(rasa_url: str, var_dir: Path, show: bool) -> int:
    from bot.core.assistant import Assistant
    from bot.core.rasa_client import RasaClient
    from bot.core.user_memory import UserMemory
    from curated.content import load
    from curated.live import LiveContent

    content = load(ROOT / "content")
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    rasa = RasaClient(rasa_url, timeout=60.0)
    memory = UserMemory(var_dir / "bot.db")
    assistant = Assistant(rasa, memory, b"evaluation", LiveContent(ROOT / "content"))
    right = 0
    per_language: dict[str, list[int]] = {}
    try:
        for number, case in enumerate(cases):
            answer = await assistant.handle("evaluation", f"long-{number}", case["text"])
            texts = [r.text for r in answer.replies]
            outcome = verdict(case, answer.language, texts, content)
            right += outcome == "right"
            counts = per_language.setdefault(case["language"], [0, 0])
            counts[0] += outcome == "right"
            counts[1] += 1
            if show and outcome != "right":
                print(f"\n[{outcome}] {case['text']}")
                for text in texts:
                    print("  > " + text.replace("\n", " ")[:160])
    finally:
        await rasa.close()
        memory.close()
    for language, (good, total) in per_language.items():
        print(f"{language}: {good} of {total} fully answered")
    print(f"all: {right} of {len(cases)} fully answered")
    return 0


def main(argv: list[str] | None = None) -> int:
    import settings as settings_module
    from bot import services

    parser = argparse.ArgumentParser(
        prog="python -m evaluation.long_messages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--show", action="store_true", help="print each case not fully answered")
    args = parser.parse_args(argv)
    base = settings_module.from_environment()
    with tempfile.TemporaryDirectory() as folder:
        var_dir = Path(folder)
        if base.rasa_url:
            return asyncio.run(measure(base.rasa_url, var_dir, args.show))
        settings = replace(base, var_dir=var_dir)
        with services.Services(settings, services.train(settings)) as running:
            return asyncio.run(measure(running.rasa_url, var_dir, args.show))


if __name__ == "__main__":
    sys.exit(main())
