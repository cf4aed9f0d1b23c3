"""Helpers shared by the format readers: safe names for messages and the final Document check."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import PureWindowsPath

from redactor.errors import EmptyDocumentError
from redactor.model import Block, CharBox, Document, DocumentKind, Notice, Segment

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def base_name(name: str) -> str:
    """The file name without any directory part (``/`` or ``\\`` separated)."""
    return PureWindowsPath(name).name or name


def label(name: str) -> str:
    """``name`` made safe for a one-line message (control characters replaced)."""
    return _UNPRINTABLE.sub("?", name) or "(unnamed)"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def finish(
    data: bytes,
    name: str,
    kind: DocumentKind,
    text: str,
    *,
    segments: Sequence[Segment] = (),
    blocks: Sequence[Block] = (),
    char_boxes: Sequence[CharBox | None] = (),
    notices: Sequence[Notice] = (),
    empty_hint: str = "",
) -> Document:
    """Build the Document, refusing one whose text is empty or only white space."""
    if not text.strip():
        hint = f" ({empty_hint})" if empty_hint else ""
        raise EmptyDocumentError(f"{label(name)}: no text found{hint}")
    return Document(
        text=text,
        kind=kind,
        name=name,
        sha256=sha256(data),
        segments=tuple(segments),
        blocks=tuple(blocks),
        char_boxes=tuple(char_boxes),
        notices=tuple(notices),
    )


def metadata_notices(fields: Sequence[str]) -> list[Notice]:
    """A non-holding notice naming the metadata fields that are set (never their values)."""
    if not fields:
        return []
    listed = ", ".join(fields)
    return [Notice("metadata", f"document metadata is set ({listed}): not analysed; clear it before release")]
