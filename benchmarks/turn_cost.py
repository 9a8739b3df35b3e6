"""What one tourist's turn costs the running assistant, in a few minutes.

``python -m benchmarks.turn_cost`` measures, without the rest of ``make
benchmark`` (45 minutes):

- one chat alone, straight to Rasa's REST channel (Rasa, the action server's
  answer with the ranking of the content's passages, and back): p50 and p95 of
  60 messages, after a warm-up (target: p50 under 30 ms);
- ``python -m bot run`` as ``make run`` starts it (benchmarks/cost.py): the
  time from the command to the first answer, each process's resident memory
  after a warm-up and at its peak, and a content edit's time to a tourist.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import replace
from pathlib import Path

import settings as settings_module
from benchmarks import cost, load
from benchmarks.targets import TARGETS, verdict
from bot.services import Services, train
from rasa_extensions.command import latest_model
from testkit.fake_bot_api import FakeBotApi


async def _one_chat(rasa_url: str, messages: int) -> dict[str, float]:
    async with load.RestTarget(rasa_url) as target:
        await load.closed_loop(target, 2, 2, "warm")  # the model's lazy parts
        return load.summary(await load.closed_loop(target, 1, messages, "alone"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=60, help="messages of the one chat")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = replace(settings_module.from_environment(), var_dir=work / "var", rasa_url="")
        model = latest_model(settings.models_dir) or train(settings)
        with Services(settings, model) as services:
            alone = asyncio.run(_one_chat(services.rasa_url, args.messages))
        print(
            f"one chat alone, straight to Rasa ({alone['n']:.0f} messages): p50 "
            f"{alone['p50']:.0f} ms, p95 {alone['p95']:.0f} ms (target p50 30 ms: "
            f"{verdict(alone['p50'], TARGETS['alone_p50_ms'], False)})"
        )
        api = FakeBotApi().start()
        try:
            measured = cost.measure(api, work / "run")
        finally:
            api.stop()
    print(f"bot run, from the command to the first answer: {measured.first_answer_s:.1f} s")
    for name, warm in measured.rss_after_warmup_mb.items():
        print(f"  {name}: {warm} MB after warm-up, {measured.rss_peak_mb.get(name, 0)} MB at peak")
    print(f"a content edit, from saving to a tourist reading it: {measured.content_edit_s:.1f} s")


if __name__ == "__main__":
    main()
