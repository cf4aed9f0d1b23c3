"""Whose immigration information a passage carries: features for the subject model.

Cues, all read from the chunk's spaCy Doc and the case's cast (``cast.py``):

* people named in the passage and their role in the case (first mention, grammatical subject,
  possessor: "Shahid's cousin"), role words ("V", "P", "the children", "Mum") and relationship
  words with their owner ("her sister", "P's mother", "his new partner");
* pronouns mapped to roles by the case's genders (in this domain "he" is usually the perpetrator
  when the victim is a woman, and the other way round), and possessives on status words ("his visa",
  "her leave");
* the field label ("V -", "Sister's status:"), the passage's category (coercion is almost always
  about the victim or a child) and any subject hint from a pattern.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Span, Token

from redactor.detect.immigration.cast import CHILD, OTHER, PERPETRATOR, PRO, RELATIONS, VICTIM, Cast, cue_role
from redactor.detect.immigration.patterns import Hit

Features = dict[str, float]

_ROLE_WORDS = {
    **dict.fromkeys(["v", "vict", "victim", "ip", "client", "applicant", "survivor", "complainant"], VICTIM),
    **dict.fromkeys(["p", "dp", "perp", "perpetrator", "suspect", "subj", "abuser", "offender", "pop"], PERPETRATOR),
    **dict.fromkeys([
        "children", "child", "kids", "kid", "baby", "son", "daughter", "sons", "daughters", "twins", "pupil",
        "pupils", "boy", "girl", "siblings", "toddler", "infant", "newborn", "unborn",
    ], CHILD),
}
_PARENT_WORDS = {"mum": "mum", "mother": "mum", "mama": "mum", "mummy": "mum", "mam": "mum",
                 "dad": "dad", "father": "dad", "papa": "dad", "daddy": "dad"}
_MALE = frozenset(["he", "him", "his", "himself"])
_FEMALE = frozenset(["she", "her", "hers", "herself"])
_PLURAL = frozenset(["they", "them", "their", "theirs", "themselves"])
_STATUS_NOUNS = frozenset(
    [
        "visa", "leave", "status", "passport", "passports", "papers", "documents", "application", "claim",
        "permission", "grant", "route", "sponsorship", "card", "brp", "settlement", "citizenship", "nationality",
        "appeal", "case", "conditions", "condition", "stay", "residence", "permit", "id", "extension", "renewal",
        "asylum", "funds", "benefits", "entitlement", "reporting", "bail", "removal", "deportation", "detention",
        "sponsor", "employer", "course",
    ]
)
_SUBJ_DEPS = frozenset({"nsubj", "nsubjpass"})
LEXICAL_WEIGHT = 0.5  # content lemmas help a little; at full weight they drown the cues above


def default_genders(cast: Cast) -> dict[str, str]:
    """Each role's gender: what the case says, else the common pattern (victim f, perpetrator m)."""
    g = {VICTIM: "f", PERPETRATOR: "m"}
    g.update(cast.gender)
    return g


def pronoun_role(word: str, genders: dict[str, str]) -> str:
    if word in _PLURAL:
        return "plural"
    gender = "m" if word in _MALE else "f"
    roles = [r for r in (VICTIM, PERPETRATOR) if genders.get(r) == gender]
    return roles[0] if len(roles) == 1 else "ambiguous"


def subject_features(span: Span, text: str, person_tokens: dict[int, tuple[int, int]], cast: Cast,
                     label: str, category: str, hits: Sequence[Hit], context: Span | None = None) -> Features:
    """``person_tokens`` maps a token index to the (chunk) character span of the name it is part of;
    ``context`` is the text just before the passage in its paragraph (for pronouns that point back)."""
    f: Features = {"bias": 1.0, "cat=" + category: 1.0}
    genders = default_genders(cast)
    first: str | None = None
    before = _context_refs(context, text, person_tokens, cast, genders) if context is not None else {}
    if before:
        f["ctxlast=" + before[max(before)][0]] = 1.0
    refs: dict[int, tuple[str, str | None]] = {}
    for t in span:
        role = _token_cue(t, text, person_tokens, cast, genders, f)
        if role:
            refs[t.i] = (role, _gender(t, role, genders))
            if first is None:
                first = role
        elif t.lower_ in _MALE or t.lower_ in _FEMALE:
            resolved = resolve_pronoun(t, span, refs, genders)
            f["pronres=" + resolved] = 1.0
            if t.dep_ in _SUBJ_DEPS:
                f["pronressubj=" + resolved] = 1.0
    _holder_features(span, refs, genders, f)
    if first:
        f["first=" + first] = 1.0
        f[f"cat={category}&first={first}"] = 1.0
    _label_features(label, f)
    for t in span:
        if t.is_alpha and t.i not in person_tokens and not t.is_stop and not cast.knows(t.lower_):
            f["lw=" + t.lemma_.lower()] = LEXICAL_WEIGHT
    for h in hits:
        if h.rule.subject:
            f["hint=" + h.rule.subject] = 1.0
    return f


