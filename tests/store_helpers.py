"""Builders shared by the storage tests."""

from __future__ import annotations

import hashlib
from typing import Any

from redactor.store import Store

TEXT = "MARAC MINUTES - Case 1 - Victim: Amina Osei, 14 Larch Road, tel 07700 900123. Étienne attended."
FINDINGS = [
    {"start": 33, "end": 43, "label": "PERSON", "score": 0.95, "recognizer": "spacy", "explanation": "NER",
     "category": None, "subject": "victim", "pattern": None, "tags": []},
    {"start": 45, "end": 59, "label": "ADDRESS", "score": 0.9, "recognizer": "uk_address", "explanation": "pattern",
     "category": None, "subject": None, "pattern": "street", "tags": ["refuge"]},
]  # fmt: skip
RELEASE = {"recipient": "police", "purpose": "safeguarding", "cases": ["1"]}


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def add_doc(store: Store, *, text: str = TEXT, data: bytes | None = None, user: str = "coord", **kw: Any) -> int:
    body = data if data is not None else text.encode("utf-8")
    args: dict[str, Any] = {
        "user": user, "name": "minutes.txt", "kind": "text", "sha256": sha(body), "data": body, "text": text,
        "doc_type": "minutes", "notices": [{"code": "metadata", "message": "metadata set", "hold": False}],
        "findings": FINDINGS,
    }  # fmt: skip
    args.update(kw)
    return store.add_document(**args)


def disclosure(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "recipient_type": "police", "recipient_name": "Eastbrook Police", "purpose": "safeguarding", "cases": ["1"],
        "output_sha256": sha("output"), "source_sha256": sha(TEXT), "counts": {"PERSON": 1, "ADDRESS": 1},
        "flags": ["G3"], "log": [{"start": 33, "end": 43, "label": "PERSON", "rule": "I1"}],
    }  # fmt: skip
    d.update(kw)
    return d
