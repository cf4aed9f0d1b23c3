"""A drop-in, faster spaCy ``attribute_ruler``.

spaCy's :class:`~spacy.pipeline.AttributeRuler` runs every one of its patterns (179 in
``en_core_web_sm``) through a :class:`~spacy.matcher.Matcher` at every token, although nearly all of
them are single-token equality tests on TAG or LOWER. That was about 9% of our detection time.

:class:`FastAttributeRuler` is an ``AttributeRuler`` (same patterns, serialisation, scorer) that
matches differently: each pattern is anchored on one of its equality/``IN`` conditions (the most
selective, preferring LOWER over TAG), so a token only tries the patterns filed under its own
values, found by a dictionary lookup, and checks their remaining conditions (``IN``, ``NOT_IN``,
``REGEX``, equality) itself, on token values read once per Doc with ``Doc.to_array``. What a
token's values decide (its single-token rules, their attributes merged) is cached by those values, so
a word seen before with the same tag costs one lookup. Multi-token patterns without operators are
anchored the same way. Anything else (``OP``, extension attributes, comparison/fuzzy/subset
predicates, MORPH or SENT_START conditions) still goes through a Matcher holding only those patterns.

The output is the stock ruler's, exactly: spaCy matches first, then applies each match, sorted by rule
number (later rules win), with ``set_token_attrs`` to the token at the rule's ``index`` (negative
counts from the span's end); that overwrites TAG, POS, MORPH, LEMMA, DEP... rule by rule (MORPH is
replaced, not merged). Applying a token's rules merged in that order is the same thing when they set
only token attributes (not lexeme or extension ones, which tokens share) and no index can fall
outside its match; otherwise the spaCy order is followed match by match. DEP conditions behave as in
the Matcher with ``allow_missing=True`` when the parser is off: unset DEP reads as ``""`` (hash 0).

Use :func:`speed_up_attribute_ruler` on a loaded pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from spacy.attrs import IDS, MORPH, SENT_START
from spacy.errors import Errors
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.pipeline.attributeruler import attribute_ruler_score
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs
from spacy.vocab import Vocab

FACTORY = "fast_attribute_ruler"

# Attributes whose values are string hashes, so a REGEX on them reads the string (as the Matcher does).
_STRING_ATTRS = frozenset(IDS[a] for a in ("ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LEMMA", "TAG", "DEP"))
# Anchor preference among equally selective conditions: word forms first, then tags, then the rest.
_ANCHOR_ORDER = {IDS[a]: i for i, a in enumerate(("LOWER", "ORTH", "NORM", "TAG", "LEMMA", "DEP", "POS"))}
# Read from the Doc differently by the Matcher (SENT_START) or needing normalisation (MORPH).
_UNSUPPORTED_ATTRS = frozenset((SENT_START, MORPH, IDS["ENT_IOB"]))
# Attributes set_token_attrs writes on the token only (its lexeme, shared with other tokens, ignores them).
_TOKEN_ONLY_ATTRS = frozenset(IDS[a] for a in ("LEMMA", "NORM", "POS", "TAG", "MORPH", "DEP", "HEAD", "SPACY",
                                               "SENT_START", "ENT_IOB", "ENT_TYPE", "ENT_ID", "ENT_KB_ID"))


@dataclass(frozen=True)
class _TokenTest:
    """The conditions of one token of a pattern, on columns of the per-Doc value array."""

    allowed: tuple[tuple[int, frozenset[int]], ...]  # equality and IN
    forbidden: tuple[tuple[int, frozenset[int]], ...]  # NOT_IN
    regexes: tuple[tuple[int, re.Pattern[str]], ...]  # REGEX (search), on the value's string

    def __call__(self, row: Sequence[int], strings: Any) -> bool:
        for col, values in self.allowed:
            if row[col] not in values:
                return False
        for col, values in self.forbidden:
            if row[col] in values:
                return False
        return all(rx.search(strings[row[col]]) for col, rx in self.regexes)


@dataclass(frozen=True)
class _Pattern:
    """A fixed-length pattern of rule ``key``, filed under a condition on its token ``offset``."""

    key: int
    tests: tuple[_TokenTest, ...]
    offset: int


_Match = tuple[int, int, int]  # rule, start, end


@dataclass(frozen=True)
class _Entry:
    """What a token's values alone decide: the rules of single-token patterns it matches (in order),
    their attributes merged in that order, and the longer patterns to try with it at ``offset``."""

    keys: tuple[int, ...]
    merged: dict[Any, Any]
    longer: tuple[_Pattern, ...]


class _Compiled:
    """The rules' patterns, indexed; those it cannot index go to a Matcher."""

    MAX_CACHE = 200_000

    def __init__(self, vocab: Vocab, rules: Sequence[list[list[dict[Any, Any]]]],
                 attrs: Sequence[dict[Any, Any]]) -> None:
        self.attrs = attrs
        self.attr_ids: list[int] = []
        self.anchors: dict[int, dict[int, list[_Pattern]]] = {}  # column -> value -> patterns
        self.unanchored: list[_Pattern] = []
        self.matcher: Matcher | None = None
        self.cache: dict[tuple[int, ...], _Entry] = {}  # a token's values -> its entry
        for key, patterns in enumerate(rules):
            for pattern in patterns:
                if not self._index(vocab, key, pattern):
                    if self.matcher is None:
                        self.matcher = Matcher(vocab)
                    self.matcher.add(str(key), [pattern])

    def _column(self, attr: int) -> int:
        if attr not in self.attr_ids:
            self.attr_ids.append(attr)
        return self.attr_ids.index(attr)

    def _index(self, vocab: Vocab, key: int, pattern: list[dict[Any, Any]]) -> bool:
        """File a pattern under its most selective condition; False if it needs the Matcher."""
        parsed = [_parse_spec(vocab, spec) for spec in pattern]
        if not parsed or any(p is None for p in parsed):
            return False
        specs = [p for p in parsed if p is not None]
        tests = tuple(
            _TokenTest(
                allowed=tuple((self._column(a), v) for a, v in allowed),
                forbidden=tuple((self._column(a), v) for a, v in forbidden),
                regexes=tuple((self._column(a), rx) for a, rx in regexes),
            )
            for allowed, forbidden, regexes in specs
        )
        candidates = [(len(v), _ANCHOR_ORDER.get(a, len(_ANCHOR_ORDER)), i, a, v)
                      for i, (allowed, _, _) in enumerate(specs) for a, v in allowed]
        if not candidates:
            self.unanchored.append(_Pattern(key, tests, 0))
            return True
        _, _, offset, attr, values = min(candidates, key=lambda c: c[:3])
        table = self.anchors.setdefault(self._column(attr), {})
        for value in values:
            table.setdefault(value, []).append(_Pattern(key, tests, offset))
        return True

    def _entry(self, row: tuple[int, ...], strings: Any) -> _Entry:
        patterns = [p for col, table in self.anchors.items() for p in table.get(row[col], ())]
        keys = sorted({p.key for p in patterns + self.unanchored if len(p.tests) == 1 and p.tests[0](row, strings)})
        merged: dict[Any, Any] = {}
        for key in keys:
            merged.update(self.attrs[key])
        longer = tuple(p for p in patterns + self.unanchored if len(p.tests) > 1 and p.tests[p.offset](row, strings))
        if len(self.cache) >= self.MAX_CACHE:
            self.cache.clear()
        entry = self.cache[row] = _Entry(tuple(keys), merged, longer)
        return entry

    def entries(self, doc: Doc) -> tuple[list[_Entry], set[_Match]]:
        """Each token's entry, and the matches of the longer and Matcher patterns, as
        ``Matcher(allow_missing=True)`` finds them."""
        n = len(doc)
        if not (self.attr_ids and n):
            return [_Entry((), {}, ())] * n, self._matcher_matches(doc)
        strings = doc.vocab.strings
        values = doc.to_array(cast(Any, self.attr_ids)).reshape(n, len(self.attr_ids))
        rows = [tuple(r) for r in cast(list[list[int]], values.tolist())]
        cache = self.cache
        entries = [cache.get(row) or self._entry(row, strings) for row in rows]
        extra = self._matcher_matches(doc)
        for i, entry in enumerate(entries):
            for p in entry.longer:
                start, end = i - p.offset, i - p.offset + len(p.tests)
                if start >= 0 and end <= n and all(
                    j == p.offset or test(rows[start + j], strings) for j, test in enumerate(p.tests)
                ):
                    extra.add((p.key, start, end))
        return entries, extra

    def _matcher_matches(self, doc: Doc) -> set[_Match]:
        if self.matcher is None:
            return set()
        matches = self.matcher(doc, allow_missing=True)
        return {(int(doc.vocab.strings[m_id]), start, end) for m_id, start, end in matches}


