"""E-mail addresses and phone numbers out of what staff see and export.

Applied when turns are imported (the review database never holds them) and
again when showing or exporting, so a row written by another path is masked
too. Dates ("2026-11-29", "15/03/2027"), prices and short numbers (the 12306
booking line) are left alone: a phone number has 8 to 15 digits.
"""

from __future__ import annotations

import re

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[phone]"

_EMAIL = re.compile(r"[\w.+%-]+\s?[@＠]\s?[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}", re.UNICODE)
_PHONE_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9_.,/+])(?:\+|00)?\(?\d[\d \u00a0().\-]{6,}\d(?![A-Za-z0-9_/])"
)
_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")
_DECIMAL = re.compile(r"^\d+\.\d{1,2}$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[ \u00a0.]\d{3})+$")  # 100 000 000


def mask(text: str) -> str:
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE_CANDIDATE.sub(_phone_or_same, text)


def _phone_or_same(match: re.Match[str]) -> str:
    found = match.group(0)
    stripped = found.strip()
    digits = sum(c.isdigit() for c in found)
    if (
        _DATE.match(stripped)
        or _DECIMAL.match(stripped)
        or _THOUSANDS.match(stripped)
        or not 8 <= digits <= 15
    ):
        return found
    return PHONE_MASK
