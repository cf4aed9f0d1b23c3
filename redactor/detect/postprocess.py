"""After Presidio: tidy PERSON spans, carry each detected name to its other mentions in the
document, and settle overlaps (one label per character, stricter identifiers first)."""

from __future__ import annotations

from dataclasses import replace

import regex as re

from redactor.detect.lexicon import Lexicon
from redactor.model import Finding

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
    r"hostel|placement|sanctuary\s+scheme|place\s+of\s+safety|women'?s\s+aid|shelter)\b"
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


MARAC_ID_SITES = re.compile(
    r"(?im)^[ \t#*]*(?:(?:case|item)\s*\d+\s*(?:of\s*\d+\s*)?[-–:.)]?\s*)?(?:marac\s+)?"
    r"(?:ref(?:erence)?|case\s+(?:ref|no\.?|number))"
    r"\s*[.:#]?\s*([A-Z0-9][A-Z0-9/\-]{3,20})|^[ \t]*([A-Z]{2,5}[/-]\d{2}[/-]\d{2,4})[ \t]*(?:\||[-–]|$)"
    r"|marac\s+(?:case\s+)?(?:ref(?:erence)?|no\.?|number)?\s*[.:#]?\s*([A-Z]{2,5}[/-]\d{2}[/-]\d{2,4})"
    r"|(?:marac|case|referral|item|discussion)[^\n]{0,30}?\bref\s*[.:#]?\s*([A-Z]{2,5}[/-]\d{2}[/-]\d{2,4})"
    r"|^[ \t]*([A-Z]{2,5}-\d{3,5})[ \t]{2,}(?:V|Victim)\b"
)


def drop_marac_ids(text: str, findings: list[Finding]) -> list[Finding]:
    """The Marac's own case numbers ("Ref SAL/25/047" heading a case, the first cell of a case row)
    are not a person's reference: every mention of one is dropped."""
    ids = {g for m in MARAC_ID_SITES.finditer(text) for g in m.groups() if g}
    if not ids:
        return findings
    return [f for f in findings if not (f.label == "REFERENCE" and text[f.start : f.end] in ids)]


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
    pattern = re.compile(
        r"(?<![\w'’-])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w-])"
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
    Findings of the same label that overlap are merged into their union."""
    ranked = sorted(findings, key=lambda f: (-PRIORITY.get(f.label, 0), -f.score, -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in ranked:
        current: Finding | None = f
        for i, k in enumerate(kept):
            if current is None:
                break
            if not (current.start < k.end and k.start < current.end):
                continue
            if k.label == current.label:
                if current.start < k.start or current.end > k.end:
                    kept[i] = _moved(k, min(k.start, current.start), max(k.end, current.end))
                current = None
            else:
                current = _outside(current, k, text)
        if current is not None:
            kept.append(current)
    return _merge_same_label(kept)


def _merge_same_label(findings: list[Finding]) -> list[Finding]:
    """A union made above can reach another kept finding of its label: merge until none overlap."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        prev = next((i for i in range(len(out) - 1, -1, -1) if out[i].label == f.label and f.start < out[i].end), None)
        if prev is not None:
            out[prev] = _moved(out[prev], out[prev].start, max(out[prev].end, f.end))
        else:
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
