"""Linguistic patterns for immigration passages, kept as data in ``rules/immigration_patterns.yaml``.

Each rule has an id, a category, a score, a reason and one or more ``match`` alternatives:

* ``phrase: "leave to remain"``: token by token on the lower-cased text. ``a|b`` gives alternatives
  for one token, ``~`` stands for up to three tokens that are not punctuation, ``?word`` is optional.
* ``lemma: "keep her|his passport|brp"``: the same on lemmas (``kept``, ``keeps`` match ``keep``).
  Pronouns keep their own form (``her`` is not turned into ``she``).
* ``tokens: [...]``: a raw spaCy Matcher pattern, for anything the shorthands cannot say. Its
  ``LEMMA`` is the same normalised lemma (see ``match_view``).

Rules under ``negatives`` describe hard negatives ("Visa debit card", "annual leave"): a positive
match that overlaps a negative match is dropped, and both kinds are features of the classifier.
Validation errors name the file and the rule id, as ``registry.py`` does for recognizers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.errors import MatchPatternError
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

from redactor.errors import RulesError
from redactor.model import CATEGORIES, SUBJECTS
from redactor.rulesfile import load_validated

_GAP: dict[str, Any] = {"IS_PUNCT": False, "IS_SPACE": False, "OP": "{0,3}"}

_MATCH = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
    "properties": {
        "phrase": {"type": "string", "minLength": 1},
        "lemma": {"type": "string", "minLength": 1},
        "tokens": {"type": "array", "minItems": 1, "items": {"type": "object"}},
    },
}
_RULE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "reason", "match"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9_]+$"},
        "category": {"enum": list(CATEGORIES)},
        "subject": {"enum": list(SUBJECTS)},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reason": {"type": "string", "minLength": 1},
        "match": {"type": "array", "minItems": 1, "items": _MATCH},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "patterns", "negatives"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "patterns": {"type": "array", "items": {**_RULE, "required": ["id", "category", "score", "reason", "match"]}},
        "negatives": {"type": "array", "items": {**_RULE, "properties": {**_RULE["properties"],
                                                                           "veto": {"type": "boolean"}}}},
    },
}


@dataclass(frozen=True)
class Rule:
    id: str
    category: str | None
    subject: str | None
    score: float
    reason: str
    negative: bool
    veto: bool = False  # a negative that keeps its whole segment unflagged unless a strong pattern fires


@dataclass(frozen=True)
class Hit:
    """A pattern match in chunk character offsets."""

    rule: Rule
    start: int
    end: int


class PatternSet:
    """The compiled rules, run once per chunk: fixed phrases (alternatives expanded) in two
    PhraseMatchers (on LOWER and on LEMMA), everything with gaps or tags in one Matcher."""

    def __init__(self, matcher: Matcher, phrases: Sequence[PhraseMatcher], rules: dict[str, Rule]) -> None:
        self.matcher = matcher
        self.phrases = tuple(phrases)
        self.rules = rules

    def match(self, doc: Doc) -> list[Hit]:
        """Positive hits not overlapped by a negative hit, and the negative hits, in text order."""
        view = match_view(doc)
        found = list(self.matcher(view))
        for pm in self.phrases:
            found.extend(pm(view))
        hits = []
        for key, s, e in found:
            rule = self.rules[doc.vocab.strings[key]]
            hits.append(Hit(rule, doc[s].idx, doc[e - 1].idx + len(doc[e - 1])))
        negatives = [h for h in hits if h.rule.negative]
        positives = [h for h in hits if not h.rule.negative and not _overlaps_any(h, negatives)]
        return sorted(_dedupe(positives) + _dedupe(negatives), key=lambda h: (h.start, h.end, h.rule.id))


def match_view(doc: Doc) -> Doc:
    """A copy of ``doc``'s tokens whose LEMMA is the normalised lemma of ``token_lemma`` (the
    Matcher reads native attributes far faster than extension attributes). Same tokens, same
    indices; part-of-speech tags are kept when the pipeline set them."""
    words, spaces, lemmas, pos = [], [], [], []
    for t in doc:
        words.append(t.text)
        spaces.append(bool(t.whitespace_))
        lemmas.append(token_lemma(t))
        pos.append(t.pos_ or "X")
    if doc.has_annotation("POS"):
        return Doc(doc.vocab, words=words, spaces=spaces, lemmas=lemmas, pos=pos)
    return Doc(doc.vocab, words=words, spaces=spaces, lemmas=lemmas)


def _overlaps_any(hit: Hit, others: Sequence[Hit]) -> bool:
    return any(o.start < hit.end and hit.start < o.end for o in others)


def _dedupe(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per rule and start (the longest), in text order."""
    best: dict[tuple[str, int], Hit] = {}
    for h in hits:
        k = (h.rule.id, h.start)
        if k not in best or h.end > best[k].end:
            best[k] = h
    return sorted(best.values(), key=lambda h: (h.start, h.end, h.rule.id))


def load_patterns(path: Path, nlp: Any) -> PatternSet:
    data = load_validated(path, SCHEMA, _where)
    matcher = Matcher(nlp.vocab, validate=True)
    phrases = {"LOWER": PhraseMatcher(nlp.vocab, attr="LOWER"), "LEMMA": PhraseMatcher(nlp.vocab, attr="LEMMA")}
    rules: dict[str, Rule] = {}
    for group, negative in (("patterns", False), ("negatives", True)):
        for entry in data[group]:
            rule = _rule(entry, negative)
            if rule.id in rules:
                raise RulesError(f"{path.name}: rule '{rule.id}' is defined twice")
            rules[rule.id] = rule
            try:
                _add(rule.id, [p for m in entry["match"] for p in compile_match(m, nlp)], matcher, phrases, nlp)
            except (ValueError, MatchPatternError) as e:
                raise RulesError(f"{path.name}: rule '{rule.id}': {_first_line(e)}") from e
    return PatternSet(matcher, list(phrases.values()), rules)


