"""Who is who in a document: the victim, perpetrator, children and others of each case section.

Read from the way Marac paperwork introduces people: header fields ("Victim:", "V:", "Perpetrator:",
"Children: A (6), B (3)", "Mother:", "Re: Ms X"), role brackets ("Amal (V)", "Mohamed (P)"),
ages ("Zayn (18 months)"), relationship phrases ("her husband, Ousman", "V's mother Bich Ngoc"),
role columns of a table ("Ref | Victim | Perpetrator"), and job titles that mark professionals.
A minutes pack is cut into case sections ("CASE 2", "Item 7:") and each gets its own cast; the
document's opening (a letter's "Re:" line) applies to every section.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex as re

VICTIM, PERPETRATOR, CHILD, OTHER, PRO = "victim", "perpetrator", "child", "other", "pro"

_TITLES = frozenset([
    "mr", "mrs", "ms", "miss", "mx", "dr", "pc", "dc", "ds", "di", "dci", "sgt", "insp", "supt", "cllr", "prof",
    "rev", "sister",
])
_MALE_TITLES = frozenset({"mr"})
_FEMALE_TITLES = frozenset({"mrs", "ms", "miss"})

# A field label right before a name ("Victim: ", "B7 Perpetrator: ", "V - ").
_LEFT_LABEL = re.compile(
    r"(?i)(?:^|[\s|(;,])(?P<label>victim|victim name|client|client name|applicant|v|vict|ip|injured party|survivor|"
    r"service user|adult at risk|patient|tenant|mother|mum|mam|re|our client|my client|your client|"
    r"perpetrators?|alleged perpetrators?|perp|p|dp|suspect|alleged abuser|abuser|father|dad|person on probation|"
    r"pop|offender|partner|ex-partner|husband|wife|subj|"
    r"children|child|baby|son|daughter|pupil|pupils|student|dependent child|dependants|young person|kids|"
    r"sibling|siblings|"
    r"others?|others? in household|household|others at risk|others? at address)"
    r"(?:\s*(?:name|\d)?\s*(?::|-|\u2013|\||(?<=mum|mother|dad|father|mam)\s*\()|[ \t]{2,}|\t)\s*"
    r"(?:(?:mrs|ms|miss|mr|mx|dr)\.?\s+)?$"
)
_LABEL_ROLE = {
    **dict.fromkeys([
        "victim", "client", "applicant", "v", "vict", "ip", "survivor", "tenant", "mother", "mum", "mam", "re",
    ], VICTIM),
    **dict.fromkeys(["victim name", "client name", "injured party", "service user", "adult at risk", "patient",
                     "our client", "my client", "your client"], VICTIM),
    **dict.fromkeys([
        "perpetrator", "perp", "p", "dp", "suspect", "abuser", "father", "dad", "subject", "pop", "offender",
    ], PERPETRATOR),
    **dict.fromkeys(["alleged perpetrator", "alleged abuser", "person on probation", "partner", "ex-partner",
                     "husband"], PERPETRATOR),
    "wife": VICTIM,
    **dict.fromkeys([
        "children", "child", "baby", "son", "daughter", "pupil", "pupils", "kids", "sibling", "siblings",
        "dependants",
    ], CHILD),
    **dict.fromkeys(["dependent child", "young person"], CHILD),
}
RELATIONS = frozenset(
    [
        "mother", "father", "mum", "dad", "mam", "sister", "brother", "cousin", "aunt", "auntie", "uncle", "nephew",
        "niece", "friend", "neighbour", "lodger", "flatmate", "housemate", "colleague", "employer", "boss",
        "grandmother", "grandfather", "nan", "gran", "grandson", "granddaughter", "in-laws", "mother-in-law",
        "father-in-law", "sister-in-law", "brother-in-law", "stepfather", "stepmother", "stepson", "stepdaughter",
        "partner", "husband", "wife", "boyfriend", "girlfriend", "ex", "ex-partner", "ex-husband", "ex-wife",
        "fiance", "fiancee", "son", "daughter", "child", "children", "baby", "twins", "boy", "girl", "relative",
        "family", "tenant", "landlord", "sponsor", "parents", "sibling", "siblings",
    ]
)
# A relationship phrase right before a name ("her husband, ", "V's mother ", "their son ").
_LEFT_REL = re.compile(
    r"(?i)\b(?P<owner>her|his|their|v's|p's|vict's|perp's|mum's|dad's|the victim's|the perpetrator's|[A-Z][a-z]+'s)"
    r"\s+(?:(?P<mod>new|former|late|older|younger|elder|eldest|youngest|only|current|two|three|baby|adult|"
    r"estranged|teenage|little|first|second|other)\s+)?(?P<rel>" + "|".join(sorted(RELATIONS, key=len, reverse=True))
    + r")(?:\s*,)?\s+(?:(?:mrs|ms|miss|mr|mx|dr)\.?\s+)?$"
)
_RIGHT_CUE = re.compile(
    r"(?i)^\s*(?:\((?P<bracket>v|p|victim|perpetrator|perp|alleged perpetrator|dp|ip|suspect|child|son|daughter|"
    r"husband|wife|partner|ex-partner|mother|father|mum|dad)\)|\((?:now\s+|aged\s+)?(?P<age>\d{1,2})(?:\s*(?:yrs?|years?|"
    r"(?P<baby>months?|m|weeks?|wks?)))?\)|,\s*(?:aged\s+)?(?P<age2>\d{1,2})(?:\s*(?:months?|yrs?))?\s*(?:[,;)]|$)|"
    r"\((?:year|yr|y)\s*\d{1,2}\b|\((?:dob|d\.o\.b\.?|born)\s*:?\s*(?:\d{1,2}[/.\-]\d{1,2}[/.\-])?(?P<born>20(?:0[89]|[12]\d)))"
)
# Professionals: a title or job word right before the name ("PC Hughes", "DSL P. Whitaker"), or a field
# that names the author or a meeting member ("From:", "Chair:", "Referrer:"). "IDVA: Craig is ..." is an
# agency update about Craig, not a professional.
_PRO_LEFT = re.compile(
    r"(?i)(?:\b(?:pc|dc|ds|di|dci|det|sgt|insp|supt|cllr|dr|worker|officer|oic|sw|idva|isva|manager|advocate|"
    r"nurse|midwife|teacher|tutor|dsl|hv|gp|solicitor|caseworker|dear)[\s.,(]*$|"
    r"\b(?:from|to|cc|chair|coordinator|referrer|worker|officer|oic|attendance|present|apologies|signed|completed by|"
    r"referred by|author|reviewer|social worker|key worker|tutor|teacher|dsl|contact)\s*:\s*$)"
)
_PRO_RIGHT = re.compile(
    r"(?i)^[^\n]{0,4}(?:,|\s-|\s\u2013|\s\()\s*(?:idva|isva|police|pc\b|dc\b|housing|social worker|sw\b|csc|children's|"
    r"adult social|asc\b|health|gp\b|probation|education|school|marac|coordinator|chair|manager|team|officer|"
    r"nurse|midwife|hv\b|health visitor|camhs|refuge|solicitor|advocate|dsl|caseworker|worker|safeguarding|"
    r"designated|outreach|support worker|family support|ward)"
)
_REL_ROLE = {
    **dict.fromkeys([
        "son", "daughter", "child", "children", "baby", "kids", "boy", "girl", "twins", "stepson", "stepdaughter",
    ], CHILD),
    **dict.fromkeys(["husband", "partner", "ex-partner", "ex", "boyfriend", "ex-husband", "fiance"], PERPETRATOR),
    **dict.fromkeys(["wife", "ex-wife", "girlfriend", "fiancee"], VICTIM),
}
_CASE_HEAD = re.compile(r"(?im)^[^\S\n]*(?:<<OUT:)?[^\S\n]*(?:case|item|ref)\b[^\S\n]*(?:no\.?[^\S\n]*)?[A-Z/]*\d+")
_CLIENT = re.compile(r"(?i)\b(?:our|my|your) client,?\s+(?:(?:mrs|ms|miss|mr|mx|dr)\.?\s+)?$")
_SPOUSE_OF = re.compile(
    r"(?i)\b(husband|wife|spouse|partner|sponsor)\s+of\s+(?:(?:mrs|ms|miss|mr|mx|dr)\.?\s+)?$"
)
_SUBJECT_LINE = re.compile(r"(?i)^(?:subject|subj|re)\s*:\s*(?:[\w ]{0,30}\s[-\u2013:]\s*)?$")
_TABLE_ROW = re.compile(r"(?m)^[^\S\n]*(?:<<OUT:)?[^\S\n]*[A-Z]{0,4}[/\-]?(?:\d+[/\-]?)+[^\S\n]*\|")
_TABLE_ROLE = {"victim": VICTIM, "v": VICTIM, "client": VICTIM, "perpetrator": PERPETRATOR, "p": PERPETRATOR,
               "perp": PERPETRATOR, "children": CHILD, "child": CHILD}
_YEAR = re.compile(r"\b(?:19|20)(\d\d)\b")
_NAME_WORD = re.compile(r"[^\W\d_][\w'\-’]*")


@dataclass
class Cast:
    """Name words -> role for one case section, and each role's grammatical gender when known.

    A first name (or the only word of a name) names one person. A surname may be shared by a family
    ("Ms Haddad", "Mr Haddad", "Yusuf Haddad (6)"), so a surname alone is resolved by its title's
    gender, or only when one role carries it.
    """

    names: dict[str, str] = field(default_factory=dict)
    surnames: dict[str, set[str]] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # every name word met, with a role or not
    strength: dict[str, int] = field(default_factory=dict)  # how sure each first name's role is

    def role_of(self, name: str) -> str | None:
        words = name_words(name)
        if not words:
            return None
        title = title_of(name)
        if words[0] in self.names and not (title and words[0] in self.surnames and len(words) == 1):
            return self.names[words[0]]
        for w in words:
            roles = self.surnames.get(w)
            if roles:
                return self._by_title(roles, title)
        return None

    def _by_title(self, roles: set[str], title: str | None) -> str | None:
        if title in _MALE_TITLES or title in _FEMALE_TITLES:
            want = "m" if title in _MALE_TITLES else "f"
            for role in (VICTIM, PERPETRATOR):
                if self.gender.get(role, "f" if role == VICTIM else "m") == want and (role in roles or len(roles) > 1
                                                                                    or CHILD in roles):
                    return role
        if len(roles) == 1:
            return next(iter(roles))
        return None

    def add(self, name: str, role: str, title: str | None, strength: int = 1) -> None:
        """Record one cue; a stronger cue replaces a weaker one for the same first name."""
        words = name_words(name)
        if not words:
            return
        if title is not None and len(words) == 1:
            self.surnames.setdefault(words[0], set()).add(role)
        else:
            for key in (words[0], *(p for p in words[0].split("-") if len(p) > 1 and p != words[0])):
                if strength > self.strength.get(key, -1):
                    self.names[key] = role
                    self.strength[key] = strength
            for w in words[1:]:
                self.surnames.setdefault(w, set()).add(role)
        if title in _MALE_TITLES:
            self.gender.setdefault(role, "m")
        elif title in _FEMALE_TITLES:
            self.gender.setdefault(role, "f")

    def merge(self, other: Cast) -> None:
        """Add what ``other`` knows and this cast does not."""
        for w, r in other.names.items():
            if w not in self.names:
                self.names[w] = r
                self.strength[w] = other.strength.get(w, 1)
        for w, rs in other.surnames.items():
            self.surnames.setdefault(w, set()).update(rs)
        for r, g in other.gender.items():
            self.gender.setdefault(r, g)
        self.seen |= other.seen

    def knows_role(self, word: str) -> bool:
        return word in self.names or word in self.surnames

    def knows(self, word: str) -> bool:
        return word in self.names or word in self.surnames or word in self.seen


def name_words(name: str) -> list[str]:
    """Lower-case words of a name without titles or possessive 's."""
    out = []
    for w in _NAME_WORD.findall(name):
        w = w.lower()
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        if w and w not in _TITLES and len(w) > 1:
            out.append(w)
    return out


