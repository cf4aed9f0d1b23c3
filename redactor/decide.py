"""The decide stage: ``decide(findings, release, policy, structure) -> Plan``. Pure: no spaCy, no
files, no UI. Reviewers edit the plan, never the source.

Order: gates (a blocked release decides nothing else), scope (other cases become OUT_OF_SCOPE),
then each finding's own rule (passage table, identifiers), then precedence: where findings overlap,
the strictest decision wins (redact > review > keep) and the winning rule is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from redactor.model import Finding
from redactor.policy import Citation, Gate, Policy, Rule
from redactor.release import Release

STRICTNESS = {"keep": 0, "review": 1, "redact": 2}
CONTAINERS = ("IMMIGRATION", "OUT_OF_SCOPE")


class Section(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def case_id(self) -> str: ...

    def spans(self) -> tuple[tuple[int, int], ...]: ...


class DocumentStructure(Protocol):
    @property
    def cases(self) -> Sequence[Section]: ...

    @property
    def single_case(self) -> bool: ...

    def case_for(self, case_id: str) -> Section | None: ...


@dataclass(frozen=True)
class Decision:
    """One finding with what the policy decided, which rule, and why."""

    finding: Finding
    decision: str
    rule: str
    reason: str
    cite: Citation | None = None

    def as_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "start": f.start,
            "end": f.end,
            "label": f.label,
            "category": f.category,
            "subject": f.subject,
            "score": f.score,
            "decision": self.decision,
            "rule": self.rule,
            "reason": self.reason,
            "citation": str(self.cite) if self.cite else None,
            "recognizer": f.recognizer,
            "pattern": f.pattern,
            "explanation": f.explanation,
        }


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    gate: str | None = None
    reason: str = ""
    unblock: str = ""
    cite: Citation | None = None


@dataclass(frozen=True)
class Flag:
    """Something the DPO's governance view must show (offsets only, never text)."""

    rule: str
    reason: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Plan:
    release: Release
    verdict: Verdict
    items: tuple[Decision, ...]
    flags: tuple[Flag, ...] = ()
    held: bool = False

    @property
    def open_questions(self) -> int:
        return sum(1 for d in self.items if d.decision == "review")


def check_gates(release: Release, policy: Policy) -> Verdict:
    for gate in policy.gates:
        if _matches(gate.blocks_when, release) and not (gate.unless and _matches(gate.unless, release)):
            return Verdict(False, gate.rule.id, gate.rule.reason, gate.unblock, gate.rule.cite)
    return Verdict(True)


def _matches(condition: Mapping[str, Any], release: Release) -> bool:
    values = {
        "recipient": release.recipient,
        "purpose": release.purpose,
        "marac_agreement": release.marac_agreement.agreed,
        "victim_consent": release.victim_consent,
    }
    for key, want in condition.items():
        have = values[key]
        if isinstance(want, list) and have not in want:
            return False
        if not isinstance(want, list) and have != want:
            return False
    return True


def decide(
    findings: Sequence[Finding],
    release: Release,
    policy: Policy,
    structure: DocumentStructure | None = None,
    *,
    held: bool = False,
    text_length: int = 0,
) -> Plan:
    verdict = check_gates(release, policy)
    if not verdict.allowed:
        gate = next(g for g in policy.gates if g.rule.id == verdict.gate)
        return Plan(release, verdict, tuple(_blocked(f, gate) for f in findings), _release_flags(release, policy), held)
    scoped = _scope_findings(release, policy, structure, text_length)
    own = [_own(f, release, policy) for f in [*findings, *scoped]]
    items = _with_containers(own)
    flags = _release_flags(release, policy) + _passage_flags(items, policy)
    return Plan(release, verdict, items, flags, held)


def _blocked(f: Finding, gate: Gate) -> Decision:
    return Decision(f, "redact", gate.rule.id, f"release blocked: {gate.rule.reason}", gate.rule.cite)


