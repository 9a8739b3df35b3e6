"""Chat with the assistant in a terminal, as a tourist would on a messaging app.

Type a question in French, Chinese or English; type the number of a button to
press it; Ctrl-D or Ctrl-C to leave.
"""

from __future__ import annotations

import asyncio
import sys

from bot.core.assistant import Assistant

CHANNEL = "terminal"


async def chat(assistant: Assistant, user_id: str = "terminal-user") -> None:
    buttons: list[dict[str, str]] = []
    print("Mont Blanc – Great Wall assistant. Ask in français, 中文 or English. (Ctrl-D to quit)\n")
    while True:
        try:
            line = await asyncio.to_thread(input, "> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        choice = line.strip()
        if choice.isdigit() and 1 <= int(choice) <= len(buttons):
            line = buttons[int(choice) - 1]["payload"]
        answer = await assistant.handle(CHANNEL, user_id, line)
        buttons = []
        for reply in answer.replies:
            print(reply.text)
            for button in reply.buttons:
                buttons.append(button)
                print(f"  [{len(buttons)}] {button['title']}")
        print()
        sys.stdout.flush()
