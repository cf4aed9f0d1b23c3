"""After Presidio: tidy PERSON spans, carry each detected name to its other mentions in the
document, and settle overlaps (one label per character, stricter identifiers first)."""

from __future__ import annotations

import bisect
import functools
import re as stdlib_re
from dataclasses import replace

import regex as re

from redactor.detect.lexicon import Lexicon
from redactor.model import Finding
from redactor.structure import Structure, find_structure

# When two labels claim the same characters, the higher priority keeps them.
PRIORITY = {
    "EMAIL_ADDRESS": 9,
    "NHS_NUMBER": 8,
    "NI_NUMBER": 8,
    "IMMIGRATION_ID": 7,
    "DATE_OF_BIRTH": 7,
    "REFERENCE": 6,
    "PHONE_NUMBER": 5,
    "ADDRESS": 4,
    "PERSON": 3,
}
_NAME_WORD = re.compile(r"\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)*|(?:Mc|Mac|O'|O’)\p{Lu}\p{Ll}+|\p{Lu}{2,3}")
_SEED_SCORE = 0.55


def clean_people(text: str, findings: list[Finding], lexicon: Lexicon) -> list[Finding]:
    """Keep of each PERSON finding only its longest run of name-like words (titles allowed in
    front); drop it when no name is left."""
    out = []
    for f in findings:
        if f.label != "PERSON":
            out.append(f)
            continue
        run = _name_run(text, f.start, f.end, lexicon)
        if run is None or (
            f.pattern and f.pattern.startswith(("forename_then", "capital_surname")) and run != (f.start, f.end)
        ):
            continue  # a police-style pattern that only matched with a non-name word in it
        if any(w.rstrip(".,") in lexicon.org_words for w in text[run[0] : run[1]].split()[1:]):
            continue  # "Hampshire Constabulary", "Coventry Haven Service": an organisation
        out.append(_moved(f, *run))
    return out


_WORD = re.compile(r"[^\s,;:()|/]+")


def _name_run(text: str, start: int, end: int, lexicon: Lexicon) -> tuple[int, int] | None:
    start, end = _trim_person(text, start, end)
    best: tuple[int, int] | None = None
    run: list[tuple[int, int, bool]] = []  # (start, end, is_title)
    for m in [*_WORD.finditer(text, start, end), None]:
        word = m.group(0).rstrip(".") if m else ""
        between = text[run[-1][1] : m.start()] if (m and run) else " "
        title = bool(m) and word in lexicon.titles
        if m and (title or _is_name_word(m.group(0), lexicon)) and "\n" not in between and len(between) <= 2:
            run.append((m.start(), m.end(), title))
            continue
        names = [r for r in run if not r[2]]
        if names and (best is None or names[-1][1] - run[0][0] > best[1] - best[0]):
            best = (run[0][0], names[-1][1])
        run = []
        if m and (title or _is_name_word(m.group(0), lexicon)):
            run.append((m.start(), m.end(), title))
    if best is None:
        return None
    return _trim_person(text, *best)


def _is_name_word(word: str, lexicon: Lexicon) -> bool:
    bare = word.rstrip(".").removesuffix("'s").removesuffix("’s")
    if not bare or any(ch.isdigit() for ch in bare) or bare in lexicon.not_names:
        return False
    if len(bare) == 1:
        return bare.isupper()  # an initial: "L. Dunn", "Mrs K"
    if bare.isupper():
        plain = bare.replace(".", "")
        if plain in lexicon.acronyms:
            return False
        return len(plain) <= 3 or (plain.isalpha() and plain.title() not in lexicon.not_names)
    return bare[0].isupper()