def _add(rid: str, patterns: list[list[dict[str, Any]]], matcher: Matcher, phrases: dict[str, PhraseMatcher],
         nlp: Any) -> None:
    """Fixed phrases go to a PhraseMatcher (its cost does not grow with their number), the rest to
    the Matcher. Both report the rule id."""
    rest = []
    for p in patterns:
        fixed = _fixed_phrases(p)
        if fixed is None:
            rest.append(p)
            continue
        attr, words = fixed
        docs = [Doc(nlp.vocab, words=w, lemmas=w) if attr == "LEMMA" else Doc(nlp.vocab, words=w) for w in words]
        phrases[attr].add(rid, docs)
    if rest:
        matcher.add(rid, rest)


_MAX_PHRASES = 400


def _fixed_phrases(pattern: list[dict[str, Any]]) -> tuple[str, list[list[str]]] | None:
    """All the token sequences a gap-free LOWER-only or LEMMA-only pattern matches, else None."""
    attrs = {k for spec in pattern for k in spec if k != "OP"}
    if len(attrs) != 1 or attrs - {"LOWER", "LEMMA"}:
        return None
    attr = attrs.pop()
    seqs: list[list[str]] = [[]]
    for spec in pattern:
        op = spec.get("OP")
        if op not in (None, "?"):
            return None
        value = spec[attr]
        options = value["IN"] if isinstance(value, dict) else [value]
        if isinstance(value, dict) and set(value) != {"IN"}:
            return None
        seqs = [s + [o] for s in seqs for o in options] + (seqs if op == "?" else [])
        if len(seqs) > _MAX_PHRASES:
            return None
    seqs = [s for s in seqs if s]
    return (attr, seqs) if seqs else None


def _rule(entry: dict[str, Any], negative: bool) -> Rule:
    return Rule(entry["id"], entry.get("category"), entry.get("subject"), float(entry.get("score", 0.0)),
                entry["reason"], negative, bool(entry.get("veto", False)))


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _where(data: Any, path: list[Any]) -> str:
    """Name the failing place by rule id: "rule 'overstay' match/0"."""
    if len(path) >= 2 and path[0] in ("patterns", "negatives") and isinstance(path[1], int):
        entry = data[path[0]][path[1]]
        rid = entry.get("id", f"#{path[1]}") if isinstance(entry, dict) else f"#{path[1]}"
        rest = "/".join(str(p) for p in path[2:])
        return f"rule '{rid}'" + (f" {rest}" if rest else "")
    return "/".join(str(p) for p in path) or "top level"


def compile_match(match: dict[str, Any], nlp: Any) -> list[list[dict[str, Any]]]:
    """One ``match`` alternative as spaCy Matcher patterns (a shorthand may expand to several)."""
    if "tokens" in match:
        return [list(match["tokens"])]
    if "phrase" in match:
        return _shorthand(match["phrase"], nlp, lambda v: {"LOWER": v})
    return _shorthand(match["lemma"], nlp, lambda v: {"LEMMA": v})


_MAX_EXPANSION = 64


def _shorthand(text: str, nlp: Any, spec: Any) -> list[list[dict[str, Any]]]:
    """``a|b`` of single tokens becomes one ``IN`` spec; alternatives of several tokens ("cannot" is
    "can" + "not") expand into separate patterns."""
    slots: list[list[list[dict[str, Any]]]] = []
    for word in text.split():
        if word == "~":
            slots.append([[dict(_GAP)]])
            continue
        if word == "?~":
            raise ValueError("'?~' is not allowed: '~' is already optional")
        optional = word.startswith("?") and len(word) > 1
        alts = [[t.lower_ for t in nlp.make_doc(a)] for a in word.lstrip("?").split("|") if a]
        if optional and any(len(a) != 1 for a in alts):
            raise ValueError(f"optional '{word}' must be one token")
        singles = sorted({a[0] for a in alts if len(a) == 1})
        variants = [[spec(t) for t in a] for a in alts if len(a) > 1]
        if singles:
            one = spec(singles[0] if len(singles) == 1 else {"IN": singles})
            if optional:
                one["OP"] = "?"
            variants.insert(0, [one])
        slots.append(variants)
    patterns: list[list[dict[str, Any]]] = [[]]
    for variants in slots:
        patterns = [p + v for p in patterns for v in variants]
        if len(patterns) > _MAX_EXPANSION:
            raise ValueError(f"'{text}' expands to more than {_MAX_EXPANSION} patterns")
    if not patterns[0] or all(s.get("OP") for p in patterns for s in p):
        raise ValueError(f"'{text}' matches nothing definite")
    return patterns


_PRONOUN_TAGS = frozenset({"PRP", "PRP$", "WP", "WP$", "DT"})


def token_lemma(t: Token) -> str:
    """Lower-case lemma; pronouns keep their form; an all-capitals word the tagger left alone is stemmed."""
    low = t.lower_
    if t.tag_ in _PRONOUN_TAGS:
        return low
    lemma = t.lemma_ or low
    if lemma == t.text and t.is_upper and len(low) > 3:
        return _strip_suffix(low)
    return lemma.lower()


def _strip_suffix(w: str) -> str:
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith(("ss", "us", "is")):
            return w[: len(w) - len(suffix)] + repl
    return w
