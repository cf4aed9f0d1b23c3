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

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.attrs import LEMMA, LOWER, ORTH, POS, SPACY, TAG
from spacy.errors import MatchPatternError
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher, PhraseMatcher
from spacy.parts_of_speech import NAMES as POS_NAMES
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
    PhraseMatchers (on LOWER and on LEMMA), everything with gaps or tags in one Matcher.

    ``match`` gives exactly what ``match_reference`` (the plain algorithm: the whole ``match_view``
    through every matcher) gives, faster (tests/test_immigration.py compares them on the dev set):

    * the Matcher runs only over windows around *anchors*: each of its patterns has a required token
      with listed LOWER/ORTH/LEMMA values (its least common one is chosen), and a match lies within
      the pattern's maximum extent either side of it (patterns are bounded, so the windows are too);
    * the view Doc is built for those windows only, from ``Doc.to_array`` (no Token objects);
    * the LOWER PhraseMatcher runs on the chunk's own Doc (LOWER is a lexeme attribute, the same on
      the view), and the LEMMA phrases are looked up in a dict on the normalised lemmas.

    When a pattern cannot be anchored (unbounded ``*``/``+``, no listed literal token, an attribute
    that is not the token's own) the Matcher falls back to the whole view.
    """

    def __init__(self, matcher: Matcher, phrases: Sequence[PhraseMatcher], rules: dict[str, Rule],
                 lemma_phrases: Sequence[tuple[str, Sequence[str]]] | None = None,
                 lower_phrases: PhraseMatcher | None = None) -> None:
        """``phrases`` are the LOWER and LEMMA PhraseMatchers. The fast path needs them apart: the
        LOWER one (``lower_phrases``) and the phrases added to the LEMMA one (``lemma_phrases``, rule
        id and lemmas); without them ``match`` is ``match_reference``."""
        self.matcher = matcher
        self.phrases = tuple(phrases)
        self.rules = rules
        vocab: Any = matcher.vocab  # type: ignore[attr-defined]  # the stubs leave it out
        strings = vocab.strings
        self._lower_pm = lower_phrases
        self._fast = lemma_phrases is not None and lower_phrases is not None
        self._lemma_first: dict[int, list[tuple[tuple[int, ...], str]]] = {}
        for rid, words in lemma_phrases or ():
            ids = tuple(strings.add(w) for w in words)
            self._lemma_first.setdefault(ids[0], []).append((ids[1:], rid))
        # every Matcher pattern in a Matcher of its own, run only where its anchor is
        self._singles: list[Matcher] = []
        self._anchors: tuple[dict[int, list[tuple[int, int, int]]], ...] = ({}, {}, {})  # ORTH, LOWER, LEMMA
        self._everywhere: list[int] = []  # patterns that cannot be anchored
        for rid in rules:
            if rid not in matcher:
                continue
            for pattern in matcher.get(rid)[1]:
                k = len(self._singles)
                single = Matcher(vocab)
                single.add(rid, [pattern])
                self._singles.append(single)
                anchor = _anchor(pattern)
                if anchor is None:
                    self._everywhere.append(k)
                    continue
                table, values, before, after = anchor
                for v in values:
                    self._anchors[table].setdefault(strings.add(v), []).append((k, before, after))
        self._anchor_keys = [np.array(sorted(t), dtype=np.uint64) for t in self._anchors]
        self._lemma_cache: dict[tuple[int, int, int], int] = {}

    def match(self, doc: Doc) -> list[Hit]:
        """Positive hits not overlapped by a negative hit, and the negative hits, in text order."""
        n = len(doc)
        if not self._fast or n == 0 or not doc.has_annotation("POS"):
            return self.match_reference(doc)
        strings = doc.vocab.strings
        arr = doc.to_array([ORTH, LOWER, TAG, LEMMA, POS, SPACY])
        orth, lower, tag, lem, pos, space = arr.T.tolist()
        norm = self._norm_lemmas(doc, orth, tag, lem)
        found: list[tuple[str, int, int]] = []
        # LEMMA phrases, exactly as the PhraseMatcher's trie (every start, every length)
        first = self._lemma_first
        for i, h in enumerate(norm):
            cands = first.get(h)
            if cands:
                for rest, rid in cands:
                    k = len(rest)
                    if tuple(norm[i + 1 : i + 1 + k]) == rest:
                        found.append((rid, i, i + 1 + k))
        if self._lower_pm is not None:  # always, on the fast path
            found.extend((strings[key], s, e) for key, s, e in self._lower_pm(doc))
        if self._singles:
            per = self._windows(arr, orth, lower, norm)
            union = _merge(sorted(w for ws in per.values() for w in ws))
            if union:
                idx = [i for a, b in union for i in range(a, b)]
                view = Doc(doc.vocab, words=[strings[orth[i]] for i in idx], spaces=[bool(space[i]) for i in idx],
                           lemmas=[strings[norm[i]] for i in idx], pos=[POS_NAMES[pos[i]] or "X" for i in idx])
                # view offset of each doc token that is in a window
                starts = [a for a, _ in union]
                offsets = []
                v = 0
                for a, b in union:
                    offsets.append(v - a)
                    v += b - a
                for k, ws in per.items():
                    single = self._singles[k]
                    for a, b in ws:
                        shift = offsets[bisect_right(starts, a) - 1]
                        found.extend((strings[key], a + s, a + e)
                                     for key, s, e in single(view[a + shift : b + shift]))
        return self._finish(doc, [(self.rules[rid], s, e) for rid, s, e in found])

    def match_reference(self, doc: Doc) -> list[Hit]:
        """The plain algorithm ``match`` must agree with: every matcher over the whole ``match_view``."""
        view = match_view(doc)
        found = list(self.matcher(view))
        for pm in self.phrases:
            found.extend(pm(view))
        return self._finish(doc, [(self.rules[doc.vocab.strings[key]], s, e) for key, s, e in found])

    def _finish(self, doc: Doc, found: Iterable[tuple[Rule, int, int]]) -> list[Hit]:
        hits = [Hit(rule, doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for rule, s, e in found]
        negatives = [h for h in hits if h.rule.negative]
        positives = [h for h in hits if not h.rule.negative and not _overlaps_any(h, negatives)]
        return sorted(_dedupe(positives) + _dedupe(negatives), key=lambda h: (h.start, h.end, h.rule.id))

    def _windows(self, arr: Any, orth: list[int], lower: list[int],
                 norm: list[int]) -> dict[int, list[tuple[int, int]]]:
        """For each Matcher pattern that can match here, sorted disjoint token windows that hold
        all its matches: its anchor's positions widened by the pattern's reach either side."""
        n = len(norm)
        tables = self._anchors
        per: dict[int, list[tuple[int, int]]] = {k: [(0, n)] for k in self._everywhere}
        hit = (np.isin(arr[:, 0], self._anchor_keys[0]) | np.isin(arr[:, 1], self._anchor_keys[1])
               | np.isin(np.fromiter(norm, dtype=np.uint64, count=n), self._anchor_keys[2]))
        for i in np.flatnonzero(hit).tolist():
            for t, h in zip(tables, (orth[i], lower[i], norm[i]), strict=True):
                found = t.get(h)
                if found:
                    for k, before, after in found:
                        a, b = max(0, i - before), min(n, i + after + 1)
                        ws = per.setdefault(k, [])
                        if ws and a <= ws[-1][1]:  # positions come in order, the reach is fixed
                            ws[-1] = (ws[-1][0], b)
                        else:
                            ws.append((a, b))
        return per

    def _norm_lemmas(self, doc: Doc, orth: list[int], tag: list[int], lem: list[int]) -> list[int]:
        """``token_lemma`` of every token as a string id. It depends only on the token's text, tag
        and lemma, so it is computed once per distinct triple (on a real Token, so it is the same)."""
        cache = self._lemma_cache
        if len(cache) > 200_000:
            cache.clear()
        add = doc.vocab.strings.add
        out = []
        for i, key in enumerate(zip(orth, tag, lem, strict=True)):
            h = cache.get(key)
            if h is None:
                h = cache[key] = add(token_lemma(doc[i]))
            out.append(h)
        return out


# Token attributes a Matcher pattern may test for the windowed run to be exact: each depends only
# on the token itself (no sentence starts, dependencies, entities or extension attributes).
_LOCAL_ATTRS = frozenset({
    "ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "POS", "SHAPE", "PREFIX", "SUFFIX", "LENGTH", "IS_ALPHA", "IS_ASCII",
    "IS_DIGIT", "IS_LOWER", "IS_PUNCT", "IS_SPACE", "IS_TITLE", "IS_UPPER", "LIKE_URL", "LIKE_NUM", "LIKE_EMAIL",
    "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "OP",
})
_ANCHOR_ATTRS = {"ORTH": 0, "TEXT": 0, "LOWER": 1, "LEMMA": 2}  # index into the anchor tables


def _op_range(op: Any) -> tuple[int, int] | None:
    """(min, max) tokens an element with this ``OP`` takes; None when unbounded or unknown."""
    if op is None or op == "!":
        return 1, 1
    if op == "?":
        return 0, 1
    if isinstance(op, str) and op.startswith("{") and op.endswith("}"):
        lo, sep, hi = op[1:-1].partition(",")
        try:
            if not sep:
                return int(lo), int(lo)
            return int(lo or 0), int(hi)
        except ValueError:
            return None
    return None


def _anchor(pattern: list[dict[str, Any]]) -> tuple[int, list[str], int, int] | None:
    """(ORTH/LOWER/LEMMA table, values, reach before, reach after) of the pattern's least common
    required literal token: no match is without one, and every match through a token at ``i`` lies
    in ``i - before .. i + after``. None when the pattern is unbounded, tests an attribute that is
    not the token's own, or has no such token."""
    ranges = []
    for spec in pattern:
        r = _op_range(spec.get("OP"))
        if r is None or any(str(k).upper() not in _LOCAL_ATTRS for k in spec):
            return None
        ranges.append(r)
    best: tuple[int, int, int, list[str]] | None = None
    for i, spec in enumerate(pattern):
        if ranges[i][0] < 1 or spec.get("OP") == "!":
            continue
        for key, value in spec.items():
            table = _ANCHOR_ATTRS.get(str(key).upper())
            values = value["IN"] if isinstance(value, dict) and set(value) == {"IN"} else [value]
            if table is None or not values or not all(isinstance(v, str) for v in values):
                continue
            cost = sum(100 if v.lower() in STOP_WORDS else 1 for v in values)
            if best is None or cost < best[0]:
                best = (cost, i, table, list(values))
    if best is None:
        return None
    _, i, table, values = best
    before = sum(r[1] for r in ranges[:i]) + ranges[i][1] - 1
    after = sum(r[1] for r in ranges[i + 1 :]) + ranges[i][1] - 1
    return table, values, before, after


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans merged where they overlap or touch."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


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
    lemma_phrases: list[tuple[str, list[str]]] = []
    for group, negative in (("patterns", False), ("negatives", True)):
        for entry in data[group]:
            rule = _rule(entry, negative)
            if rule.id in rules:
                raise RulesError(f"{path.name}: rule '{rule.id}' is defined twice")
            rules[rule.id] = rule
            try:
                _add(rule.id, [p for m in entry["match"] for p in compile_match(m, nlp)], matcher, phrases, nlp,
                     lemma_phrases)
            except (ValueError, MatchPatternError) as e:
                raise RulesError(f"{path.name}: rule '{rule.id}': {_first_line(e)}") from e
    return PatternSet(matcher, list(phrases.values()), rules, lemma_phrases, phrases["LOWER"])


def _add(rid: str, patterns: list[list[dict[str, Any]]], matcher: Matcher, phrases: dict[str, PhraseMatcher],
         nlp: Any, lemma_phrases: list[tuple[str, list[str]]]) -> None:
    """Fixed phrases go to a PhraseMatcher (its cost does not grow with their number), the rest to
    the Matcher. Both report the rule id. The LEMMA phrases are also listed in ``lemma_phrases``."""
    rest = []
    for p in patterns:
        fixed = _fixed_phrases(p)
        if fixed is None:
            rest.append(p)
            continue
        attr, words = fixed
        docs = [Doc(nlp.vocab, words=w, lemmas=w) if attr == "LEMMA" else Doc(nlp.vocab, words=w) for w in words]
        phrases[attr].add(rid, docs)
        if attr == "LEMMA":
            lemma_phrases.extend((rid, w) for w in words)
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
