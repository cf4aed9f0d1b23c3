"""Linguistic patterns for immigration passages, kept as data in ``rules/immigration_patterns.yaml``.

Each rule has an id, a category, a score, a reason and one or more ``match`` alternatives:

* ``phrase: "leave to remain"``: token by token on the lower-cased text. ``a|b`` gives alternatives
  for one token, ``~`` stands for up to three tokens that are not punctuation, ``?word`` is optional.
* ``lemma: "keep her|his passport|brp"``: the same on lemmas (``kept``, ``keeps`` match ``keep``).
  Pronouns keep their own form (``her`` is not turned into ``she``).
* ``tokens: [...]``: a raw spaCy Matcher pattern, for anything the shorthands cannot say.

Rules under ``negatives`` describe hard negatives ("Visa debit card", "annual leave"): a positive
match that overlaps a negative match is dropped, and both kinds are features of the classifier.
Validation errors name the file and the rule id, as ``registry.py`` does for recognizers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from spacy.errors import MatchPatternError
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from redactor.errors import RulesError
from redactor.model import CATEGORIES, SUBJECTS

LEMMA_ATTR = "imm_lemma"
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
_RULE = {
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
        "negatives": {"type": "array", "items": _RULE},
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


@dataclass(frozen=True)
class Hit:
    """A pattern match in chunk character offsets."""

    rule: Rule
    start: int
    end: int


class PatternSet:
    """The compiled rules: one spaCy Matcher run once per chunk."""

    def __init__(self, matcher: Matcher, rules: dict[str, Rule]) -> None:
        self.matcher = matcher
        self.rules = rules

    def match(self, doc: Doc) -> list[Hit]:
        """Positive hits not overlapped by a negative hit, and the negative hits, in text order."""
        set_lemmas(doc)
        hits = []
        for key, s, e in self.matcher(doc):
            rule = self.rules[doc.vocab.strings[key]]
            hits.append(Hit(rule, doc[s].idx, doc[e - 1].idx + len(doc[e - 1])))
        negatives = [h for h in hits if h.rule.negative]
        positives = [h for h in hits if not h.rule.negative and not _overlaps_any(h, negatives)]
        return sorted(_dedupe(positives) + _dedupe(negatives), key=lambda h: (h.start, h.end, h.rule.id))


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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RulesError(f"{path.name}: cannot read ({type(e).__name__})") from e
    try:
        jsonschema.validate(data, SCHEMA)
    except jsonschema.ValidationError as e:
        raise RulesError(f"{path.name}: {_where(data, list(e.absolute_path))}: {e.message}") from e
    _register_extension()
    matcher = Matcher(nlp.vocab, validate=True)
    rules: dict[str, Rule] = {}
    for group, negative in (("patterns", False), ("negatives", True)):
        for entry in data[group]:
            rule = _rule(entry, negative)
            if rule.id in rules:
                raise RulesError(f"{path.name}: rule '{rule.id}' is defined twice")
            rules[rule.id] = rule
            try:
                matcher.add(rule.id, [p for m in entry["match"] for p in compile_match(m, nlp)])
            except (ValueError, MatchPatternError) as e:
                raise RulesError(f"{path.name}: rule '{rule.id}': {_first_line(e)}") from e
    return PatternSet(matcher, rules)


def _rule(entry: dict[str, Any], negative: bool) -> Rule:
    return Rule(entry["id"], entry.get("category"), entry.get("subject"), float(entry.get("score", 0.0)),
                entry["reason"], negative)


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
    return _shorthand(match["lemma"], nlp, lambda v: {"_": {LEMMA_ATTR: v}})


_MAX_EXPANSION = 64


def _shorthand(text: str, nlp: Any, spec: Any) -> list[list[dict[str, Any]]]:
    """``a|b`` of single tokens becomes one ``IN`` spec; alternatives of several tokens ("cannot" is
    "can" + "not") expand into separate patterns."""
    slots: list[list[list[dict[str, Any]]]] = []
    for word in text.split():
        if word == "~":
            slots.append([[dict(_GAP)]])
            continue
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


def _register_extension() -> None:
    if not Token.has_extension(LEMMA_ATTR):
        Token.set_extension(LEMMA_ATTR, default="")


def set_lemmas(doc: Doc) -> None:
    """Store a lower-case lemma on every token (once per Doc) for the ``lemma`` shorthand."""
    _register_extension()
    if doc.user_data.get(("imm", "lemmas")):
        return
    for t in doc:
        t._.set(LEMMA_ATTR, token_lemma(t))
    doc.user_data[("imm", "lemmas")] = True


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
