"""WeChat's signatures and its safe mode, as the Official Account platform defines them.

Every callback carries ``signature``: SHA-1 over the account's Token, the
``timestamp`` and the ``nonce``, sorted and joined. It is compared in constant
time, and a timestamp more than five minutes off is refused as a replay.

In safe mode (an EncodingAESKey is configured) the message itself is encrypted:
AES-256-CBC with the 32-byte key the 43 characters decode to (IV: its first 16
bytes), over ``16 random bytes + length (4 bytes, big-endian) + XML + AppID``,
padded PKCS#7 to a block of 32 bytes; ``msg_signature`` is the SHA-1 of the
sorted Token, timestamp, nonce and ciphertext. A message for another AppID is
refused. Replies are encrypted the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MAX_CLOCK_SKEW = 300  # seconds
BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(ValueError):
    """A signature, timestamp, ciphertext or AppID that is not right: refuse the request."""


def signature(*parts: str) -> str:
    """SHA-1 of the parts sorted and joined: ``signature`` and ``msg_signature``."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, timestamp: str, nonce: str, given: str) -> bool:
    return _same(signature(token, timestamp, nonce), given)


def fresh(timestamp: str, now: float | None = None) -> bool:
    """The timestamp is a number within MAX_CLOCK_SKEW of now."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(int(timestamp) - (time.time() if now is None else now)) <= MAX_CLOCK_SKEW


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison of a hex digest with what the request carries."""
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "replace"))


class SafeMode:
    """Encryption and decryption with one account's EncodingAESKey."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        try:
            self.key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as error:
            raise CryptoError("the EncodingAESKey is not base64") from error
        if len(self.key) != 32:
            raise CryptoError("the EncodingAESKey should decode to 32 bytes")
        self.token = token
        self.app_id = app_id

    def decrypt(self, encrypted: str, timestamp: str, nonce: str, msg_signature: str) -> str:
        """The XML of a message, after its msg_signature and AppID were checked."""
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not _same(expected, msg_signature):
            raise CryptoError("wrong msg_signature")
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as error:
            raise CryptoError("the ciphertext is not base64") from error
        if not data or len(data) % 16:
            raise CryptoError("the ciphertext is not whole AES blocks")
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or len(plain) < 20 + pad:
            raise CryptoError("wrong padding")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        xml, app_id = content[4 : 4 + length], content[4 + length :]
        if len(xml) != length:
            raise CryptoError("wrong length")
        if not hmac.compare_digest(app_id, self.app_id.encode("utf-8")):
            raise CryptoError("a message for another AppID")
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CryptoError("the message is not UTF-8") from error

    def encrypt(self, xml: str, random: bytes | None = None) -> str:
        """The base64 ciphertext of ``xml`` for this AppID."""
        body = xml.encode("utf-8")
        plain = (
            (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id.encode()
        )
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")
