"""The render stage: a decided Plan applied to the file, in the file's own format, proved clean.

    redactions = redactions_from_plan(plan)            # ReleaseBlockedError / UnresolvedReviewError
    rendered = render(document, data, redactions)      # VerificationError if anything survived
    rendered.data, rendered.log, rendered.notes

``render`` never returns an output it has not verified: the candidate is re-read by independent
means and searched for every redacted string (:mod:`redactor.render.verify`) before it is handed
back. Nothing here writes files; :func:`redactor.render.log.write_all` does, all or nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from redactor.errors import RenderError
from redactor.model import Document, DocumentKind
from redactor.render import verify
from redactor.render.log import LogEntry, log_csv, log_json, write_all
from redactor.render.plan import MARKER_STYLES, MarkerStyle, Redaction, merge, redactions_from_plan
from redactor.render.text import redact_text, render_text

__all__ = [
    "MARKER_STYLES",
    "LogEntry",
    "MarkerStyle",
    "Redaction",
    "Rendered",
    "log_csv",
    "log_json",
    "redactions_from_plan",
    "render",
    "write_all",
]


@dataclass(frozen=True)
class Rendered:
    """A verified output: its bytes (in the input's format), where each redaction went, and notes
    a reader must know (e.g. that PDF pages became images). Neither log nor notes hold redacted text."""

    data: bytes
    kind: DocumentKind
    log: tuple[LogEntry, ...]
    notes: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def render(document: Document, data: bytes, redactions: Sequence[Redaction], *,
           marker: MarkerStyle = "block") -> Rendered:
    """Apply ``redactions`` (offsets into ``document.text``) to ``data``, the file ``document`` was
    read from, and verify the result. Raises RenderError if ``data`` is not that file, and
    VerificationError (nothing returned) if any redacted string can still be found."""
    if marker not in MARKER_STYLES:
        raise RenderError(f"unknown marker style '{marker}'; use one of {', '.join(MARKER_STYLES)}")
    _check_source(document, data)
    spans = merge(redactions)
    _check_offsets(document, spans)
    kept, _ = redact_text(document.text, spans, marker)
    needles = verify.needles_for(document, ((r.start, r.end) for r in spans), kept)
    rendered = _render(document, data, spans, marker, needles)
    verify.check(document.kind, rendered.data, needles)
    return Rendered(rendered.data, rendered.kind, rendered.log, (*rendered.notes, *_search_notes(needles)))


def _render(document: Document, data: bytes, spans: Sequence[Redaction], marker: MarkerStyle,
            needles: verify.Needles) -> Rendered:
    if document.kind == "docx":
        from redactor.render.docx import render_docx

        out, log, notes = render_docx(document, data, spans, marker, needles)
        return Rendered(out, "docx", log, notes)
    if document.kind == "pdf":
        from redactor.render.pdf import NOTE, render_pdf

        out, log = render_pdf(document, data, spans, marker)
        return Rendered(out, "pdf", log, (NOTE,))
    out, log = render_text(document, spans, marker)
    return Rendered(out, "text", log)


def _check_source(document: Document, data: bytes) -> None:
    if document.sha256 and hashlib.sha256(data).hexdigest() != document.sha256:
        raise RenderError(f"{document.name}: the bytes given are not the file that was scanned")


def _check_offsets(document: Document, spans: Sequence[Redaction]) -> None:
    if spans and spans[-1].end > len(document.text):
        raise RenderError(f"{document.name}: a redaction ends past the end of the document text")


def _search_notes(needles: verify.Needles) -> tuple[str, ...]:
    notes: list[str] = []
    if needles.short:
        notes.append(f"verification did not search for {needles.short} redacted piece(s) shorter than "
                     f"{verify.MIN_CHARS} characters")
    if needles.kept:
        notes.append(f"verification did not search for {needles.kept} redacted piece(s) that also occur in "
                     "text that was kept")
    return tuple(notes)
