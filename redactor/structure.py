"""Find the case sections of a Marac minutes pack, and the people each case names.

Pure: text in, frozen dataclasses out (no spaCy, no files). Offsets are Python string indices
(end exclusive), like every other stage.

A minutes pack is a meeting header (date, chair, attendance), one section per case, and sometimes a
trailer (AOB, date of next meeting). Rule S1 removes every case section the release is not about, so
the finder must see where each case starts however the pack is laid out, and must not take a numbered
action inside a case for a new case.

How a heading is recognised
---------------------------
Each line is tried against these heading styles (the first that fits wins):

``table``  a table row whose first cell is a case number or reference (``22 | Rosa Quispe | ...``),
           under a table header whose first cell names the case (``Case | Victim | Perpetrator``) and
           with as many cells as that header.
``case``   ``Case 3``, ``CASE 3 -``, ``Case 3:``, ``## Case 2``, ``**Case 2**``, ``CASE 2 OF 4``,
           ``Case 1 - Ref TMD/25/301``, ``Referral 2 of 3 - Ref KTN/24/119``: the word, then a number or
           a reference, then the end of the line, a separator, bold markers, a reference ("Case no. 1
           Marac ref NK/25/061") or a column gap before a capital ("CASE 1        RISK LEVEL: HIGH");
           "Case conference ...", "Case 4 minutes were ..." and "Case 3  was ..." are prose. An agenda
           number may come first (``2. Case 1 - ...``, ``Item 2: Case 1 - ...``): the case number is the
           id, not the agenda number, which is not an alias either (it would name another case).
``item``   ``Item 4:`` / ``Agenda item 4 -``.
``ref``    ``Ref SAL/25/047``, ``Marac ref: KRK/25/113``, ``MRC-0412``, ``Discussion - AH/25/201``, and
           short forms ``C25-118 | V: ... | P: ...``, ``CV25/0312`` (a letter and digits, then ``/`` or ``-``).
``number`` ``4.``, ``4)``, ``4 -``, ``#4`` at the start of a line ("2.1 Risk summary" is a paragraph number).

Deciding which candidates are cases (the consistency rule)
----------------------------------------------------------
* ``table`` rows, ``case`` headings with a number ("Case 3", not "Referral 2") and ``ref`` headings
  introduced by "Marac ref" say "case" by themselves and are taken as they are.
* ``item``, ``number`` and the other ``ref``/``case`` candidates ("Item 1: Introductions", "1. Apologies",
  "1. Police to ...", "Case no. LCS-2025-00871", "Ref: CR/0702216/25") are also agendas, numbered
  actions inside a case and agencies' own references. Such a candidate is a case only with *people
  evidence*: its title names the people ("Rosa Quispe (V) / Kevin Hart (P)", "Natasha Greaves / Craig
  Greaves", "Sunita Rai and Bikash Gurung", "Siobhan Kelly v Darren Moss", "Victim: ...", "Victim Amy
  Rollason, perpetrator ..."; never agency words: "IDVA / Police" is not a pair of names, "Victim Support"
  is an agency), or it carries the pack's own reference ("STAN, Ionela   Marac no. CV25/0312"), or a
  people line follows ("Victim: ...", "V: ...", "Victim        Joanna ..." in columns,
  "V DOB ...", "Perpetrator ...", "Children: ...", "Hannah Evans (V), DOB ..."): for ``item``/``ref``
  among the next two lines, for ``number`` (the weakest) the very next line, naming the victim.
* Numbered headings must also be consistent: they are used only when no stronger style (``case``,
  ``table``, ``item``, ``ref``) found a case (in a pack headed "Case 3" a numbered line is always
  something inside a case); of the numbered candidates with evidence only the biggest group of one
  indentation and one delimiter (``.``, ``)``, ``-``) is kept, and only while the numbers go up, so an
  action list restarting at "1." cannot start cases again. Letters, emails, referrals and notes never
  use numbered headings (their numbered form fields are not cases).
* A heading line followed at once by a heading of another style ("CASE 1" then "Ref TMD/25/301") is
  one heading: the second id becomes an alias.
* A case id seen more than once is one case: its heading section (or else its longest table row) is
  the case and the others are its ``extra_spans``: its row in a case-list table at the top of the pack
  ("| 1 | Lauren DIXON | ... |" above "CASE 1"), its rows in an actions table keyed by case.
* A single-case extract titled on its first line ("MARAC - CASE 4 - Ref HOU/25/061", "WEXHAM MARAC -
  CASE 5") is one case covering the whole document, when nothing else was found.
* Letters, emails, referrals and notes (``doc_type``) hold cases only when at least two are found;
  otherwise the whole document is about one case (``single_case``: nothing in it is another case's).
  A minutes pack (or a text of unknown type) without headings is all header, and a release naming
  cases in it is held for review (S2).

A section runs from its heading line to just before the next case's heading, or to a closing section
after the last case ("AOB", "Any other business", "Next meeting", "Date of next meeting", "Meeting
closed", "Minutes approved"), which must start after a blank line or be among the last three lines.
Rule lines ("-----", "════") at a section's edges: one ending a section separates cases and belongs to
no section; one just above a heading belongs to the section when another rule inside the section closes
a box drawn round the heading ("───" / "CASE 2   RISK ..." / "Victim ..." / "───" / "Police: ...").

What is left unmatched on purpose
---------------------------------
A release naming a case the pack does not number ("1" for a pack whose cases are "Item 5" to "Item 7")
finds nothing: ``case_for`` returns None and the caller holds the document for review, rather than
guess that "1" means the first case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class CaseSection:
    """One case of a minutes pack: the whole section, its ids and the people it names.

    ``start``/``end``: from the heading line's start to just before the next case's heading (or the
    trailer, or the end). ``heading_end``: the end of the heading line (of its second line when the
    heading is stacked, "CASE 1" over "Ref TMD/25/301"). ``extra_spans``: the same case elsewhere in
    the document (its row in a case-list table or in an actions table keyed by case): rule S1 removes
    them with the section, so use :meth:`spans` (or :meth:`Structure.spans_outside`), not only
    ``start``/``end``. Names are as written ("Rosa Quispe", "AB", "Mrs K"), possibly in several forms.
    """

    case_id: str
    aliases: tuple[str, ...]
    start: int
    end: int
    heading_end: int
    victim: tuple[str, ...] = ()
    perpetrator: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    extra_spans: tuple[Span, ...] = ()  # the same case elsewhere, e.g. its row in a case-list table

    def spans(self) -> tuple[Span, ...]:
        return ((self.start, self.end), *self.extra_spans)


@dataclass(frozen=True)
class Structure:
    """``header``: the meeting header and attendance before the first case (the whole text when there
    are no cases); ``cases`` in text order; ``trailer``: AOB / next meeting after the last case."""

    header: Span
    cases: tuple[CaseSection, ...]
    trailer: Span | None
    single_case: bool = False  # a letter, email, referral or note: the whole document is the one case

    def case_for(self, case_id: str) -> CaseSection | None:
        """The section a coordinator means by ``case_id`` ("3", "Case 03", "SAL/25/047", "047"), or None
        when no section or more than one matches (the caller then holds the document for review)."""
        key = normalise_id(case_id)
        if not key:
            return None
        primary = [c for c in self.cases if normalise_id(c.case_id) == key]
        if primary:
            return primary[0] if len(primary) == 1 else None
        alias = [c for c in self.cases if key in {normalise_id(a) for a in c.aliases}]
        return alias[0] if len(alias) == 1 else None

    def section_at(self, offset: int) -> CaseSection | None:
        for c in self.cases:
            if any(s <= offset < e for s, e in c.spans()):
                return c
        return None

    def spans_outside(self, case_ids: Iterable[str]) -> tuple[Span, ...]:
        """Every span of every case section that none of ``case_ids`` names (rule S1), in text order.
        Check ``case_for`` first: an id that names nothing matches nothing here."""
        wanted = [c for c in (self.case_for(i) for i in case_ids) if c is not None]
        return tuple(sorted(s for c in self.cases if c not in wanted for s in c.spans()))


# --------------------------------------------------------------------------- ids

_REF = r"(?:[A-Z]{2,6}\d{0,4}|[A-Z]\d{2,4})(?:[/-]\d{1,7}){1,3}"  # SAL/25/047, MRC-0412, CV25/0312, C25-118
_ID = rf"(?:{_REF}|\d{{1,4}}[A-Za-z]?)"
_ID_WORDS = re.compile(r"^(?:(?:marac|case|item|agenda|ref(?:erence)?|no|number|discussion)(?![a-z])\.?|#|:|-)\s*",
                       re.I)


def normalise_id(value: str) -> str:
    """Comparable form of a case id: words Case/Item/Ref dropped, separators unified, no leading zeros."""
    text = value.strip()
    while True:
        stripped = _ID_WORDS.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
    parts = [p for p in re.split(r"[\s/\-–.:]+", text.upper()) if p]
    return "/".join(p.lstrip("0") or "0" if p.isdigit() else p for p in parts)


def _aliases(case_id: str, style: str, found: Sequence[str]) -> tuple[str, ...]:
    out = [case_id]
    if case_id[:1].isdigit():
        out += [f"Case {case_id}", f"Item {case_id}"] if style == "item" else [f"Case {case_id}"]
    for ref in [case_id, *found]:
        if re.fullmatch(_REF, ref):
            out += [ref, f"Ref {ref}", re.split(r"[/-]", ref)[-1]]
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class _Line:
    start: int
    end: int  # end of the text, before the newline
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


# --------------------------------------------------------------------------- heading candidates

_LEAD = r"^(?P<indent>[ \t]*)(?P<deco>(?:#{1,6}[ \t]*)?(?:[*_]{1,2}[ \t]*)?)"
_ENUM = r"(?:(?:(?i:(?:agenda\s+)?item)\s*)?\d{1,3}\s*[.):\-–—]?\s*)?"  # "2. Case 1", "Item 2: Case 1"
_CASE_RE = re.compile(
    _LEAD + _ENUM + rf"(?P<word>(?i:(?:marac\s+)?(?:case|referral)))\s*(?i:no\.?|number|#)?\s*[:.]?\s*"
    rf"(?P<id>{_ID})\b(?P<rest>.*)$"
)
_ITEM_RE = re.compile(_LEAD + r"(?i:(?:agenda\s+)?item)\s*(?i:no\.?)?\s*(?P<id>\d{1,3})\b(?P<rest>.*)$")
_REF_RE = re.compile(
    _LEAD + r"(?:(?P<kw>(?i:(?:marac|case)\s+ref(?:erence)?(?:\s+no\.?)?|ref(?:erence)?(?:\s+no\.?)?|"
    rf"(?:case\s+)?discussion))\s*[:\-–.]?\s*)?(?P<id>{_REF})\b(?P<rest>.*)$"
)
_NUM_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<deco>[*_]{0,2})(?P<hash>#)?(?P<id>\d{1,3})(?P<delim>(?(hash)[.):]?|(?:[.)]|[ \t]*[-–—:])))"
    r"[ \t]+(?P<rest>\S.*)$"
)
# what may follow a heading's id: nothing, a separator, bold markers, "of 4", a column gap before a capital
# ("CASE 1     RISK LEVEL: HIGH") or a reference ("Case 1 Marac ref NK/25/061")
_REST_OK = re.compile(
    r"^(?:\s*(?:$|[-–—:|.)(\[]|[*_]|(?i:of)\s+\d)|(?:\t|[ ]{2,})[A-Z(]|\s+(?i:(?:marac\s+)?ref)"
    r"|\s+(?i:discussion|notes?|updates?|summary|actions?|minutes|review)\s*(?:[:\-–—.]|$))"  # "Case 3 discussion:"
)
_CASE_COLUMN = re.compile(r"^(?i:(?:marac\s*)?case(?:\s*(?:no\.?|number|ref(?:erence)?|id))?|marac\s*ref)$")
_ID_COLUMN = re.compile(r"^(?i:no\.?|#|ref|id|item)$")
_PEOPLE_COLUMN = re.compile(r"(?i:victim|survivor|perpetrator|client|name)|^[VP]$")
_CELL_ID = re.compile(rf"(?:(?i:case|ref|item)\s*)?(?P<id>{_REF}|\d{{1,4}})")
_STRONG = ("case", "table", "item", "ref")


@dataclass(frozen=True)
class _Head:
    line: int
    style: str  # table | case | item | ref | number | title
    group: tuple[str, int, str]
    case_id: str
    title: str  # the heading text after the id
    strong: bool = False  # a case heading without needing people evidence
    cells: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    last: int = -1  # the last line of a heading stacked over two lines ("CASE 1" / "Ref TMD/25/301")

    @property
    def body(self) -> int:
        """The first line after the heading."""
        return max(self.line, self.last) + 1


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [c.strip().strip("*").strip() for c in body.split("|")]


def _table_head(line: str) -> tuple[str, ...] | None:
    """The header of a table of cases: first column "Case"/"Marac ref", or "No"/"Ref" beside a people column
    ("No | Action | Owner" heads a numbered action list, not a table of cases)."""
    if "|" not in line:
        return None
    cells = _cells(line)
    if len(cells) < 2:
        return None
    if _CASE_COLUMN.match(cells[0]) or (_ID_COLUMN.match(cells[0]) and any(_PEOPLE_COLUMN.search(c) for c in cells)):
        return tuple(cells)
    return None


def _table_row(i: int, line: str, columns: tuple[str, ...] | None) -> _Head | None:
    """A row of a table of cases: the first cell is its case number or reference ("22", "Case 22", "AH/25/201")."""
    if "|" not in line:
        return None
    cells = _cells(line)
    m = _CELL_ID.fullmatch(cells[0])
    if not m or len(cells) < 2:
        return None
    if columns is None:  # no header: only "Case 22 | ..." names itself
        if not re.match(r"(?i:case)", cells[0]):
            return None
        columns = ("Case", "Victim", "Perpetrator")[: len(cells)]
    elif len(cells) != len(columns):
        return None
    return _Head(i, "table", ("table", 0, "|"), m["id"], " | ".join(cells[1:]), True, tuple(cells), columns)


def _word_head(i: int, line: str) -> _Head | None:
    for style, rx in (("case", _CASE_RE), ("item", _ITEM_RE), ("ref", _REF_RE)):
        m = rx.match(line)
        if m and (style == "ref" or _REST_OK.match(m["rest"]) or _pair_title(m["rest"])):
            kw = (m.groupdict().get("kw") or m.groupdict().get("word") or "").lower()
            numeric = m["id"][:1].isdigit()
            strong = (kw.endswith("case") and numeric) or (style == "ref" and kw.split()[:1] == ["marac"])
            group = (style, len(m["indent"]), m["deco"].strip())
            return _Head(i, style, group, m["id"], _clean_title(m["rest"]), strong)
    m = _NUM_RE.match(line)
    if m:
        group = ("number", len(m["indent"]), (m["hash"] or "") + m["delim"].strip() + m["deco"])
        return _Head(i, "number", group, m["id"], _clean_title(m["rest"]))
    return None


def _clean_title(rest: str) -> str:
    return re.sub(r"^[\s*_]*(?:(?i:of)\s+\d+\b)?[\s*_:.)\-–—|]*", "", rest).rstrip(" *_")


def _candidates(lines: Sequence[_Line]) -> list[_Head]:
    out: list[_Head] = []
    columns: tuple[str, ...] | None = None
    for i, ln in enumerate(lines):
        head = _table_head(ln.text)
        if head is not None:
            columns = head
            continue
        cand = _table_row(i, ln.text, columns) or _word_head(i, ln.text)
        if cand is not None:
            out.append(cand)
    return out


# --------------------------------------------------------------------------- people evidence

_NAME_WORD = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?[A-Z][\w'’.\-]*"
_NAME = rf"{_NAME_WORD}(?:\s+(?:[A-Z][\w'’.\-]*|al|el|bin|de|da|del|dela|van|von|der|di|du|la|le))*"
_PAIR = re.compile(rf"^({_NAME})\s+(?:/|v\.?|vs\.?|and|&)\s+({_NAME})\s*$")
_PEOPLE_LINE = re.compile(
    r"^\s*[-•*]?\s*(?:(?i:victims?|survivor|alleged\s+perpetrators?|perpetrators?|perp|children|child|complainant)"
    r"(?:\s*(?:[:\-–(]|(?i:dob|d\.o\.b|born|is)\b)|[ \t]{2,}(?=[A-Z]))|(?:V|P|AP)\b\s*(?::|DOB|-|–|\())"
)
_VICTIM_LINE = re.compile(
    r"^\s*[-•*]?\s*(?:(?i:victim|survivor|complainant)(?:\s*(?:[:\-–(]|(?i:dob|d\.o\.b|born|is)\b)|[ \t]{2,}(?=[A-Z]))"
    r"|V\b\s*(?::|DOB|-|–|\())"
)
_NAMED_LINE = re.compile(rf"^\s*{_NAME}\s*(?:\((?:V|P|AP)\b|,\s*(?i:dob|born|d\.o\.b)|\((?i:dob))")
_NOT_VICTIM = r"(?i:dob|born|aged|not|unknown|support|services?|care|liaison|champion|advocate)\b"
_ROLE_MARK = r"\((?:V|P|AP|(?i:victim|perpetrator|alleged perpetrator))(?=[\s,;)])"
_TITLE_PEOPLE = re.compile(
    rf"^\s*(?:(?i:victims?)\s*[:\-–]|(?i:victim)\s+(?!{_NOT_VICTIM})[A-Z][a-z]|V\s*:|{_NAME}\s*{_ROLE_MARK})"
)
# the pack's own reference on the heading line: "Marac ref NK/25/061", "Marac no. CV25/0312"
_MARAC_REF = re.compile(rf"\b(?i:marac)\s*(?i:ref(?:erence)?|no\.?|number|#)\s*[:.]?\s*(?P<ref>{_REF})\b")
_NOT_NAMES = {
    "DOB", "D.O.B", "Born", "Aged", "Age", "Flat", "None", "N/A", "Nil", "Unknown", "Not", "No", "The", "Address",
    "Tel", "Mob", "Mobile", "Both", "Also", "Currently", "Now", "Of", "At", "Adult", "Male", "Female", "NFA",
    "Ref", "See", "As", "In", "On", "Husband", "Wife", "Son", "Daughter", "Partner", "Ex-partner",
    # agencies and roles: "IDVA / Police" is not a pair of names
    "Police", "IDVA", "ISVA", "Housing", "CSC", "ASC", "Health", "Probation", "Education", "GP", "Chair",
    "Coordinator", "Marac", "MARAC", "Social", "Children's", "Mental", "School", "Refuge", "Action", "Actions",
    "Victim", "Perpetrator", "Case", "Item", "Agency", "Agencies", "All", "Update", "Updates", "Support",
    # identifiers after a name ("Ionut Popescu, NFA; PNC 12/553901Y; NI YN 93 35 64 B")
    "PNC", "NI", "NHS", "CRO", "URN", "CRN",
}


def _strip_parens(text: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


def _name_like(name: str) -> bool:
    """"Rosa Quispe", "Claire PORTER", "AB" are names; "INTELLIGENCE" (a form's section title) is not."""
    words = name.split()
    if not words or words[0] in _NOT_NAMES:
        return False
    return len(words) > 1 or any(ch.islower() for ch in name) or len(name) <= 3


_LEADING_REF = re.compile(rf"^{_REF}\s*[-–—:|]\s*")  # "4. DB/0625/04 - Name / Name"


def _pair_title(title: str) -> tuple[str, str] | None:
    m = _PAIR.match(_LEADING_REF.sub("", _strip_parens(_clean_title(title))))
    return (m[1], m[2]) if m and _name_like(m[1]) and _name_like(m[2]) else None


def _evidence(head: _Head, lines: Sequence[_Line], next_line: int) -> bool:
    """Does this heading name the people of a case, or is it followed by a people line?

    A numbered heading (the weakest style) needs its very next line to name the victim; other styles
    accept any people line among the next two."""
    if _TITLE_PEOPLE.search(head.title) or _pair_title(head.title) or _MARAC_REF.search(head.title):
        return True
    following = [ln.text for ln in lines[head.line + 1 : next_line] if not ln.blank][:2]
    if head.style == "number":
        return bool(following) and bool(_VICTIM_LINE.match(following[0]) or _NAMED_LINE.match(following[0]))
    return any(_PEOPLE_LINE.match(t) or _NAMED_LINE.match(t) for t in following)


# --------------------------------------------------------------------------- choosing the case headings


def _choose(cands: Sequence[_Head], lines: Sequence[_Line], numbered_ok: bool) -> list[_Head]:
    starts = [c.line for c in cands] + [len(lines)]
    ok = [c for k, c in enumerate(cands) if c.strong or _evidence(c, lines, starts[k + 1])]
    strong = [c for c in ok if c.style in _STRONG]
    if strong:
        return strong
    numbered = [c for c in ok if c.style == "number"]
    if not numbered or not numbered_ok:
        return []
    counts: dict[tuple[str, int, str], int] = {}
    for c in numbered:
        counts[c.group] = counts.get(c.group, 0) + 1
    best = max(counts, key=lambda g: (counts[g], -g[1]))
    chosen: list[_Head] = []
    for c in numbered:
        if c.group == best and (not chosen or int(c.case_id) > int(chosen[-1].case_id)):
            chosen.append(c)
    return chosen


def _merge_stacked(heads: list[_Head], lines: Sequence[_Line]) -> tuple[list[_Head], dict[int, list[str]]]:
    """A heading directly followed by a heading of another style ("CASE 1" / "Ref TMD/25/301") is one."""
    out: list[_Head] = []
    extra: dict[int, list[str]] = {}
    skip = False
    for k, h in enumerate(heads):
        if skip:
            skip = False
            continue
        nxt = heads[k + 1] if k + 1 < len(heads) else None
        if nxt and h.style not in ("table", nxt.style) and all(ln.blank for ln in lines[h.line + 1 : nxt.line]):
            merged = _Head(h.line, h.style, h.group, h.case_id, nxt.title, h.strong, nxt.cells, nxt.columns, nxt.line)
            out.append(merged)
            extra[h.line] = [nxt.case_id]
            skip = True
        else:
            out.append(h)
    return out, extra


_TITLE_CASE = re.compile(
    rf"\b(?i:case)\s*(?i:no\.?)?\s*(?P<num>\d{{1,4}})\b(?!\s*(?i:list))|\b(?i:ref)\.?\s*:?\s*(?P<ref>{_REF})"
    rf"|\b(?i:case)\s*:?\s*(?P<case_ref>{_REF})\b"
)


def _title_head(lines: Sequence[_Line]) -> _Head | None:
    """A single-case extract titled in its first lines ("MARAC - CASE 4", "Barking Marac" over
    "Extract: case BK-25-12"): the Marac must be named on the title line or the line above it."""
    top = [k for k, ln in enumerate(lines) if not ln.blank][:2]
    for n, k in enumerate(top):
        m = _TITLE_CASE.search(lines[k].text)
        if m and any("marac" in lines[j].text.lower() for j in top[: n + 1]):
            return _Head(top[0], "title", ("title", 0, ""), m["num"] or m["ref"] or m["case_ref"], "", True)
    return None


# --------------------------------------------------------------------------- closing section

_CLOSING = re.compile(
    r"^\s*(?:#{1,6}\s*)?[*_]{0,2}\s*(?:(?i:item)\s*)?(?:\d{1,3}[.):]?\s*[-–:]?\s*)?"
    r"(?i:aob\b|a\.o\.b|any\s+other\s+business|other\s+business|date\s+of\s+(?:the\s+)?next\s+meeting|"
    r"next\s+(?:meeting|marac)\b|meeting\s+closed|close\s+of\s+meeting|meeting\s+ended|minutes\s+(?:approved|agreed|signed))"
)


def _closing(lines: Sequence[_Line], after: int) -> int | None:
    nonblank = [k for k, ln in enumerate(lines) if not ln.blank]
    tail = set(nonblank[-3:])
    for k in range(after + 1, len(lines)):
        if _CLOSING.match(lines[k].text) and (lines[k - 1].blank or k in tail):
            return k
    return None


# --------------------------------------------------------------------------- people


_LABEL = re.compile(
    r"(?:(?<![\w/])(?P<word>(?i:alleged\s+perpetrators?|perpetrators?|victims?|survivor|children|child))"
    r"(?:\s*(?::|-\s|–)|[ \t]{2,}(?=[A-Z]))|(?<![\w/])(?P<short>AP|V|P)\s*:)"
)
_SOFT_LABEL = re.compile(r"(?:^|[;,.]\s+)(?P<word>[Pp]erpetrator|[Vv]ictim|[Cc]hildren|[Cc]hild)\s+(?=[A-Z])")
# contact details between the people lines of a heading ("Address   23 Whitby Road", "NI  EC 41 08 47 C")
_FIELD_LINE = re.compile(
    r"^\s*[-•*]?\s*(?i:(?:(?:current|previous|victim|perpetrator|home)\s+)?address|contact|tel|phone|mob(?:ile)?|"
    r"e-?mail|ni|nhs(?:\s+no\.?)?|dob|risk)\b"
)
_MARKED = re.compile(rf"({_NAME})\s*\((?P<role>V|P|AP|(?i:victim|perpetrator|alleged perpetrator))(?=[\s,;)])[^)]*\)")
_PARTICLES = {"al", "el", "bin", "de", "da", "del", "dela", "van", "von", "der", "di", "du", "la", "le"}


def _role(label: str) -> str:
    low = label.lower()
    if low.startswith("child"):
        return "children"
    if low.startswith("victim") or low in ("v", "survivor"):
        return "victim"
    return "perpetrator"


_NAME_END = re.compile(r",|;|\(|\||\s{2,}|\s[-–—]\s|\.\s|\d|\s(?:and|aged|born|DOB|dob|of|at)\s")


def _lead_name(value: str) -> str:
    """The name a field value starts with: "Rosa Quispe, DOB ..." -> "Rosa Quispe"; "DOB ..." -> ""."""
    cut = _NAME_END.split(value.strip(), maxsplit=1)[0]
    words = cut.split()
    while words and words[0][:1].islower() and len(words) > 1:
        words = words[1:]
    name: list[str] = []
    for w in words:
        w = w.rstrip(".:") if w not in ("Mr.", "Mrs.", "Ms.", "Dr.") else w
        if not w or w in _NOT_NAMES or (not w[:1].isupper() and not (name and w in _PARTICLES)):
            break
        name.append(w)
    while name and name[-1] in _PARTICLES:
        name.pop()
    return " ".join(name)


def _children(value: str) -> list[str]:
    """"Tayla (6), Riley Dobbs (2)" -> both; "none in the household" -> []; "Daria Melnyk, DOB ..." -> Daria Melnyk."""
    if re.match(r"\s*(?i:none|n/?a|nil|no\b|adult|0\b|-)", value):
        return []
    aged = [m[1] for m in re.finditer(rf"({_NAME})\s*\(\s*\d", value)]
    if aged:
        return [_lead_name(a) for a in aged if _lead_name(a)]
    items = re.split(r",|;|\band\b|&", _strip_parens(value))
    names = [(_lead_name(i), i.strip().rstrip(".")) for i in items]
    return [n for n, item in names if n and n == item][:6]


def _split_labels(line: str) -> list[tuple[str, str]]:
    """"V: Holly Sutton, 12 Quay St. P: Kieran Doyle." -> [("victim", " Holly ..."), ("perpetrator", " Kieran ...")]"""
    marks = [(m.start(), m.end(), m["word"] or m["short"]) for m in _LABEL.finditer(line)]
    marks += [(m.start("word"), m.end(), m["word"]) for m in _SOFT_LABEL.finditer(line)]
    marks.sort()
    out = []
    for k, (_, end, label) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else len(line)
        out.append((_role(label), line[end:stop]))
    return out


def _people_lines(head: _Head, lines: Sequence[_Line], end_line: int) -> list[str]:
    """The heading's title, then the lines under it that name people ("Victim: ...", "P: ...",
    "Hannah Evans (V), DOB ...", "Children: ..."), up to the first agency update; contact fields between
    them ("Address   23 Whitby Road", "NI   EC 41 08 47 C") are passed over."""
    out = [head.title]
    for ln in lines[head.body : min(end_line, head.body + 8)]:
        if (ln.blank and len(out) == 1) or _FIELD_LINE.match(ln.text):
            continue
        if ln.blank or not (_PEOPLE_LINE.match(ln.text) or _MARKED.search(ln.text) or (len(out) == 1 and
                                                                                       _NAMED_LINE.match(ln.text))):
            break
        out.append(ln.text)
    return out


@dataclass
class _People:
    victim: list[str]
    perpetrator: list[str]
    children: list[str]

    def add(self, role: str, names: Iterable[str]) -> None:
        bucket: list[str] = getattr(self, role)
        bucket.extend(n for n in names if n and n not in bucket)


def _people(head: _Head, block: Sequence[str]) -> _People:
    """Victim, perpetrator and children named by the heading, its table cells and the people lines under it."""
    found = _People([], [], [])
    if head.style == "table":
        _table_people(head, found)
    for text in block:
        for role, value in _split_labels(text):
            if role == "children":
                found.add(role, _children(value))
            elif role == "perpetrator" and ";" in value:
                found.add(role, [_lead_name(v) for v in value.split(";")])
            else:
                found.add(role, [_lead_name(value)])
        for m in _MARKED.finditer(text):
            found.add(_role(m["role"]), [_lead_name(m[1])])
    pair = _pair_title(head.title) if head.style != "table" else None
    if pair:
        found.add("victim", [_lead_name(pair[0])])
        found.add("perpetrator", [_lead_name(pair[1])])
    if not found.victim and len(block) > 1 and _NAMED_LINE.match(block[1]) and not _PEOPLE_LINE.match(block[1]):
        found.add("victim", [_lead_name(block[1])])
    return found


def _table_people(head: _Head, found: _People) -> None:
    for col, cell in zip(head.columns[1:], head.cells[1:], strict=False):
        low = col.lower()
        if re.search(r"child", low):
            found.add("children", _children(cell))
        elif re.search(r"victim|survivor|^v$", low):
            found.add("victim", [_lead_name(cell)])
        elif re.search(r"perpetrator|^p$|^ap$|alleged", low):
            found.add("perpetrator", [_lead_name(cell)])


# --------------------------------------------------------------------------- refs found in the heading


def _refs(head: _Head, heading: str, people: Sequence[str]) -> list[str]:
    """Marac references named on the heading line or among the people lines ("Ref WEX/25/118")."""
    text = "\n".join([heading, *people[1:]])
    found = [m[1] for m in re.finditer(rf"\b(?i:ref(?:erence)?)\.?\s*(?i:no\.?)?\s*:?\s*({_REF})\b", text)]
    found += [m["ref"] for m in _MARAC_REF.finditer(heading)]
    if head.style in ("case", "item", "number"):
        found += re.findall(rf"^\s*[-–:]?\s*({_REF})\b", head.title)
    return [f for f in found if f != head.case_id]


# --------------------------------------------------------------------------- assembling


@dataclass(frozen=True)
class _Raw:
    head: _Head
    start: int
    end: int
    heading_end: int
    aliases: tuple[str, ...]
    people: _People


_RULE = re.compile(r"^[ \t]*(?:[-─━═=_*~—–][ \t]*){5,}$")


def _edges(head: _Head, nxt: int, lines: Sequence[_Line]) -> tuple[int, int]:
    """The lines ``[first, end)`` of a section running up to line ``nxt``. A rule line ("-----", "════")
    closing the section is a separator between cases and stays out; a rule line just above the heading
    is the top of a box drawn round the heading ("───" / "CASE 2" / "Victim ..." / "───") and is the
    section's when another rule inside the section closes the box."""
    end = k = nxt
    while k > head.body and (lines[k - 1].blank or _RULE.match(lines[k - 1].text)):
        k -= 1
        end = k if _RULE.match(lines[k].text) else end
    first = head.line
    if first > 0 and _RULE.match(lines[first - 1].text) and any(_RULE.match(ln.text) for ln in lines[head.body : end]):
        first -= 1
    return first, end


def _raw_sections(heads: Sequence[_Head], stacked: dict[int, list[str]], lines: Sequence[_Line],
                  stop_line: int, text_len: int) -> list[_Raw]:
    out = []
    for k, h in enumerate(heads):
        nxt = heads[k + 1].line if k + 1 < len(heads) else stop_line
        first, last = _edges(h, nxt, lines)
        end = lines[last].start if last < len(lines) else text_len
        block = _people_lines(h, lines, nxt)
        people = _people(h, block)
        heading = "\n".join(ln.text for ln in lines[h.line : h.body])
        found = stacked.get(h.line, []) + _refs(h, heading, block)
        heading_end = lines[h.body - 1].end
        out.append(_Raw(h, lines[first].start, end, heading_end, _aliases(h.case_id, h.style, found), people))
    return out


def _fold_duplicates(raws: Sequence[_Raw]) -> list[CaseSection]:
    """One section per case id: a heading section (before a table row), the longest, is the case; the
    others are its extra spans (its row in a case-list table, its rows in a table of actions by case)."""
    groups: dict[str, list[_Raw]] = {}
    for r in raws:
        groups.setdefault(normalise_id(r.head.case_id), []).append(r)
    out = []
    for group in groups.values():
        main = max(group, key=lambda r: (r.head.style != "table", r.end - r.start))
        extra = tuple((r.start, r.end) for r in group if r is not main)
        aliases = tuple(dict.fromkeys(a for r in group for a in r.aliases))
        people = _People([], [], [])
        for r in [main, *[g for g in group if g is not main]]:
            for role in ("victim", "perpetrator", "children"):
                people.add(role, getattr(r.people, role))
        out.append(CaseSection(main.head.case_id, aliases, main.start, main.end, main.heading_end,
                               tuple(people.victim), tuple(people.perpetrator), tuple(people.children), extra))
    return sorted(out, key=lambda c: c.start)


def find_structure(text: str, doc_type: str | None = None) -> Structure:
    """Split ``text`` into header, case sections and trailer (see the module docstring)."""
    lines = _lines(text)
    minutes = doc_type in (None, "minutes")
    heads, stacked = _merge_stacked(_choose(_candidates(lines), lines, minutes), lines)
    if not heads:
        title = _title_head(lines) if minutes else None
        heads = [title] if title else []
    if not heads:
        return Structure((0, len(text)), (), None, single_case=not minutes)
    close = _closing(lines, heads[-1].line)
    stop = close if close is not None else len(lines)
    raws = _raw_sections(heads, stacked, lines, stop, len(text))
    cases = _fold_duplicates(raws)
    if not minutes and len(cases) < 2:
        return Structure((0, len(text)), (), None, single_case=True)
    first = min(s for c in cases for s, _ in c.spans())
    trailer = (lines[close].start, len(text)) if close is not None else None
    return Structure((0, first), tuple(cases), trailer)
