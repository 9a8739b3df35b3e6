"""The benchmark's Telegram load times each message to its own answer (no model: Rasa stood in)."""

from __future__ import annotations

import asyncio

from benchmarks import load
from testkit.rasa import RecordingRasa
from testkit.telegram_harness import RunningBot

RASA_SECONDS = 0.05


def _offers_in_two_messages(text: str, metadata: dict) -> list[dict]:
    """As the real assistant answers "any offers": two messages; one for anything else."""
    if text == "any offers":
        return [{"text": "Offres du moment :"}, {"text": "Forfait Bauges -10 %"}]
    return [{"text": "OK"}]


def test_a_closed_loop_times_every_message_to_its_own_answer(bot_api, settings):
    bot = RunningBot(bot_api, "http://127.0.0.1:9", settings, "load-two-messages", 1000, False)
    bot.assistant.rasa = RecordingRasa(_offers_in_two_messages, delay=RASA_SECONDS)
    bot.start()
    try:

        async def run() -> load.Result:
            async with load.TelegramTarget(bot_api, 7_000, bot.answered_listeners) as target:
                return await load.closed_loop(target, 1, len(load.MESSAGES), "two")

        result = asyncio.run(run())
    finally:
        bot.stop()
    # Every message waited for Rasa: none was answered by the previous one's second message.
    assert min(result.latencies_ms) >= RASA_SECONDS * 1000
    assert len(bot_api.sent(7_000)) == len(load.MESSAGES) + 1
