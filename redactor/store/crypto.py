"""Encryption at rest of document bodies (the original file and its extracted text), with Fernet.

The key comes from ``Store.open(key=...)`` or the environment variable ``MARAC_REDACT_KEY``. Several
comma-separated keys are accepted to rotate: the first encrypts, any of them decrypts. Without a key
bodies are stored plain and ``Store.encrypted`` is False, so the app can warn.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from redactor.errors import KeyMissingError, StoreError

KEY_ENV = "MARAC_REDACT_KEY"


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class BodyCipher:
    def __init__(self, key: str | bytes | None = None) -> None:
        raw = key if key is not None else os.environ.get(KEY_ENV, "")
        text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw
        parts = [p.strip() for p in text.split(",") if p.strip()]
        try:
            self._fernet = MultiFernet([Fernet(p.encode("ascii")) for p in parts]) if parts else None
        except (ValueError, UnicodeEncodeError):
            raise StoreError(
                f"{KEY_ENV} is not a Fernet key (44 URL-safe base64 characters): make one with `marac-redact key new`"
            ) from None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def seal(self, body: bytes) -> bytes:
        return self._fernet.encrypt(body) if self._fernet else body

    def unseal(self, body: bytes, *, encrypted: bool, what: str) -> bytes:
        if not encrypted:
            return body
        if self._fernet is None:
            raise KeyMissingError(f"{what} is encrypted and no key is configured: set {KEY_ENV}")
        try:
            return self._fernet.decrypt(body)
        except InvalidToken:
            raise KeyMissingError(f"{what} cannot be decrypted with the configured key (wrong {KEY_ENV}?)") from None
