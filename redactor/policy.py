"""The release policy as data: ``rules/policy.yaml`` loaded into frozen rules, validated on load.

Validation names the file and the rule: a decision that is not one of keep/review/redact/
keep_with_consent, a recipient type with no column, a category and subject that no passage rule
covers, a rule without a citation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redactor.errors import RulesError
from redactor.model import CATEGORIES, SUBJECTS
from redactor.rulesfile import load_validated

DECISIONS = ("keep", "review", "redact", "keep_with_consent")
RECIPIENTS = (
    "immigration_enforcement",
    "police",
    "probation",
    "children_social_care",
    "adult_social_care",
    "health",
    "housing",
    "education",
    "specialist_support",
    "legal_adviser",
    "other",
)

_CITE = {
    "type": "object",
    "required": ["file", "section", "quote"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string", "pattern": r"^\d{3}_[0-9a-f]+\.txt$"},
        "section": {"type": "string", "minLength": 3},
        "quote": {"type": "string", "minLength": 10},
    },
}
_RULE = {
    "id": {"type": "string", "pattern": r"^[A-Z][0-9]+$"},
    "reason": {"type": "string", "minLength": 20},
    "cite": _CITE,
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "gates", "scope", "recipient_groups", "passages", "governance", "identifiers", "held"],
    "properties": {
        "version": {"const": 1},
        "gates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "blocks_when", "reason", "unblock", "cite"],
                "properties": _RULE,
            },
        },
        "scope": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "reason", "cite"], "properties": _RULE},
        },
        "recipient_groups": {"type": "object", "additionalProperties": {"type": "string"}},
        "passages": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": _RULE,
                "required": ["id", "category", "subjects", "decisions", "reason", "cite"],
            },
        },
        "governance": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "when", "reason", "cite"], "properties": _RULE},
        },
        "identifiers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": _RULE,
                "required": ["id", "label", "keep_for", "otherwise", "reason", "cite"],
            },
        },
        "held": {"type": "object", "required": ["id", "reason", "cite"], "properties": _RULE},
    },
}


@dataclass(frozen=True)
class Citation:
    file: str
    section: str
    quote: str

    def __str__(self) -> str:
        return f'{self.file}, "{self.section}"'


@dataclass(frozen=True)
class Rule:
    """What every rule shares: an id, a reason a coordinator can read, and its source."""

    id: str
    reason: str
    cite: Citation


@dataclass(frozen=True)
class Gate:
    rule: Rule
    name: str
    blocks_when: Mapping[str, Any]
    unless: Mapping[str, Any]
    unblock: str


@dataclass(frozen=True)
class PassageRule:
    rule: Rule
    category: str  # a category or "any"
    subjects: frozenset[str]
    decisions: Mapping[str, str]  # recipient group -> decision


@dataclass(frozen=True)
class IdentifierRule:
    rule: Rule
    labels: frozenset[str]
    tag: str | None
    keep_for: tuple[Mapping[str, str], ...]
    otherwise: str


@dataclass(frozen=True)
class Policy:
    gates: tuple[Gate, ...]
    scope: Mapping[str, Rule]
    groups: Mapping[str, str]
    passages: tuple[PassageRule, ...]
    governance: tuple[tuple[Rule, Mapping[str, str]], ...]
    identifiers: tuple[IdentifierRule, ...]
    held: Rule
    source: str

    def rules(self) -> list[Rule]:
        """Every rule, for listing and for the citation test."""
        return [
            *(g.rule for g in self.gates),
            *self.scope.values(),
            *(p.rule for p in self.passages),
            *(r for r, _ in self.governance),
            *(i.rule for i in self.identifiers),
            self.held,
        ]


def _rule(raw: Mapping[str, Any]) -> Rule:
    c = raw["cite"]
    return Rule(
        raw["id"], " ".join(raw["reason"].split()), Citation(c["file"], c["section"], " ".join(c["quote"].split()))
    )


def load_policy(path: Path) -> Policy:
    data = load_validated(path, SCHEMA, _where)
    policy = Policy(
        gates=tuple(
            Gate(_rule(g), g["name"], g["blocks_when"], g.get("unless", {}), " ".join(g["unblock"].split()))
            for g in data["gates"]
        ),
        scope={s["id"]: _rule(s) for s in data["scope"]},
        groups=dict(data["recipient_groups"]),
        passages=tuple(
            PassageRule(_rule(p), p["category"], frozenset(p["subjects"]), dict(p["decisions"]))
            for p in data["passages"]
        ),
        governance=tuple((_rule(g), dict(g["when"])) for g in data["governance"]),
        identifiers=tuple(_identifier(i) for i in data["identifiers"]),
        held=_rule(data["held"]),
        source=path.name,
    )
    _check(policy, path.name)
    return policy


def _identifier(raw: Mapping[str, Any]) -> IdentifierRule:
    labels = raw["label"] if isinstance(raw["label"], list) else [raw["label"]]
    return IdentifierRule(
        _rule(raw), frozenset(labels), raw.get("when_tagged"), tuple(raw["keep_for"]), raw["otherwise"]
    )


def _where(data: Any, path: list[Any]) -> str:
    if len(path) >= 2 and isinstance(path[1], int) and isinstance(data.get(path[0]), list):
        item = data[path[0]][path[1]]
        rid = item.get("id", f"#{path[1]}") if isinstance(item, dict) else f"#{path[1]}"
        return f"rule {rid}" + ("/" + "/".join(map(str, path[2:])) if path[2:] else "")
    return "/".join(map(str, path)) or "top level"


def _check(policy: Policy, name: str) -> None:
    ids = [r.id for r in policy.rules()]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RulesError(f"{name}: rule id(s) used twice: {', '.join(sorted(dupes))}")
    missing = [r for r in RECIPIENTS if r not in policy.groups]
    if missing:
        raise RulesError(f"{name}: recipient_groups: no column for {', '.join(missing)}")
    groups = set(policy.groups.values())
    for p in policy.passages:
        if p.category not in (*CATEGORIES, "any") or not p.subjects <= set(SUBJECTS):
            raise RulesError(f"{name}: rule {p.rule.id}: unknown category or subject")
        bad = {g: d for g, d in p.decisions.items() if d not in DECISIONS or g not in groups}
        if bad or set(p.decisions) != groups:
            raise RulesError(
                f"{name}: rule {p.rule.id}: decisions must give one of {', '.join(DECISIONS)} "
                f"for every recipient group ({', '.join(sorted(groups))})"
            )
    for category in CATEGORIES:
        for subject in SUBJECTS:
            if not any(p.category in (category, "any") and subject in p.subjects for p in policy.passages):
                raise RulesError(f"{name}: no passage rule decides {category} about the {subject}")
    for i in policy.identifiers:
        if i.otherwise not in DECISIONS:
            raise RulesError(f"{name}: rule {i.rule.id}: 'otherwise' must be one of {', '.join(DECISIONS)}")