def _scope_findings(
    release: Release, policy: Policy, structure: DocumentStructure | None, text_length: int
) -> list[Finding]:
    """OUT_OF_SCOPE findings for every case the release is not about (each case's section and its
    rows elsewhere, e.g. in a case list). A release naming a case that cannot be found, or naming
    cases in a minutes pack where no case sections can be found, holds the document for review (S2).
    A single-case document (a letter, email, referral or note) has no other case to remove."""
    if not release.cases or (structure is not None and structure.single_case):
        return []  # a letter, email, referral or note is about its one case: nothing in it is another's
    reason = policy.scope["S2"].reason
    if structure is None or not structure.cases:
        return [Finding(0, text_length, "OUT_OF_SCOPE", 1.0, "structure", reason, pattern="S2")] if text_length else []
    wanted = [structure.case_for(c) for c in release.cases]
    if any(w is None for w in wanted):
        return [
            Finding(a, b, "OUT_OF_SCOPE", 1.0, "structure", reason, pattern="S2")
            for s in structure.cases
            for a, b in s.spans()
        ]
    keep = {id(w) for w in wanted}
    return [
        Finding(a, b, "OUT_OF_SCOPE", 1.0, "structure", f"case {s.case_id} is not in this release", pattern="S1")
        for s in structure.cases
        if id(s) not in keep
        for a, b in s.spans()
    ]


def _own(f: Finding, release: Release, policy: Policy) -> Decision:
    if f.label == "OUT_OF_SCOPE":
        rule = policy.scope[f.pattern or "S1"]
        return Decision(f, "redact" if rule.id == "S1" else "review", rule.id, rule.reason, rule.cite)
    if f.label == "IMMIGRATION":
        return _passage(f, release, policy)
    return _identifier(f, release, policy)


def _passage(f: Finding, release: Release, policy: Policy) -> Decision:
    group = policy.groups[release.recipient]
    for p in policy.passages:
        if p.category in (f.category, "any") and f.subject in p.subjects:
            cell = p.decisions[group]
            if cell == "keep_with_consent":
                cell = "keep" if release.victim_consent else "redact"
            return Decision(f, cell, p.rule.id, p.rule.reason, p.rule.cite)
    return Decision(f, "review", policy.held.id, "no rule decides this passage: a person decides", policy.held.cite)


def _identifier(f: Finding, release: Release, policy: Policy) -> Decision:
    for i in policy.identifiers:
        if f.label not in i.labels or (i.tag is not None and i.tag not in f.tags):
            continue
        keep = any(all(getattr(release, k) == v for k, v in cond.items()) for cond in i.keep_for)
        return Decision(f, "keep" if keep else i.otherwise, i.rule.id, i.rule.reason, i.rule.cite)
    return Decision(f, "review", policy.held.id, "no rule decides this finding: a person decides", policy.held.cite)


def _with_containers(own: Sequence[Decision]) -> tuple[Decision, ...]:
    """Each decision after :func:`_strictest` against the containers around it, found by one sweep in
    text order (the containers open at a point are few, so this stays linear in the findings)."""
    containers = sorted((d for d in own if d.finding.label in CONTAINERS), key=lambda d: d.finding.start)
    order = sorted(range(len(own)), key=lambda i: own[i].finding.start)
    out: list[Decision | None] = [None] * len(own)
    active: list[Decision] = []
    nxt = 0
    for i in order:
        f = own[i].finding
        while nxt < len(containers) and containers[nxt].finding.start <= f.start:
            active.append(containers[nxt])
            nxt += 1
        active = [c for c in active if c.finding.end > f.start]
        out[i] = _strictest(own[i], [c for c in active if c.finding.end >= f.end])
    return tuple(d for d in out if d is not None)


def _strictest(d: Decision, containers: Sequence[Decision]) -> Decision:
    """An entity inside a passage or an out-of-scope section takes the stricter of the two decisions."""
    best = d
    for other in containers:
        o = other.finding
        inside = o.label in CONTAINERS and o.start <= d.finding.start and d.finding.end <= o.end
        if inside and o is not d.finding and STRICTNESS[other.decision] > STRICTNESS[best.decision]:
            if o.label == "IMMIGRATION" and d.finding.label == "IMMIGRATION":
                continue
            best = Decision(
                d.finding,
                other.decision,
                other.rule,
                f"inside a {o.label.lower().replace('_', '-')} span: {other.reason}",
                other.cite,
            )
    return best


def _release_flags(release: Release, policy: Policy) -> tuple[Flag, ...]:
    return tuple(
        Flag(r.id, r.reason)
        for r, when in policy.governance
        if "recipient" in when and when["recipient"] == release.recipient
    )


def _passage_flags(items: Sequence[Decision], policy: Policy) -> tuple[Flag, ...]:
    rules: list[tuple[Rule, Mapping[str, str]]] = [(r, w) for r, w in policy.governance if "category" in w]
    return tuple(
        Flag(r.id, r.reason, d.finding.start, d.finding.end)
        for d in items
        for r, w in rules
        if d.finding.label == "IMMIGRATION" and d.finding.category == w["category"]
    )