def title_of(name: str) -> str | None:
    m = _NAME_WORD.match(name.strip())
    return m.group(0).lower().rstrip(".") if m and m.group(0).lower().rstrip(".") in _TITLES else None


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    role: str | None  # from a cue at this mention, or None
    strength: int = 0


def sections(text: str) -> list[int]:
    """Start offsets of case sections (0 first): case headings and the rows of a case table."""
    heads = {m.start() for m in _CASE_HEAD.finditer(text)} | {m.start() for m in _TABLE_ROW.finditer(text)}
    return [0, *sorted(h for h in heads if h > 0)]


def cue_role(text: str, start: int, end: int) -> str | None:
    """The role the text around one name mention gives it, if any."""
    return cue(text, start, end)[0]


def cue(text: str, start: int, end: int) -> tuple[str | None, int]:
    """(role, strength): a field label or a role bracket (3) beats an age or a relationship (2), an
    email's subject line (1) or a guess that the person is a professional (0)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left = text[max(line_start, start - 60):start]
    right = text[end:min(line_end, end + 60)]
    m = _LEFT_LABEL.search(left)
    if m:
        role = _label_role(text, m.group("label"), start)
        if role:
            return role, 3
    if _CLIENT.search(left):
        return VICTIM, 3
    m = _SPOUSE_OF.search(left)
    if m:
        return (VICTIM if m.group(1).lower() == "husband" else PERPETRATOR), 2  # "the wife of X": X is him
    if _SUBJECT_LINE.search(left):  # an email about a case is usually about the victim
        return VICTIM, 1
    right_role = _right_role(right)
    if right_role is not None and _RIGHT_CUE.match(right).group("bracket"):  # type: ignore[union-attr]
        return right_role, 3
    if right_role is not None:
        return right_role, 2
    m = _LEFT_REL.search(left)
    if m:
        return _relation_role(m.group("rel").lower(), m.group("owner").lower(), (m.group("mod") or "").lower()), 2
    return _pro_role(left, right), 0


def _label_role(text: str, label: str, start: int) -> str | None:
    key = " ".join(label.lower().split())
    if key.endswith("perpetrators"):
        key = key[:-1]
    role = _LABEL_ROLE.get(key)
    if role == VICTIM and key == "re" and _young(text, start):
        return CHILD
    if role is None and key.startswith("other"):
        return OTHER
    return role


def _relation_role(rel: str, owner: str, mod: str) -> str:
    """"her husband, X" is the perpetrator, "their mother, X" the victim, "V's brother X" someone else."""
    if mod in ("new", "second", "current", "other"):
        return OTHER
    if rel in ("stepfather", "stepdad"):
        return PERPETRATOR
    if rel in ("father", "dad"):
        return PERPETRATOR if owner in ("their", "the children's") else OTHER
    if rel in ("mother", "mum"):
        return VICTIM if owner in ("their", "the children's") else OTHER
    return _REL_ROLE.get(rel, OTHER)


def _young(text: str, start: int) -> bool:
    """A "Re:" name followed on the same line by a recent date of birth or a school year is a child."""
    line_end = text.find("\n", start)
    rest = text[start:line_end if line_end > 0 else len(text)][:80]
    if re.search(r"(?i)\byear\s*\d", rest):
        return True
    years = [int(y) for y in _YEAR.findall(rest)]
    return bool(years) and min(years) >= 6 and min(years) < 40


def _right_role(right: str) -> str | None:
    m = _RIGHT_CUE.match(right)
    if not m:
        return None
    if m.group("bracket"):
        b = m.group("bracket").lower()
        if b in ("v", "victim", "ip", "wife", "mother", "mum"):
            return VICTIM
        if b in ("child", "son", "daughter"):
            return CHILD
        return PERPETRATOR
    age = m.group("age") or m.group("age2")
    if age is None or m.group("baby") or int(age) < 18:
        return CHILD
    return None


def _pro_role(left: str, right: str) -> str | None:
    if _PRO_LEFT.search(left) or _PRO_RIGHT.match(right):
        return PRO
    return None


_HEAD_PAIR = re.compile(
    r"(?im)^[^\S\n]*(?:<<OUT:)?[^\S\n]*(?:case|item)\b[^\n]{0,12}?\d+[^\S\n]*[:.\-\u2013\u2014][^\S\n]*"
    r"(?P<v>[^\n/|]{2,40}?)[^\S\n]+(?:/|v|vs\.?)[^\S\n]+(?P<p>[^\n/|(]{2,40}?)[^\S\n]*(?:\(|$)"
)


def _heading_pairs(text: str, starts: Sequence[int], casts: Sequence[Cast]) -> None:
    """"CASE 1 - HAQUE, Rehana / HAQUE, Mizanur", "Item 7: Kokilaben Mistry / Hitesh Mistry": victim / perpetrator."""
    for m in _HEAD_PAIR.finditer(text):
        cast = casts[_section_index(starts, m.start() + 1)]
        for group, role in (("v", VICTIM), ("p", PERPETRATOR)):
            name = m.group(group).strip()
            if "," in name:  # SURNAME, First
                surname, _, first = name.partition(",")
                name = f"{first.strip()} {surname.strip()}"
            if name_words(name):
                cast.add(name, role, title_of(name), 3)


def build_casts(text: str, mentions: Sequence[tuple[int, int]]) -> list[tuple[int, Cast]]:
    """A cast for each section: (section start, cast). Opening cues apply to every section.

    When a section names nobody as the victim (or the perpetrator), its first-named person without a
    role, mentioned at least twice, whose pronouns fit is taken to be the victim (then the
    perpetrator): a referral or a letter names the person it is about first.
    """
    starts = sections(text)
    cues = [Mention(s, e, *cue(text, s, e)) for s, e in mentions]
    cues += list(_table_cues(text, mentions))
    opening = Cast()
    casts = [Cast() for _ in starts]
    _heading_pairs(text, starts, casts)
    for m in cues:
        if m.role is None:
            continue
        i = _section_index(starts, m.start)
        name = text[m.start:m.end]
        casts[i].add(name, m.role, title_of(name), m.strength)
        if i == 0:
            opening.add(name, m.role, title_of(name), m.strength)
    if not _starts_with_case(text, starts):  # an opening before the first case applies to every case
        for c in casts[1:]:
            c.merge(opening)
    for i, c in enumerate(casts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        here = [(s, e) for s, e in mentions if starts[i] <= s < end]
        _default_roles(c, text, here)
        c.seen.update(w for s, e in here for w in name_words(text[s:e]) if w not in _NOT_NAMES)
    return list(zip(starts, casts, strict=True))


# Words spaCy's NER sometimes takes for names in Marac paperwork.
_NOT_NAMES = frozenset(
    [
        "marac", "idva", "isva", "police", "chair", "coordinator", "case", "victim", "perpetrator", "council",
        "housing", "health", "probation", "csc", "home", "office", "ukvi", "dash", "mash", "refuge", "mum", "dad",
        "nan", "info", "ref",
    ]
)


def _default_roles(cast: Cast, text: str, mentions: Sequence[tuple[int, int]]) -> None:
    counts: dict[str, int] = {}
    genders: dict[str, list[str]] = {}
    first: dict[str, str] = {}
    for s, e in mentions:
        name = text[s:e]
        words = name_words(name)
        if not words or words[0] in _NOT_NAMES or words[0] in cast.names or words[0] in cast.surnames:
            continue
        key = words[0]
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, name)
        title = title_of(name)
        # a title says the gender outright (three votes); else the next pronoun is a hint
        genders.setdefault(key, []).extend(
            [_TITLE_SEX[title]] * 3 if title in _TITLE_SEX else [_next_pronoun(text, e)])
    ranked = list(counts)  # in order of first mention: a referral or letter names its subject first
    for role, default in ((VICTIM, "f"), (PERPETRATOR, "m")):
        if role in cast.names.values():
            continue
        want = cast.gender.get(role, default)
        for w in ranked:
            if counts[w] >= 2 and _fits(genders[w], want) and not cast.knows_role(w):
                cast.add(first[w], role, title_of(first[w]), 0)
                break


_TITLE_SEX = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}


_NEXT_PRONOUN = re.compile(r"(?i)\b(she|her|hers|herself|he|him|his|himself)\b")


def _next_pronoun(text: str, end: int) -> str:
    """The gender of the first pronoun in the 80 characters after a mention ("" if none)."""
    m = _NEXT_PRONOUN.search(text, end, min(len(text), end + 80))
    if not m:
        return ""
    return "f" if m.group(1).lower().startswith(("she", "her")) else "m"


def _fits(genders: Sequence[str], want: str) -> bool:
    """The pronouns after a name do not point the other way more often than this way."""
    known = [g for g in genders if g]
    return sum(g == want for g in known) * 2 >= len(known)


def _starts_with_case(text: str, starts: Sequence[int]) -> bool:
    """True when the first section is itself a case (the text opens with a case heading)."""
    first_line = text[:starts[1]] if len(starts) > 1 else text
    return bool(_CASE_HEAD.match(first_line) or _TABLE_ROW.match(first_line))


def _section_index(starts: Sequence[int], pos: int) -> int:
    i = 0
    for k, s in enumerate(starts):
        if s <= pos:
            i = k
    return i


def cast_at(casts: Sequence[tuple[int, Cast]], pos: int) -> Cast:
    return casts[_section_index([s for s, _ in casts], pos)][1]


def _table_cues(text: str, mentions: Iterable[tuple[int, int]]) -> Iterable[Mention]:
    """Names in the "Victim" / "Perpetrator" / "Children" columns of a pipe table (rows may be
    separated by notes about each case)."""
    columns: dict[int, str] = {}
    width = 0
    spans = sorted(mentions)
    for line in re.finditer(r"[^\n]+", text):
        cells = [c.strip().lower() for c in line.group(0).split("|")]
        heads = {i: _TABLE_ROLE[c] for i, c in enumerate(cells) if c in _TABLE_ROLE}
        if len(cells) >= 2 and heads:
            columns, width = heads, len(cells)
            continue
        if not columns or len(cells) != width:
            continue
        bounds = _cell_bounds(line.group(0), line.start())
        for s, e in spans:
            for i, (cs, ce) in enumerate(bounds):
                if cs <= s < ce and i in columns:
                    yield Mention(s, e, columns[i], 3)


def _cell_bounds(line: str, offset: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for part in line.split("|"):
        out.append((offset + pos, offset + pos + len(part)))
        pos += len(part) + 1
    return out
