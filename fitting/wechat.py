"""WeChat's limits, and an answer made into what a WeChat follower reads.

WeChat has no buttons in a text: every reply's buttons become a numbered list
(``text.numbered``) answered with a digit, and all the replies of one answer go in
one text. An answer ready within the channel's deadline is the passive reply: one
text of at most 2,048 bytes of UTF-8, cut with "…" (the rest is not sent). A later
answer goes through the customer-service message API, in as many messages of 2,048
bytes as it needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from fitting import text
from fitting.text import ELLIPSIS

PASSIVE_LIMIT = 2048  # bytes of UTF-8 in a passive reply's text
SENT_LIMIT = 2048  # and in one customer-service message
HINT_PHRASE = "choose_by_number"  # content/phrases.yml: how to choose, after a numbered list


def one_text(replies: Sequence[text.HasReply], hint: str) -> tuple[str, list[str]]:
    """Every reply in one text, buttons numbered, then ``hint`` (how to choose);
    and the payloads in the order of their numbers."""
    return text.numbered(replies, hint)


def passive_reply(whole: str) -> str:
    """The HTTP answer's text: ``whole``, or its first piece and "…" within 2,048 bytes."""
    return text.cut(whole, PASSIVE_LIMIT, text.utf8_bytes, ELLIPSIS)


def sent_messages(whole: str) -> list[str]:
    """The customer-service messages that carry ``whole``, each within 2,048 bytes."""
    return text.split(whole, SENT_LIMIT, text.utf8_bytes)
