"""Checks on what callers hand the store: findings and logs carry offsets and labels, never text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from redactor.errors import PersonalDataError, StoreError
from redactor.store.audit import SHA256, check_detail, label_like

FINDING_KEYS = frozenset(
    {"start", "end", "label", "score", "recognizer", "explanation", "category", "subject", "pattern", "tags"}
)
LOG_KEYS = frozenset({"start", "end", "label", "rule"})
KINDS = ("text", "docx", "pdf")
MODES = ("minutes", "letter")


def user(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 128:
        raise StoreError("a user name is needed (at most 128 characters)")
    return name


def json_value(value: Any, what: str) -> Any:
    """``value`` unchanged when it survives a JSON round trip; else StoreError."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        raise StoreError(f"{what} is not plain JSON (dicts, lists, strings, numbers)") from None


def sha256(value: str, what: str) -> str:
    if not isinstance(value, str) or not SHA256.fullmatch(value):
        raise StoreError(f"{what} must be a SHA-256 hex digest (64 lower-case hex digits)")
    return value


def _offsets(item: Mapping[str, Any], where: str) -> None:
    start, end = item.get("start"), item.get("end")
    if not (type(start) is int and type(end) is int and 0 <= start < end):
        raise StoreError(f"{where} needs integer offsets with 0 <= start < end")


def findings(items: Sequence[Mapping[str, Any]], text_length: int) -> list[dict[str, Any]]:
    out = []
    for i, f in enumerate(items):
        if not isinstance(f, Mapping):
            raise StoreError(f"finding {i} is not a dict")
        extra = set(f) - FINDING_KEYS
        if extra:
            raise PersonalDataError(f"finding {i} has unexpected keys ({', '.join(sorted(extra))}): offsets only")
        _offsets(f, f"finding {i}")
        if f["end"] > text_length:
            raise StoreError(f"finding {i} ends after the text ({f['end']} > {text_length})")
        out.append(json_value(dict(f), f"finding {i}"))
    return out


def log(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, entry in enumerate(items):
        if not isinstance(entry, Mapping):
            raise StoreError(f"log entry {i} is not a dict")
        extra = set(entry) - LOG_KEYS
        if extra:
            raise PersonalDataError(f"log entry {i} has keys other than start, end, label, rule: {sorted(extra)}")
        _offsets(entry, f"log entry {i}")
        check_detail({k: entry.get(k) for k in ("label", "rule")}, f"log entry {i}")
        out.append(dict(entry))
    return out


def token(value: Any, what: str) -> str:
    if not isinstance(value, str) or not label_like(value):
        raise PersonalDataError(f"{what} must be a type or id such as legal_adviser, not a name or free text")
    return value


_EDIT_KEY = re.compile(r"(?:[A-Z_]{1,20}|M):\d{1,9}-\d{1,9}")
_RULE_ID = re.compile(r"[A-Z]{1,3}\d{1,3}|none")


def edit(value: Mapping[str, Any]) -> None:
    """An edit holds only its kind, a decision, an item key (label and offsets), a rule id and offsets:
    a name typed where a key belongs ("amina-khan") is refused before it reaches the audit trail."""
    from redactor.review import DECISIONS, EDIT_KINDS  # pure values

    allowed = {"kind", "key", "decision", "rule", "start", "end", "spans"}
    if set(value) - allowed or value.get("kind") not in EDIT_KINDS:
        raise PersonalDataError("the edit has unknown fields or kind")
    if "decision" in value and value["decision"] not in DECISIONS:
        raise PersonalDataError("the edit's decision is not keep, review or redact")
    if "key" in value and not (isinstance(value["key"], str) and _EDIT_KEY.fullmatch(value["key"])):
        raise PersonalDataError("the edit's key is not a label and offsets")
    if "rule" in value and not (isinstance(value["rule"], str) and _RULE_ID.fullmatch(value["rule"])):
        raise PersonalDataError("the edit's rule is not a rule id")