_Spec = tuple[list[tuple[int, frozenset[int]]], list[tuple[int, frozenset[int]]], list[tuple[int, re.Pattern[str]]]]


def _parse_spec(vocab: Vocab, spec: dict[Any, Any]) -> _Spec | None:
    """One token's conditions as (allowed, forbidden, regexes), valued as the Matcher values them;
    None for anything this module does not reproduce."""
    allowed: list[tuple[int, frozenset[int]]] = []
    forbidden: list[tuple[int, frozenset[int]]] = []
    regexes: list[tuple[int, re.Pattern[str]]] = []
    for name, value in spec.items():
        if not isinstance(name, str):
            return None
        upper = {"TEXT": "ORTH", "IS_SENT_START": "SENT_START"}.get(name.upper(), name.upper())
        attr = IDS.get(upper)
        if attr is None or attr in _UNSUPPORTED_ATTRS:
            return None  # includes "OP" and "_" (extensions)
        if isinstance(value, str):
            allowed.append((attr, frozenset((vocab.strings.add(value),))))
        elif isinstance(value, int):  # bool included, as 0/1
            if value < 0:
                return None
            allowed.append((attr, frozenset((int(value),))))
        elif isinstance(value, dict) and value:
            for op, arg in value.items():
                op = op.upper() if isinstance(op, str) else op
                if op in ("IN", "NOT_IN") and isinstance(arg, list | tuple) and all(
                    isinstance(v, str) or (isinstance(v, int) and v >= 0) for v in arg
                ):
                    ids = frozenset(int(get_string_id(v)) for v in arg)
                    (allowed if op == "IN" else forbidden).append((attr, ids))
                elif op == "REGEX" and isinstance(arg, str) and attr in _STRING_ATTRS:
                    regexes.append((attr, re.compile(arg)))
                else:
                    return None
        else:
            return None
    return allowed, forbidden, regexes


