"""The Official Account's menu, created through WeChat's API (``python -m bot wechat-menu``).

WeChat allows three first-level buttons: the offers, the events, and "more"
holding the contact of a tourism office and the language menu. Names come from
content/phrases.yml (``wechat_menu_*``), in Chinese: most followers are
Chinese, and a menu has one language for everyone. The keys are those the
channel answers (``wechat.MENU_PAYLOADS``, ``wechat.LANGUAGE_KEY``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.channels.wechat import LANGUAGE_KEY

FIRST_LEVEL_BYTES = 16  # WeChat's limits on a button's name
SECOND_LEVEL_BYTES = 60


class MenuError(ValueError):
    """A name too long for WeChat: the message names the phrase to shorten."""


def menu(phrase: Callable[[str], str]) -> dict[str, Any]:
    """The menu as WeChat's /cgi-bin/menu/create takes it; ``phrase(key)`` gives a name."""

    def click(key: str, phrase_key: str, limit: int) -> dict[str, str]:
        return {"type": "click", "name": _fitting(phrase, phrase_key, limit), "key": key}

    return {
        "button": [
            click("offers", "wechat_menu_offers", FIRST_LEVEL_BYTES),
            click("events", "wechat_menu_events", FIRST_LEVEL_BYTES),
            {
                "name": _fitting(phrase, "wechat_menu_more", FIRST_LEVEL_BYTES),
                "sub_button": [
                    click("contact", "wechat_menu_contact", SECOND_LEVEL_BYTES),
                    click(LANGUAGE_KEY, "wechat_menu_language", SECOND_LEVEL_BYTES),
                ],
            },
        ]
    }


def _fitting(phrase: Callable[[str], str], key: str, limit: int) -> str:
    name = phrase(key).strip()
    if not name or len(name.encode("utf-8")) > limit:
        raise MenuError(
            f"The phrase {key} in content/phrases.yml should be 1 to {limit} bytes of UTF-8 "
            f"for WeChat's menu ({limit // 3} Chinese characters), not {name!r}."
        )
    return name