def _trim_person(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    for suffix in ("'s", "’s", "'", "’"):
        if piece.endswith(suffix):
            end -= len(suffix)
            piece = piece[: -len(suffix)]
    while end > start and not text[end - 1].isalnum() and text[end - 1] != ".":
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    return start, end


def _moved(f: Finding, start: int, end: int) -> Finding:
    if (start, end) == (f.start, f.end):
        return f
    return replace(f, start=start, end=end)


REFUGE = re.compile(
    r"(?i)\b(?:refuge|safe[- ]?house|emergency\s+(?:placement|accommodation|housing|hostel|bed)|"
    r"hostel|placement|sanctuary\s+scheme|place\s+of\s+safety|women'?s\s+aid|shelter|"
    r"temporary\s+(?:accommodation|housing|B&B|placement)|B&B|bed\s+and\s+breakfast)(?!\w)"
)


def tag_refuges(text: str, findings: list[Finding]) -> list[Finding]:
    """An address described as a refuge, safe house or emergency placement (in its own words, or
    in the words just before it in the same sentence or line) gets the tag "refuge"."""
    out = []
    for f in findings:
        if f.label == "ADDRESS":
            line_start = max(text.rfind("\n", 0, f.start), text.rfind(". ", 0, f.start), f.start - 120)
            window = text[max(0, line_start) : min(len(text), f.end + 25)]
            if REFUGE.search(window):
                f = replace(f, tags=(*f.tags, "refuge"), explanation=f"{f.explanation}; described as a refuge")
        out.append(f)
    return _spread_refuge(text, out)


def _spread_refuge(text: str, findings: list[Finding]) -> list[Finding]:
    """A part of a refuge's address written again elsewhere ("seen on Stoney Stanton Road") is the refuge too."""
    refuges = [" ".join(text[f.start : f.end].lower().split()) for f in findings if "refuge" in f.tags]
    out = []
    for f in findings:
        own = " ".join(text[f.start : f.end].lower().split())
        if f.label == "ADDRESS" and "refuge" not in f.tags and len(own) >= 6 and any(own in r for r in refuges):
            f = replace(f, tags=(*f.tags, "refuge"), explanation=f"{f.explanation}; part of a refuge's address")
        out.append(f)
    return out


STRONG = {"field_person", "titled_person", "relation_person"}
_NEXT_WORD = re.compile(r"[ \t]*([A-Z][\w'’]*\.?)")


def drop_non_people(text: str, findings: list[Finding], lexicon: Lexicon, places: frozenset[str]) -> list[Finding]:
    """PERSON findings that are part of an organisation's name ("Asha Project"), a place known to
    GeoNames, or an unknown abbreviation are dropped unless a field label or title vouched for them."""
    out = []
    for f in findings:
        if f.label == "PERSON":
            nxt = _NEXT_WORD.match(text, f.end)
            if nxt and nxt.group(1).rstrip(".") in lexicon.org_words:
                continue  # the first words of an organisation's name: "Bristol Marac", "Asha Project"
            if f.recognizer not in STRONG and not _is_person(text, f, lexicon, places):
                continue
        out.append(f)
    return out


def _is_person(text: str, f: Finding, lexicon: Lexicon, places: frozenset[str]) -> bool:
    piece = text[f.start : f.end]
    if piece.startswith("St ") or piece.startswith("St."):
        return False  # a saint's name: a church, a school, a street
    words = [w for w in re.findall(r"[\w'’-]+", piece) if w not in lexicon.titles]
    if words and all(w in places for w in words) and f.recognizer in {"SpacyRecognizer", "name_propagation"}:
        return False
    return not (piece.isupper() and len(piece) <= 3 and f.recognizer == "SpacyRecognizer")


PERSON_VERBS = re.compile(
    r"[ \t]+(?:said|says|reported|reports|disclosed|discloses|told|tells|stated|states|has|had|is|was|will|would|"
    r"attended|went|left|called|rang|asked|wants|lives|lived|denies|denied|agreed|refused|returned|moved|"
    r"confirmed|explained|described|became|took|threatened|hit|pushed|assaulted)\b|['’]s\b"
)


def keep_evidenced_initials(text: str, findings: list[Finding]) -> list[Finding]:
    """Bare capitals ("AB") are a person only with evidence: they are the initials of a name found
    in the document, or a possessive or a verb of speech or action follows them."""
    initials = set()
    for f in findings:
        if f.label == "PERSON" and f.recognizer != "initials":
            words = re.findall(r"\p{Lu}[\p{L}'’-]+", text[f.start : f.end])
            if 2 <= len(words) <= 3:
                initials.add("".join(w[0] for w in words))
    out = []
    for f in findings:
        if f.recognizer == "initials":
            token = text[f.start : f.end].replace(".", "")
            if token not in initials and not PERSON_VERBS.match(text, f.end):
                continue
            f = replace(f, score=0.6)
        out.append(f)
    return out


_ID = r"([A-Z0-9][A-Z0-9/\-]{3,20})"
_MARAC_SHAPE = r"([A-Z]{2,5}[/-]\d{2}[/-]\d{2,4})"
_REF = r"(?:ref(?:erence)?|case\s+(?:ref|no\.?|number))\s*[.:#]?\s*"
MARAC_ID_SITES = re.compile(
    # a case heading: "Case 2 - Ref SAL/25/047", "CASE NO. 1 - Ref LUT/0925/01", "Referral 1 of 3 - Ref KTN/24/118"
    rf"(?im)^[ \t#*]*(?:case|item|referral)\s*(?:no\.?\s*)?\d+\s*(?:of\s*\d+\s*)?[-–:.)]?\s*(?:marac\s+)?{_REF}{_ID}"
    rf"|marac\s+(?:case\s+)?(?:ref(?:erence)?|no\.?|number)\s*[.:#]?\s*{_ID}"
    rf"|(?:marac|case|referral|item|discussion|victim|perpetrator)[^\n]{{0,80}}?\bref\s*[.:#]?\s*{_MARAC_SHAPE}"
    # the first cell of a case row or an actions list: "DS/25/049 Donna ATKINSON", "C25-117 | V: ..."
    r"|^[ \t]*([A-Z]{1,5}\d{0,4}[/-]\d{2,4}(?:[/-]\d{2,4})?)[ \t]*(?:\||[-–]|$|\p{Lu})"
    r"|^[ \t]*([A-Z]{2,5}-\d{3,5})[ \t]{2,}(?:V|Victim)\b"
)
# "Ref SAL/25/047" alone at the start of a line: the Marac's own when it has the Marac's shape or
# when the document lists several ("Ref X" heading each case); otherwise an agency's reference.
BARE_REF_SITES = re.compile(rf"(?im)^[ \t#*]*(?:marac\s+)?{_REF}{_ID}")


# an id in the Marac's own style: letters first, then numbers (or short codes) after / or -
HEADING_REF = re.compile(r"(?<![\w/-])[A-Z]{1,6}\d{0,4}(?:[/-](?:\d{1,7}|[A-Z]{1,3}(?=[/-]))){1,4}(?![\w/-])")
MARAC_CUE = re.compile(r"(?i)\bmarac\s*\(?\s*(?:(?:action|case|extract|ref(?:erence)?|no\.?)\s*)?[:#]?\s*$")


@functools.lru_cache(maxsize=4)
def _structure(text: str) -> Structure:
    """The case sections, read once per text for the steps below (a str caches its own hash)."""
    return find_structure(text)


def structure_ids(text: str) -> set[str]:
    """Ids the structure finder reads as the Marac's own: every case heading's references and aliases
    ("Case No. 2 | LE/25/0212", "#1  SDW/0925/01 - HIGH", "Extract: case BK-25-12"), and an id right
    after the word Marac ("Subject: Marac SK/25/17", "Marac action WV-0412", "Marac (case SL-25-066)")."""

    ids: set[str] = set()
    for case in _structure(text).cases:
        heading = text[case.start : case.heading_end]
        ids |= {m.group(0) for m in HEADING_REF.finditer(heading)}
        ids |= {a for a in (case.case_id, *case.aliases) if HEADING_REF.fullmatch(a)}
    for m in HEADING_REF.finditer(text):
        if MARAC_CUE.search(text, max(0, m.start() - 30), m.start()):
            ids.add(m.group(0))
    return ids


def drop_marac_ids(text: str, findings: list[Finding]) -> list[Finding]:
    """The Marac's own case numbers ("Ref SAL/25/047" heading a case, the first cell of a case row)
    are not a person's reference: every mention of one is dropped."""
    ids = {g for m in MARAC_ID_SITES.finditer(text) for g in m.groups() if g}
    bare = {m.group(1) for m in BARE_REF_SITES.finditer(text)}
    ids |= bare if len(bare) >= 2 else {b for b in bare if re.fullmatch(r"[A-Z]{2,5}/\d{2}/\d{2,4}", b)}
    ids |= structure_ids(text)
    if not ids:
        return findings
    return [f for f in findings if not (f.label == "REFERENCE" and text[f.start : f.end] in ids)]


ID_CUES = {
    "IMMIGRATION_ID": re.compile(
        r"(?i)\b(?:passports?|home\s+office|HO|UKVI|BRP|biometric|GWF|EUSS|settlement|visa|vignette|UAN|CID|"
        r"port|travel\s+document|immigration|NASS|ARC|asylum|(?:protection|asylum|human\s+rights)\s+claim)\b"
    ),
    "REFERENCE": re.compile(
        r"(?i)\b(?:crime|police|hospital|hosp|patient|MRN|court|claim|mosaic|LCS|council|housing|homeless(?:ness)?|tenancy|"
        r"probation|CRN|prison|occurrence|incident|log|CAD|URN|school|UPN|pupil|mags|magistrates)\b"
    ),
}


def settle_identifier_labels(text: str, findings: list[Finding]) -> list[Finding]:
    """A number found by its shape alone takes its label from the nearest cue before it on its line:
    "Hospital no: K2291837" is a REFERENCE, "Passport: Nigerian, A09871234" an IMMIGRATION_ID."""
    out = []
    for f in findings:
        label = _settled_label(text, f)
        if label and label != f.label:
            f = replace(f, label=label, explanation=f"{f.explanation}; labelled by the cue before it")
        out.append(f)
    return out


def _settled_label(text: str, f: Finding) -> str | None:
    if f.label not in ID_CUES or f.recognizer.endswith("_in_context"):
        return None
    if f.pattern == "home_office_reference" and "/" in text[f.start : f.end]:
        return None  # "B7012356/002": the Home Office's own shape, whatever "claim" is near it
    if f.recognizer.endswith("_cued"):
        # a generic cue ("application ref") on a line about housing, a hospital or the police, and
        # nothing about immigration anywhere on the line
        line_start, line_end = text.rfind("\n", 0, f.start) + 1, text.find("\n", f.end)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        window = text[max(line_start, f.start - 40) : f.start]
        if f.label == "IMMIGRATION_ID" and not ID_CUES["IMMIGRATION_ID"].search(line):
            return "REFERENCE" if ID_CUES["REFERENCE"].search(window) else None
        return None
    return _nearest_cue_label(text, f.start)


def _nearest_cue_label(text: str, start: int) -> str | None:
    line_start = text.rfind("\n", 0, start) + 1
    window = text[max(line_start, start - 40) : start]
    best: tuple[int, str] | None = None
    for label, cue in ID_CUES.items():
        for m in cue.finditer(window):
            if best is None or m.end() > best[0]:
                best = (m.end(), label)
    return best[1] if best else None


def drop_address_words(text: str, findings: list[Finding]) -> list[Finding]:
    """A one-word PERSON that is also a word of a detected address (a town, a street) is the place."""
    place_words = {
        w for f in findings if f.label == "ADDRESS" for w in re.findall(r"[A-Z][A-Za-z'’-]+", text[f.start : f.end])
    }
    return [
        f
        for f in findings
        if not (f.label == "PERSON" and f.recognizer == "SpacyRecognizer" and text[f.start : f.end] in place_words)
    ]


def case_people(text: str, findings: list[Finding], lexicon: Lexicon) -> list[Finding]:
    """The people a case heading or its people lines name ("Case 1 - PL-25-019 - Rosalind Pascoe /
    Piot Sadowski", "V: ...", a case-list row) are PERSON where they are written in that case."""

    taken = bytearray(len(text))  # 1 where a PERSON finding already is
    for f in findings:
        if f.label == "PERSON":
            taken[f.start : f.end] = b"\x01" * (f.end - f.start)
    extra: list[Finding] = []
    for case in _structure(text).cases:
        for name in {*case.victim, *case.perpetrator, *case.children}:
            words = name.split()
            if len(name) < 3 or any(w in lexicon.not_names or w in lexicon.acronyms for w in words):
                continue
            pattern = stdlib_re.compile(r"(?<![\w'’-])" + stdlib_re.escape(name) + r"(?![\w-])")
            for a, b in case.spans():
                for m in pattern.finditer(text, a, b):
                    if not any(taken[m.start() : m.end()]):
                        extra.append(Finding(m.start(), m.end(), "PERSON", 0.7, "case_people",
                                             f"named by case {case.case_id}'s heading or people lines"))
                        taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    return findings + extra


def propagate_names(
    text: str, findings: list[Finding], lexicon: Lexicon, places: frozenset[str] = frozenset()
) -> list[Finding]:
    """Every other whole-word mention of a detected name (or one of its words) is PERSON too,
    except where the mention is the first word of an organisation's name."""
    names: set[str] = set()
    for f in findings:
        if f.label != "PERSON" or f.score < _SEED_SCORE:
            continue
        for word in _NAME_WORD.findall(text[f.start : f.end]):
            if word in lexicon.titles or word in lexicon.not_names:
                continue
            if word in places and f.recognizer not in STRONG:
                continue
            if word.isupper() and len(word) <= 3 and (word in lexicon.acronyms or f.recognizer not in STRONG):
                continue
            if word.isupper() and (word in lexicon.acronyms or word.title() in lexicon.not_names):
                continue
            names.add(word)
            if len(word) >= 4:
                names.add(word.title() if word.isupper() else word.upper())
    if not names:
        return findings
    pattern = stdlib_re.compile(  # built per document: the standard library compiles it far faster
        r"(?<![\w'’-])(?:" + "|".join(stdlib_re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])"
    )
    extra = []
    for m in pattern.finditer(text):
        nxt = _NEXT_WORD.match(text, m.end())
        if nxt and nxt.group(1).rstrip(".") in lexicon.org_words:
            continue
        extra.append(
            Finding(m.start(), m.end(), "PERSON", 0.6, "name_propagation", "another mention of a detected name")
        )
    return findings + extra