_FEMALE_WORDS = frozenset([
    "mother", "mum", "sister", "daughter", "wife", "girlfriend", "aunt", "auntie", "niece", "grandmother", "nan",
    "gran", "stepmother", "mother-in-law", "sister-in-law", "girl", "fiancee", "ex-wife",
])
_MALE_WORDS = frozenset([
    "father", "dad", "brother", "son", "husband", "boyfriend", "uncle", "nephew", "grandfather", "stepfather",
    "stepdad", "father-in-law", "brother-in-law", "boy", "fiance", "ex-husband",
])
_TITLE_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}


def _gender(t: Token, role: str, genders: dict[str, str]) -> str | None:
    """The grammatical gender of the person a token names, when it can be told."""
    low = t.lower_
    if low in _FEMALE_WORDS:
        return "f"
    if low in _MALE_WORDS:
        return "m"
    if t.i > 0 and t.nbor(-1).lower_.rstrip(".") in _TITLE_GENDER:
        return _TITLE_GENDER[t.nbor(-1).lower_.rstrip(".")]
    return genders.get(role) if role in (VICTIM, PERPETRATOR) else None


def _context_refs(context: Span, text: str, person_tokens: dict[int, tuple[int, int]], cast: Cast,
                  genders: dict[str, str]) -> dict[int, tuple[str, str | None]]:
    """People named just before the passage (children left out: their gender is rarely known)."""
    scratch: Features = {}
    refs = {}
    for t in context:
        role = _token_cue(t, text, person_tokens, cast, genders, scratch)
        if role and role != CHILD:
            refs[t.i] = (role, _gender(t, role, genders))
    return refs


def resolve_pronoun(t: Token, span: Span, refs: dict[int, tuple[str, str | None]], genders: dict[str, str]) -> str:
    """The nearest person before ``t`` in the passage whose gender fits; else the case's default."""
    low = t.lower_
    gender = "m" if low in _MALE else "f" if low in _FEMALE else None
    if gender is None:
        return "plural"
    for i in range(t.i - 1, span.start - 1, -1):
        if i in refs:
            role, g = refs[i]
            if g is None or g == gender:
                return role
    return pronoun_role(low, genders)


_ANCHOR_NOUNS = _STATUS_NOUNS | frozenset([
    "citizen", "national", "refugee", "overstayer", "dependant", "visitor", "student", "british", "undocumented",
    "illegal", "recourse",
])


def _holder_features(span: Span, refs: dict[int, tuple[str, str | None]], genders: dict[str, str],
                     f: Features) -> None:
    """Whose status: the owner of the first status word ("his visa", "Grace's BRP"), else the subject
    of the clause it is in ("Kelly-Ann is a British citizen"), with pronouns resolved."""
    for t in span:
        if t.lower_ in _ANCHOR_NOUNS or t.lemma_.lower() in _ANCHOR_NOUNS:
            holder = _holder_token(t, span)
            if holder is None:
                continue
            role = _role_of_token(holder, span, refs, genders)
            if role:
                f["holder=" + role] = 1.0
                return


def _holder_token(t: Token, span: Span) -> Token | None:
    for c in t.children:
        if c.dep_ == "poss":
            return c
    node = t
    for _ in range(6):
        subj = [c for c in node.children if c.dep_ in _SUBJ_DEPS and span.start <= c.i < span.end]
        if subj:
            return subj[0]
        if node.head.i == node.i:
            break
        node = node.head
    return None


def _role_of_token(t: Token, span: Span, refs: dict[int, tuple[str, str | None]],
                   genders: dict[str, str]) -> str | None:
    if t.i in refs:
        return refs[t.i][0]
    low = t.lower_
    if low in _MALE or low in _FEMALE:
        return resolve_pronoun(t, span, refs, genders)
    if low in _PLURAL:
        return "plural"
    # a name of several tokens: its first token holds the role
    for i in range(t.i - 1, max(span.start, t.i - 3) - 1, -1):
        if i in refs:
            return refs[i][0]
    return None


def _label_features(label: str, f: Features) -> None:
    words = [w.strip(":,.()") for w in label.lower().replace("'s", " 's").split()]
    rels = [w for w in words if w in RELATIONS or w in _PARENT_WORDS]
    for w in words:
        role = _ROLE_WORDS.get(w)
        if role:
            f[("labowner=" if rels else "lab=") + role] = 1.0
    for w in rels:
        f["labrel=" + w] = 1.0


def mention_role(text: str, start: int, end: int, cast: Cast) -> str:
    """A cue at the mention beats the cast; the cast beats a guess that the person is a professional."""
    cue = cue_role(text, start, end)
    if cue is not None and cue != PRO:
        return cue
    return cast.role_of(text[start:end]) or cue or "unknown"