def _index_always_valid(pattern: list[dict[Any, Any]], index: int) -> bool:
    """Whether ``index`` falls inside every match of ``pattern`` (matches are never empty)."""
    if any(isinstance(k, str) and k.upper() == "OP" for spec in pattern for k in spec):
        return index in (0, -1)
    return -len(pattern) <= index < len(pattern)


class FastAttributeRuler(AttributeRuler):
    """An :class:`AttributeRuler` whose matching is indexed (see the module docstring). Patterns are
    added, listed and serialised as in the stock ruler; the index is rebuilt after any change."""

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler", *, validate: bool = False,
                 scorer: Callable[..., Any] | None = attribute_ruler_score) -> None:
        super().__init__(vocab, name, validate=validate, scorer=scorer)
        self._compiled: _Compiled | None = None
        self._per_token = False

    def clear(self) -> None:
        super().clear()
        self._compiled = None

    def add(self, patterns: Iterable[list[dict[Any, Any]]], attrs: dict[Any, Any], index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._compiled = None

    def _compile(self) -> _Compiled:
        if self._compiled is None:
            rules = [self.matcher.get(str(i))[1] for i in range(len(self.attrs))]
            self._compiled = _Compiled(self.vocab, rules, self.attrs)
            # Tokens can be annotated one by one, each with its rules' attributes merged, when the
            # attributes are the token's own (not its lexeme's, shared by other tokens, nor extensions)
            # and no rule's index can fall outside its match.
            self._per_token = all(set(attrs) <= _TOKEN_ONLY_ATTRS for attrs in self.attrs) and all(
                _index_always_valid(p, index) for patterns, index in zip(rules, self.indices, strict=True)
                for p in patterns
            )
        return self._compiled

    def __call__(self, doc: Doc) -> Doc:
        """Set the rules' attributes on ``doc``, exactly as ``AttributeRuler.__call__`` does."""
        compiled = self._compile()
        if not self._per_token:
            return super().__call__(doc)  # match() and set_annotations() below, in spaCy's order
        error_handler = self.get_error_handler()
        try:
            entries, extra = compiled.entries(doc)
            targeted: dict[int, list[_Match]] = {}
            for key, start, end in extra:
                index = self.indices[key]
                targeted.setdefault((start if index >= 0 else end) + index, []).append((key, start, end))
            for i, entry in enumerate(entries):
                if i in targeted:  # rules in the order spaCy applies them to this token
                    for key, _, _ in sorted({*targeted[i], *((k, i, i + 1) for k in entry.keys)}):
                        set_token_attrs(doc[i], self.attrs[key])
                elif entry.merged:
                    set_token_attrs(doc[i], entry.merged)
            return doc
        except Exception as e:
            return error_handler(self.name, self, [doc], e)

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """``(rule, match_id, start, end)`` sorted, as ``AttributeRuler.match`` returns them."""
        entries, extra = self._compile().entries(doc)
        found = {(key, i, i + 1) for i, entry in enumerate(entries) for key in entry.keys} | extra
        strings = self.vocab.strings
        return sorted((key, strings[str(key)], start, end) for key, start, end in found)

    def set_annotations(self, doc: Doc, matches: Iterable[tuple[int, int, int, int]]) -> None:
        """Apply each match's attributes to its indexed token, in order (later rules overwrite)."""
        for key, match_id, start, end in matches:
            index = self.indices[key]
            target = (start if index >= 0 else end) + index
            if not start <= target < end:
                raise ValueError(Errors.E1001.format(patterns=self.matcher.get(match_id),
                                                     span=[t.text for t in doc[start:end]], index=index))
            set_token_attrs(doc[target], self.attrs[key])


@Language.factory(FACTORY, default_config={"validate": False,
                                           "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}})
def make_fast_attribute_ruler(nlp: Language, name: str, validate: bool,
                              scorer: Callable[..., Any] | None) -> FastAttributeRuler:
    return FastAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


def speed_up_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Replace the pipeline's AttributeRuler ``name`` in place (same name, position, patterns and
    enabled/disabled state) by a :class:`FastAttributeRuler`. Does nothing if it already is one.
    A pipeline saved afterwards needs this module imported to load (its factory is registered here)."""
    old = nlp.get_pipe(name)
    if isinstance(old, FastAttributeRuler):
        return
    if not isinstance(old, AttributeRuler):
        raise TypeError(f"pipeline component '{name}' is a {type(old).__name__}, not an AttributeRuler")
    disabled = name in nlp.disabled
    new = nlp.replace_pipe(name, FACTORY, config={"validate": old.validate})
    assert isinstance(new, FastAttributeRuler)
    new.scorer = old.scorer
    new.add_patterns(old.patterns)
    if disabled:
        nlp.disable_pipe(name)
