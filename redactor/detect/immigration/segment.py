"""Cut a chunk of text into candidate passages: sentences, bullets, table cells, form lines.

A candidate never crosses a line break or a table-cell separator (" | ", a tab, three or more
spaces). Inside a cell, spaCy's sentence starts and a full-stop rule split sentences. Each piece is
trimmed of white space, bullet markers, numbering, times and dates that open a line, and of a short
field label ("IDVA (Ruth Allen):", "Police -", "V -"); the label is kept on the segment because it
often says whose information follows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import regex as re

_CELL_SEP = re.compile(r"[ \t]*\|[ \t]*|\t+|[ ]{3,}")
_CONT = r"(?:\s*\([^()\n]{1,12}\))?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# Things that open a line and are not part of the passage: bullets, numbering, times, dates.
_MARKER = re.compile(
    r"""^(?:
        [-*\u2022\u00b7\u2013\u2014>\u25aa\u25cf\u2023]+\s+          # bullets
      | \(?(?:\d{1,3}(?:\.\d{1,2})*|[a-z]|[ivx]{1,4})[.)]\s+          # 1. 2) a) iv.
      | [A-Z]{1,2}\d{1,3}\s+(?=[A-Z])                                  # item codes: B13
      | \d{1,2}[:.]\d{2}(?:\s*(?:am|pm|hrs))?\s*(?:[-\u2013:]\s*)?     # 02:44, 10.15 -
      | \d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?""" + _CONT + r"""\s*(?:[-\u2013:]\s*)?  # 04/03 -, 18/03 (cont.) -
      | \d{1,2}(?:st|nd|rd|th)?\s+""" + _MONTH + r"""(?:\s+\d{2,4})?""" + _CONT + r"""\s*[-\u2013:,]\s*
      | """ + _MONTH + r"""\s+\d{2,4}""" + _CONT + r"""\s*[-\u2013:,]\s*      # Jan 2022 -
      | \d{4}""" + _CONT + r"""\s*[-\u2013:]\s*                               # 2023 -, 0140 -
      | [0-2]\d[0-5]\d\s+(?=[A-Z])                                           # 2313 P HAS ...
    )""",
    re.X | re.I,
)
# A short field label: up to five words (and an optional bracket) before ":" or " - ".
_LABEL = re.compile(
    r"^(?P<label>[A-Za-z][\w/&'.,]*(?:[ ][\w/&'.,]+){0,4}(?:\s*\([^()\n]{1,40}\))?)\s*(?::|[ ][-\u2013][ ])\s*(?=\S)"
)
_SENT_END = re.compile(r"(?<=[.!?][\"'\u201d\u2019)]?)\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:mr|mrs|ms|mx|dr|st|no|nos|ref|approx|e\.g|i\.e|etc|pc|dc|ds|di|sgt|insp|cllr|prof|rev|vs|tel|ext|fig|para|cf)"
    r"|(?:^|[\s(])[A-Za-z])\.[\"'\u201d\u2019)]?$",
    re.I,
)
_WORD = re.compile(r"[A-Za-z]{2}")


@dataclass(frozen=True)
class Segment:
    """One candidate passage. ``start``/``end`` index the chunk; ``label`` is a stripped field label."""

    start: int
    end: int
    text: str
    label: str = ""
    line: int = 0  # index of the line in the chunk (neighbours share or follow it)


def segments(text: str) -> list[Segment]:
    """All candidate passages of ``text`` in order.

    Sentences are split by rule, not by spaCy's parser: on the development documents the parser
    cut 17 gold passages in two where the full-stop rule cut none.
    """
    out: list[Segment] = []
    for n, (ls, le) in enumerate(_lines(text)):
        for cs, ce in _cells(text, ls, le):
            out.extend(_pieces(text, cs, ce, n))
    return out


def _lines(text: str) -> Iterator[tuple[int, int]]:
    for m in re.finditer(r"[^\n]+", text):
        yield m.start(), m.end()


def _cells(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    for m in _CELL_SEP.finditer(text, start, end):
        if m.start() > pos:
            yield pos, m.start()
        pos = m.end()
    if pos < end:
        yield pos, end


def _pieces(text: str, start: int, end: int, line: int) -> Iterator[Segment]:
    cuts = [start, *_rule_cuts(text, start, end), end]
    for a, b in zip(cuts, cuts[1:], strict=False):
        seg = _trim(text, a, b, line)
        if seg is not None:
            yield seg


def _rule_cuts(text: str, start: int, end: int) -> Iterator[int]:
    for m in _SENT_END.finditer(text, start, end):
        head = text[max(start, m.start() - 8):m.start()]
        if not _ABBREV.search(head):
            yield m.end()


def _trim(text: str, start: int, end: int, line: int) -> Segment | None:
    """Strip white space, markers and one field label; None when nothing word-like is left."""
    label = ""
    for _ in range(4):
        while start < end and text[start].isspace():
            start += 1
        piece = text[start:end]
        m = _MARKER.match(piece)
        if m and m.end() < len(piece):
            start += m.end()
            continue
        m = _LABEL.match(piece)
        if m and not label and _is_label(m.group("label"), piece[m.end():]):
            label = m.group("label")
            if _speaker(label):  # "IDVA (Ruth Allen):" says who speaks, not what: leave it out
                start += m.end()
                continue
        break
    while end > start and text[end - 1].isspace():
        end -= 1
    if not _WORD.search(text, start, end):
        return None
    return Segment(start, end, text[start:end], label, line)


def _is_label(label: str, rest: str) -> bool:
    """A label is short and is followed by more than a couple of characters of content."""
    if len(rest.strip()) < 3 or len(label) > 45:
        return False
    # "She said - he ..." is not a label: a label does not end in a lower-case function word
    return label.split()[-1].lower() not in _NOT_LABEL_END


def _speaker(label: str) -> bool:
    """An agency, a named worker ("Precious Dube", "Asha Project (Meena Iyer)") or a kind of note."""
    words = [w.strip(":,.'()").lower() for w in label.split()]
    if words[0] in _SPEAKERS:
        return True
    if any(w in _CONTENT for w in words):
        return False
    return "(" in label or all(w[:1].isupper() and not w.isupper() for w in label.split())


# Words in a label that make it part of the passage ("Sister's status:", "V -", "Recourse to public funds:").
_CONTENT = frozenset(
    [
        "v", "p", "vict", "perp", "perpetrator", "victim", "client", "subj", "suspect", "mother", "father", "mum",
        "dad", "child", "children", "sister", "brother", "partner", "husband", "wife", "son", "daughter", "status",
        "immigration", "visa", "leave", "funds", "recourse", "nationality", "passport", "citizenship", "settled",
        "asylum", "conditions", "bail", "enforcement", "coercion",
    ]
)

# First words of labels naming an agency, a role in the meeting or a kind of note.
_SPEAKERS = frozenset(
    [
        "police", "idva", "idvas", "isva", "housing", "csc", "cs", "cssw", "children's", "childrens", "social", "sw",
        "health", "hv", "gp", "probation", "education", "school", "nursery", "mental", "mh", "camhs", "asc", "adult",
        "adults", "refuge", "chair", "coordinator", "dwp", "ambulance", "midwife", "midwifery", "liaison", "oic",
        "dc", "ds", "pc", "di", "dv", "da", "ldas", "hospital", "substance", "drug", "drugs", "dap", "fire", "note",
        "notes", "update", "updates", "outcome", "discussion", "background", "summary", "info", "information",
        "research", "agency", "marac", "iom", "ypvs", "yot", "ypv", "caller", "officer", "sgt", "dash", "ssafa",
        "ed", "action", "actions", "release",
    ]
)

_NOT_LABEL_END = frozenset(
    [
        "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "at", "for", "with", "is", "was", "are",
        "were", "be", "been", "has", "have", "had", "he", "she", "they", "it", "said", "says", "told", "tells",
        "that", "which", "who",
    ]
)


def covering(segs: Sequence[Segment], start: int, end: int) -> list[int]:
    """Indices of segments overlapping ``start..end``."""
    return [i for i, s in enumerate(segs) if s.start < end and start < s.end]
