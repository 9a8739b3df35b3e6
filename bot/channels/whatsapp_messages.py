"""WhatsApp Cloud API webhook deliveries read (the replies are written as Graph API
messages by ``fitting/whatsapp.py``).

A delivery (``{"object": "whatsapp_business_account", "entry": [...]}``) batches
entries, each with changes; a change of field ``messages`` carries ``contacts``,
``messages`` (what tourists sent) and ``statuses`` (what became of what the
assistant sent: sent, delivered, read, failed). Anything else, and anything
malformed, is skipped: :func:`parse` never raises, whatever the bytes.

Who wrote: the phone number (``wa_id``, also the message's ``from``) when Meta
shares it, else the business-scoped user id (BSUID, ``user_id`` of the contact,
``from_user_id`` of the message) that WhatsApp gives users who hide their number
behind a username. The channel keys the user by that id and answers to the
same address (``to`` a phone number, ``recipient`` a BSUID).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

TEXT = "text"
BUTTON = "button"  # an interactive reply: its id is the payload
WELCOME = "request_welcome"  # the tourist opened the chat for the first time
SYSTEM = "system"  # WhatsApp's own notice (the user changed number): not answered


@dataclass
class Incoming:
    """One message of a tourist, as the channel needs it."""

    message_id: str
    user: str  # wa_id, or the BSUID when the phone number is not shared
    address: dict[str, str]  # {"to": wa_id} or {"recipient": BSUID}
    kind: str  # TEXT, BUTTON, or WhatsApp's type (image, audio, location...)
    text: str = ""  # the text, or the button's id

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> Incoming | None:
        try:
            data = json.loads(raw)
            return cls(**{k: data[k] for k in ("message_id", "user", "address", "kind", "text")})
        except (ValueError, TypeError, KeyError):
            return None


@dataclass
class Status:
    message_id: str  # the wamid of a message the assistant sent
    status: str  # sent | delivered | read | failed
    errors: list[int] = field(default_factory=list)


@dataclass
class Delivery:
    messages: list[Incoming] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)


def parse(body: bytes) -> Delivery:
    """Every message and status of a webhook delivery; what cannot be read is skipped."""
    delivery = Delivery()
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return delivery
    for entry in _dicts(_get(data, "entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict) or change.get("field", "messages") != "messages":
                continue  # echoes, history, account updates: not tourists writing
            contacts = list(_dicts(value.get("contacts")))
            for message in _dicts(value.get("messages")):
                incoming = _incoming(message, contacts)
                if incoming is not None:
                    delivery.messages.append(incoming)
            for status in _dicts(value.get("statuses")):
                read = _status(status)
                if read is not None:
                    delivery.statuses.append(read)
    return delivery


def _incoming(message: dict, contacts: list[dict]) -> Incoming | None:
    message_id = _text(message.get("id"))
    if not message_id:
        return None
    phone = _text(message.get("from"))
    bsuid = _text(message.get("from_user_id"))
    contact = _contact_of(contacts, phone, bsuid)
    phone = phone or _text(contact.get("wa_id"))
    bsuid = bsuid or _text(contact.get("user_id"))
    if phone:
        user, address = phone, {"to": phone}
    elif bsuid:
        user, address = bsuid, {"recipient": bsuid}
    else:
        return None
    kind = _text(message.get("type")) or "unsupported"
    if kind == "text":
        return Incoming(message_id, user, address, TEXT, _text(_get(message.get("text"), "body")))
    if kind == "interactive":
        interactive = message.get("interactive")
        for reply_kind in ("button_reply", "list_reply"):
            reply_id = _text(_get(_get(interactive, reply_kind), "id"))
            if reply_id:
                return Incoming(message_id, user, address, BUTTON, reply_id)
        return Incoming(message_id, user, address, "interactive")
    if kind == "button":  # a quick-reply button of a template message
        payload = _text(_get(message.get("button"), "payload"))
        if payload:
            return Incoming(message_id, user, address, BUTTON, payload)
    return Incoming(message_id, user, address, kind[:40])


def _contact_of(contacts: list[dict], phone: str, bsuid: str) -> dict:
    for contact in contacts:
        if (phone and contact.get("wa_id") == phone) or (bsuid and contact.get("user_id") == bsuid):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _status(status: dict) -> Status | None:
    message_id, state = _text(status.get("id")), _text(status.get("status"))
    if not message_id or not state:
        return None
    codes = []
    for error in _dicts(status.get("errors")):
        code = error.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            codes.append(code)
        elif isinstance(code, str) and code.isdigit():
            codes.append(int(code))
    return Status(message_id, state, codes)


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _dicts(value: Any):
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
