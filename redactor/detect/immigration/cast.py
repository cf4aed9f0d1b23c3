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

_TITLES = frozenset(["mr", "mrs", "ms", "miss", "mx", "dr", "pc", "dc", "ds", "di", "dci", "sgt", "insp", "supt", "cllr", "prof", "rev", "sister"])
_MALE_TITLES = frozenset({"mr"})
_FEMALE_TITLES = frozenset({"mrs", "ms", "miss"})

# A field label right before a name ("Victim: ", "B7 Perpetrator: ", "V - ").
_LEFT_LABEL = re.compile(
    r"(?i)(?:^|[\s|(;,])(?P<label>victim|victim name|client|client name|applicant|v|vict|ip|injured party|survivor|"
    r"service user|adult at risk|patient|tenant|mother|mum|mam|re|our client|my client|your client|"
    r"perpetrator|alleged perpetrator|perp|p|dp|suspect|alleged abuser|abuser|father|dad|person on probation|"
    r"pop|offender|partner|ex-partner|husband|wife|subj|"
    r"children|child|baby|son|daughter|pupil|pupils|student|dependent child|dependants|young person|kids|sibling|siblings|"
    r"others?|others? in household|household|others at risk|others? at address)"
    r"\s*(?:name|\d)?\s*(?::|-|\u2013)\s*(?:(?:mrs|ms|miss|mr|mx|dr)\.?\s+)?$"
)
_LABEL_ROLE = {
    **dict.fromkeys(["victim", "client", "applicant", "v", "vict", "ip", "survivor", "tenant", "mother", "mum", "mam", "re"], VICTIM),
    **dict.fromkeys(["victim name", "client name", "injured party", "service user", "adult at risk", "patient",
                     "our client", "my client", "your client"], VICTIM),
    **dict.fromkeys(["perpetrator", "perp", "p", "dp", "suspect", "abuser", "father", "dad", "subject", "pop", "offender"], PERPETRATOR),
    **dict.fromkeys(["alleged perpetrator", "alleged abuser", "person on probation", "partner", "ex-partner",
                     "husband"], PERPETRATOR),
    "wife": VICTIM,
    **dict.fromkeys(["children", "child", "baby", "son", "daughter", "pupil", "pupils", "kids", "sibling", "siblings", "dependants"], CHILD),
    **dict.fromkeys(["dependent child", "young person"], CHILD),
}
RELATIONS = frozenset(
    ["mother", "father", "mum", "dad", "mam", "sister", "brother", "cousin", "aunt", "auntie", "uncle", "nephew", "niece", "friend", "neighbour", "lodger", "flatmate", "housemate", "colleague", "employer", "boss", "grandmother", "grandfather", "nan", "gran", "grandson", "granddaughter", "in-laws", "mother-in-law", "father-in-law", "sister-in-law", "brother-in-law", "stepfather", "stepmother", "stepson", "stepdaughter", "partner", "husband", "wife", "boyfriend", "girlfriend", "ex", "ex-partner", "ex-husband", "ex-wife", "fiance", "fiancee", "son", "daughter", "child", "children", "baby", "twins", "boy", "girl", "relative", "family", "tenant", "landlord", "sponsor", "parents", "sibling", "siblings"]
)
# A relationship phrase right before a name ("her husband, ", "V's mother ", "their son ").
_LEFT_REL = re.compile(
    r"(?i)\b(?P<owner>her|his|their|v's|p's|vict's|perp's|mum's|dad's|the victim's|the perpetrator's|[A-Z][a-z]+'s)"
    r"\s+(?:(?P<mod>new|former|late|older|younger|elder|eldest|youngest|only|current|two|three|baby|adult|"
    r"estranged|teenage|little|first|second|other)\s+)?(?P<rel>" + "|".join(sorted(RELATIONS, key=len, reverse=True)) + r")(?:\s*,)?\s+(?:(?:mrs|ms|miss|mr|mx|dr)\.?\s+)?$"
)
_RIGHT_CUE = re.compile(
    r"(?i)^\s*(?:\((?P<bracket>v|p|victim|perpetrator|perp|alleged perpetrator|dp|ip|suspect|child|son|daughter|"
    r"husband|wife|partner|ex-partner|mother|father|mum|dad)\)|\((?:now\s+|aged\s+)?(?P<age>\d{1,2})(?:\s*(?:yrs?|years?|"
    r"months?|m|weeks?))?\)|,\s*(?:aged\s+)?(?P<age2>\d{1,2})(?:\s*(?:months?|yrs?))?\s*(?:[,;)]|$)|"
    r"\((?:year|yr|y)\s*\d{1,2}\b|\((?:dob|d\.o\.b\.?|born)\s*:?\s*(?:\d{1,2}[/.\-]\d{1,2}[/.\-])?(?P<born>20(?:0[89]|[12]\d)))"
)
_PRO_LEFT = re.compile(
    r"(?i)(?:\b(?:pc|dc|ds|di|dci|sgt|insp|supt|cllr|dr|chair|coordinator|worker|referrer|officer|oic|sw|idva|isva|"
    r"manager|advocate|nurse|midwife|teacher|dsl|hv|gp|solicitor|caseworker|attendance|present|apologies|signed|"
    r"completed by|referred by|author|reviewer|dear)[\s:.,(]*$|\b(?:from|to|cc)\s*:\s*$)"
)
_PRO_RIGHT = re.compile(
    r"(?i)^[^\n]{0,4}(?:,|\s-|\s\u2013|\s\()\s*(?:idva|isva|police|pc\b|dc\b|housing|social worker|sw\b|csc|children's|"
    r"adult social|asc\b|health|gp\b|probation|education|school|marac|coordinator|chair|manager|team|officer|"
    r"nurse|midwife|hv\b|health visitor|camhs|refuge|solicitor|advocate|dsl|caseworker|worker|safeguarding|"
    r"designated|outreach|support worker|family support|ward)"
)
_REL_ROLE = {
    **dict.fromkeys(["son", "daughter", "child", "children", "baby", "kids", "boy", "girl", "twins", "stepson", "stepdaughter"], CHILD),
    **dict.fromkeys(["husband", "partner", "ex-partner", "ex", "boyfriend", "ex-husband", "fiance"], PERPETRATOR),
    **dict.fromkeys(["wife", "ex-wife", "girlfriend", "fiancee"], VICTIM),
}
_CASE_HEAD = re.compile(r"(?im)^[^\S\n]*(?:<<OUT:)?[^\S\n]*(?:case|item|ref)\b[^\S\n]*(?:no\.?[^\S\n]*)?[A-Z/]*\d+")
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

    def add(self, name: str, role: str, title: str | None) -> None:
        words = name_words(name)
        if not words:
            return
        if title is not None and len(words) == 1:
            self.surnames.setdefault(words[0], set()).add(role)
        else:
            self.names.setdefault(words[0], role)
            for part in words[0].split("-"):  # "Kelly-Ann" is also tokenised "Kelly", "-", "Ann"
                if len(part) > 1:
                    self.names.setdefault(part, role)
            for w in words[1:]:
                self.surnames.setdefault(w, set()).add(role)
        if title in _MALE_TITLES:
            self.gender.setdefault(role, "m")
        elif title in _FEMALE_TITLES:
            self.gender.setdefault(role, "f")

    def merge(self, other: Cast) -> None:
        """Add what ``other`` knows and this cast does not."""
        for w, r in other.names.items():
            self.names.setdefault(w, r)
        for w, rs in other.surnames.items():
            self.surnames.setdefault(w, set()).update(rs)
        for r, g in other.gender.items():
            self.gender.setdefault(r, g)
        self.seen |= other.seen

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