def _token_cue(t: Token, text: str, person_tokens: dict[int, tuple[int, int]], cast: Cast, genders: dict[str, str],
               f: Features) -> str | None:
    """Add the features one token gives; return the role of the person it names, if any."""
    low = t.lower_
    if low in _PARENT_WORDS:  # "Mum", "Dad" are roles even when tagged as names
        f[f"parent={_PARENT_WORDS[low]}|{_owner(t, genders)}"] = 1.0
        return None
    if t.i in person_tokens:
        if t.i > 0 and t.nbor(-1).i in person_tokens and person_tokens[t.nbor(-1).i] == person_tokens[t.i]:
            return None  # only the first token of a name
        s, e = person_tokens[t.i]
        return _mention(t, mention_role(text, s, e, cast), "m", f)
    if (t.is_title or t.is_upper) and len(low) > 1 and cast.knows(low):
        role = cast.role_of(t.text)
        return _mention(t, role, "m", f) if role else None
    if low in _ROLE_WORDS and (low not in ("p", "v") or t.text.isupper()):
        return _mention(t, _ROLE_WORDS[low], "rw", f)
    if low in RELATIONS:
        return _relation(t, low, _owner(t, genders), f)
    if low in _MALE or low in _FEMALE or low in _PLURAL:
        _pronoun_features(t, pronoun_role(low, genders), f)
    return None


def _mention(t: Token, role: str, kind: str, f: Features) -> str | None:
    """A person named by a name or a role word; an owner ("Shahid's cousin") is not the subject."""
    nxt = t.nbor(1) if t.i + 1 < len(t.doc) else None
    if nxt is not None and nxt.lower_ in ("'s", "\u2019s"):
        after = t.nbor(2).lower_ if t.i + 2 < len(t.doc) else ""
        if after in RELATIONS or after in _PARENT_WORDS:
            f["owner=" + role] = 1.0
            return None
        if after in _STATUS_NOUNS:
            f["possn=" + role] = 1.0
    f[f"{kind}={role}"] = 1.0
    if t.dep_ in _SUBJ_DEPS:
        f[f"{kind}subj={role}"] = 1.0
        _root_subject(t, role, f)
    return role if role != PRO else None


_REL_KIND = dict.fromkeys([
    "son", "daughter", "child", "children", "baby", "kids", "boy", "girl", "twins", "stepson", "stepdaughter",
], CHILD)
_REL_ROLES = {
    **{(w, VICTIM): PERPETRATOR for w in [
        "husband", "partner", "ex-partner", "ex", "boyfriend", "ex-husband", "fiance",
    ]},
    **{(w, PERPETRATOR): VICTIM for w in ["wife", "partner", "ex-partner", "ex", "girlfriend", "ex-wife", "fiancee"]},
    **{(w, "plural"): PERPETRATOR for w in ("stepfather", "stepdad")},
}
_NEW = frozenset({"new", "second", "current", "other"})


def _relation(t: Token, low: str, owner: str, f: Features) -> str | None:
    """"her husband" is the perpetrator, "his wife" the victim, "her son" a child, "her sister" someone else."""
    f[f"rel|{owner}"] = 1.0
    new = t.i > 0 and t.nbor(-1).lower_ in _NEW
    role = OTHER if new else _REL_ROLES.get((low, owner)) or _REL_KIND.get(low, OTHER)
    f["relrole=" + role] = 1.0
    if t.dep_ in _SUBJ_DEPS:
        f["relsubj=" + role] = 1.0
        _root_subject(t, role, f)
    return role if owner not in ("none", "the", "a", "an") or t.dep_ in _SUBJ_DEPS else None


def _root_subject(t: Token, role: str, f: Features) -> None:
    if t.head.dep_ == "ROOT" and "rootsubj" not in f:
        f["rootsubj"] = 1.0
        f["rootsubj=" + role] = 1.0


def _pronoun_features(t: Token, role: str, f: Features) -> None:
    f["pron=" + role] = 1.0
    if t.dep_ in _SUBJ_DEPS:
        f["pronsubj=" + role] = 1.0
        _root_subject(t, role, f)
    if t.dep_ == "poss" or t.tag_ == "PRP$":
        head = t.head.lower_
        if head in _STATUS_NOUNS:
            f["possn=" + role] = 1.0
        elif head in RELATIONS or head in _PARENT_WORDS:
            f["pronowner=" + role] = 1.0


def _owner(t: Token, genders: dict[str, str]) -> str:
    """Whose relative: the possessive before the relationship word ("her sister", "P's mother")."""
    for k in (1, 2):
        if t.i - k < 0:
            break
        prev = t.nbor(-k)
        low = prev.lower_
        if low in _MALE or low in _FEMALE or low in _PLURAL:
            return pronoun_role(low, genders)
        if low in ("'s", "\u2019s") and t.i - k - 1 >= 0:
            return _ROLE_WORDS.get(t.nbor(-k - 1).lower_, "name")
        if low in ("the", "a", "an"):
            return low
        if not (prev.pos_ == "ADJ" or low in _NEW or low in ("former", "late", "older", "younger", "own")):
            break
    return "none"