def resolve_overlaps(findings: list[Finding], text: str) -> list[Finding]:
    """One label per character: higher priority, then higher score, then longer span wins.
    Findings of the same label that overlap are merged into their union.

    Each finding is checked only against the kept findings that can reach it (an index by start and
    the longest kept span), in the order they were kept, so this stays near-linear in the findings."""
    ranked = sorted(  # the recognizer name breaks ties, so the result never depends on input order
        findings, key=lambda f: (-PRIORITY.get(f.label, 0), -f.score, -(f.end - f.start), f.start, f.recognizer,
                                 f.pattern or "")
    )
    kept: list[Finding] = []
    index: list[tuple[int, int]] = []  # (start, position in kept), sorted
    longest = 0
    for f in ranked:
        current: Finding | None = f
        lo, hi = bisect.bisect_left(index, (f.start - longest, -1)), bisect.bisect_left(index, (f.end, -1))
        for i in sorted(pos for _, pos in index[lo:hi]):
            k = kept[i]
            if current is None:
                break
            if not (current.start < k.end and k.start < current.end):
                continue
            if k.label == current.label:
                if current.start < k.start or current.end > k.end:
                    grown = _moved(k, min(k.start, current.start), max(k.end, current.end))
                    index.remove((k.start, i))
                    bisect.insort(index, (grown.start, i))
                    kept[i], longest = grown, max(longest, grown.end - grown.start)
                current = None
            else:
                current = _outside(current, k, text)
        if current is not None:
            kept.append(current)
            bisect.insort(index, (current.start, len(kept) - 1))
            longest = max(longest, current.end - current.start)
    return _merge_same_label(kept)


def _merge_same_label(findings: list[Finding]) -> list[Finding]:
    """A union made above can reach another kept finding of its label: merge until none overlap.
    In start order the spans of one label kept so far do not overlap, so only the last can reach."""
    out: list[Finding] = []
    last: dict[str, int] = {}
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        prev = last.get(f.label)
        if prev is not None and f.start < out[prev].end:
            out[prev] = _moved(out[prev], out[prev].start, max(out[prev].end, f.end))
        else:
            last[f.label] = len(out)
            out.append(f)
    return out


def _outside(f: Finding, k: Finding, text: str) -> Finding | None:
    """What is left of ``f`` beside a stronger ``k``: the longer side, less separators at its
    edges, if it keeps most of ``f``."""
    left, right = (f.start, min(f.end, k.start)), (max(f.start, k.end), f.end)
    start, end = max(left, right, key=lambda span: span[1] - span[0])
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    if end - start < 0.6 * (f.end - f.start):
        return None
    return _moved(f, start, end)