def sections(text: str) -> list[int]:
    """Start offsets of case sections (0 first)."""
    return [0, *(m.start() for m in _CASE_HEAD.finditer(text) if m.start() > 0)]


def cue_role(text: str, start: int, end: int) -> str | None:
    """The role the text around one name mention gives it, if any."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left = text[max(line_start, start - 60):start]
    right = text[end:min(line_end, end + 60)]
    return _left_role(text, left, start) or _right_role(right) or _pro_role(left, right)


def _left_role(text: str, left: str, start: int) -> str | None:
    m = _LEFT_LABEL.search(left)
    if m:
        role = _LABEL_ROLE.get(" ".join(m.group("label").lower().split()))
        if role == VICTIM and m.group("label").lower() == "re" and _young(text, start):
            return CHILD
        if role is None and m.group("label").lower().startswith("other"):
            return OTHER
        if role:
            return role
    m = _LEFT_REL.search(left)
    if m:
        rel, owner = m.group("rel").lower(), m.group("owner").lower()
        role = _REL_ROLE.get(rel)
        if (m.group("mod") or "").lower() in ("new", "second", "current", "other"):
            return OTHER
        if rel in ("stepfather", "father", "dad", "stepdad"):
            return OTHER if owner == "her" else PERPETRATOR
        if role == CHILD:
            return CHILD
        if rel in ("mother", "mum") and owner in ("their", "the children's"):
            return VICTIM
        if rel in ("father", "dad") and owner in ("their", "the children's"):
            return PERPETRATOR
        if role and owner in ("her", "his", "v's", "p's"):
            return role if rel not in ("partner",) or owner != "v's" else OTHER
        return OTHER
    return None


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
    if age is None or int(age) < 18:
        return CHILD
    return None


def _pro_role(left: str, right: str) -> str | None:
    if _PRO_LEFT.search(left) or _PRO_RIGHT.match(right):
        return PRO
    return None


def build_casts(text: str, mentions: Sequence[tuple[int, int]]) -> list[tuple[int, Cast]]:
    """A cast for each section: (section start, cast). Opening cues apply to every section.

    When a section names nobody as the victim, its most mentioned person without a role is taken to
    be the victim (Marac paperwork is about her).
    """
    starts = sections(text)
    cues = [Mention(s, e, cue_role(text, s, e)) for s, e in mentions]
    cues += list(_table_cues(text, mentions))
    opening = Cast()
    casts = [Cast() for _ in starts]
    for m in cues:
        if m.role is None:
            continue
        i = _section_index(starts, m.start)
        name = text[m.start:m.end]
        casts[i].add(name, m.role, title_of(name))
        if i == 0:
            opening.add(name, m.role, title_of(name))
    for c in casts[1:]:
        c.merge(opening)
    for i, c in enumerate(casts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        here = [text[s:e] for s, e in mentions if starts[i] <= s < end]
        _default_victim(c, here)
        c.seen.update(w for n in here for w in name_words(n) if w not in _NOT_NAMES)
    return list(zip(starts, casts, strict=True))


# Words spaCy's NER sometimes takes for names in Marac paperwork.
_NOT_NAMES = frozenset(
    "marac idva isva police chair coordinator case victim perpetrator council housing health probation csc "
    "home office ukvi dash mash refuge mum dad nan info ref".split()
)


def _default_victim(cast: Cast, names: Sequence[str]) -> None:
    if VICTIM in cast.names.values():
        return
    counts: dict[str, int] = {}
    for n in names:
        words = name_words(n)
        if words and words[0] not in _NOT_NAMES and not any(cast.knows(w) for w in words):
            counts[words[0]] = counts.get(words[0], 0) + 1
    if counts:
        best = max(counts, key=lambda w: (counts[w], -list(counts).index(w)))
        if counts[best] >= 2:
            cast.names[best] = VICTIM


def _section_index(starts: Sequence[int], pos: int) -> int:
    i = 0
    for k, s in enumerate(starts):
        if s <= pos:
            i = k
    return i


def cast_at(casts: Sequence[tuple[int, Cast]], pos: int) -> Cast:
    return casts[_section_index([s for s, _ in casts], pos)][1]


def _table_cues(text: str, mentions: Iterable[tuple[int, int]]) -> Iterable[Mention]:
    """Names in the "Victim" / "Perpetrator" columns of a pipe table."""
    columns: dict[int, str] = {}
    spans = sorted(mentions)
    for line in re.finditer(r"[^\n]+", text):
        cells = [c.strip().lower() for c in line.group(0).split("|")]
        if len(cells) < 2:
            columns = {}
            continue
        heads = {i: _TABLE_ROLE[c] for i, c in enumerate(cells) if c in _TABLE_ROLE}
        if heads:
            columns = heads
            continue
        if not columns:
            continue
        bounds = _cell_bounds(line.group(0), line.start())
        for s, e in spans:
            for i, (cs, ce) in enumerate(bounds):
                if cs <= s < ce and i in columns:
                    yield Mention(s, e, columns[i])


def _cell_bounds(line: str, offset: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for part in line.split("|"):
        out.append((offset + pos, offset + pos + len(part)))
        pos += len(part) + 1
    return out
