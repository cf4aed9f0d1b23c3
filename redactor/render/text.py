"""Plain text: each redaction replaced by its marker; the log gives input and output offsets."""

from __future__ import annotations

from collections.abc import Sequence

from redactor.model import Document
from redactor.render.log import LogEntry
from redactor.render.plan import MarkerStyle, Redaction, marker_text


def redact_text(text: str, redactions: Sequence[Redaction], style: MarkerStyle) -> tuple[str, tuple[LogEntry, ...]]:
    """``text`` with every (sorted, non-overlapping) redaction replaced by its marker, and where each went."""
    pieces: list[str] = []
    entries: list[LogEntry] = []
    pos = out = 0
    for number, r in enumerate(redactions, 1):
        kept = text[pos : r.start]
        marker = marker_text(r, style)
        pieces += [kept, marker]
        out += len(kept)
        entries.append(_entry(number, r, out, out + len(marker)))
        out += len(marker)
        pos = r.end
    pieces.append(text[pos:])
    return "".join(pieces), tuple(entries)


def render_text(document: Document, redactions: Sequence[Redaction],
                style: MarkerStyle) -> tuple[bytes, tuple[LogEntry, ...]]:
    """The redacted text as UTF-8 (line endings kept as they were; a byte-order mark is not kept)."""
    text, entries = redact_text(document.text, redactions, style)
    return text.encode("utf-8", errors="surrogatepass"), entries


def _entry(number: int, r: Redaction, out_start: int, out_end: int) -> LogEntry:
    where = (("start", r.start), ("end", r.end), ("output_start", out_start), ("output_end", out_end))
    location = f"text {r.start}-{r.end} (output {out_start}-{out_end})"
    return LogEntry(number, location, r.label, r.rule, r.reason, where)
