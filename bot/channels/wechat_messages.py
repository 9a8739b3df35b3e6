"""The XML WeChat posts to the callback, read safely, and the XML of a passive reply.

A message is one ``<xml>`` element whose children are the fields
(``ToUserName``, ``FromUserName``, ``CreateTime``, ``MsgType``, ``Content``,
``MsgId``, ``Event``, ``EventKey``, ``Recognition``...). The parser is expat
with every dangerous part of XML refused rather than handled: a DOCTYPE, an
entity declaration or any entity other than the five predefined ones ends the
parse (so no "billion laughs", no external entity), and so does a body over
MAX_BODY bytes. Whatever the bytes, :func:`parse` returns the fields or raises
:class:`MessageError`, never anything else.
"""

from __future__ import annotations

import time
import xml.parsers.expat
from typing import NoReturn

MAX_BODY = 64 * 1024  # a real message is under 2 KB; an encrypted one a little more
MAX_FIELDS = 64


class MessageError(ValueError):
    """Not a message WeChat sends: refuse it without more work."""


class _Refused(Exception):
    pass


def parse(body: bytes) -> dict[str, str]:
    """The fields of the message (the direct children of ``<xml>``, as text)."""
    if len(body) > MAX_BODY:
        raise MessageError(f"body over {MAX_BODY} bytes")
    fields: dict[str, str] = {}
    path: list[str] = []
    text: list[str] = []

    def refuse(*_args: object) -> NoReturn:
        raise _Refused("DOCTYPE or entity")

    def start(name: str, _attributes: object) -> None:
        path.append(name)
        if len(path) == 1 and name != "xml":
            raise _Refused("not a WeChat message")
        if len(path) == 2:
            text.clear()
        if len(path) > 8:
            raise _Refused("nested too deep")

    def end(name: str) -> None:
        if len(path) == 2:
            if len(fields) >= MAX_FIELDS:
                raise _Refused("too many fields")
            fields[name] = "".join(text).strip()
        path.pop()

    def characters(data: str) -> None:
        if len(path) == 2:
            text.append(data)

    parser = xml.parsers.expat.ParserCreate(encoding="utf-8")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SkippedEntityHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(body, True)
    except (_Refused, xml.parsers.expat.ExpatError, ValueError, RecursionError) as error:
        raise MessageError(str(error)) from None
    if not fields:
        raise MessageError("no fields")
    return fields


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: close it and open another around the ">".
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_account: str, content: str, now: float | None = None) -> str:
    """A passive reply: one text message back to the user who wrote."""
    created = int(time.time() if now is None else now)
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_account)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content></xml>"
    )


def encrypted_reply(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The envelope of a reply in safe mode."""
    return (
        f"<xml><Encrypt>{_cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{_cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
    )
