"""A reviewer's edits applied to a decided Plan. Pure: no spaCy, no files, no UI, no database.

The machine proposes (``decide``); a person edits the proposal. Edits never touch the source text:
each is a small value (offsets, decisions, keys; never the text itself), stored in order, and
replayed on top of a fresh plan whenever the release changes, so a reviewer's work survives a
changed recipient and a re-decision costs milliseconds.

    reviewed = apply_edits(plan, edits, len(text))
    reviewed.plan          # a Plan the render stage accepts (no review left => releasable)
    reviewed.four_eyes     # why a second person must approve, or None
    reviewed.flags         # governance flags for the DPO (policy flags + reviewer overrides)

Items are keyed by label and offsets (``PERSON:10-14``), so an edit keeps pointing at the same
finding when the release (and so every proposed decision) changes. Manual redactions are ``M:a-b``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from redactor.decide import Decision, Flag, Plan
from redactor.errors import EditError
from redactor.model import Finding
from redactor.policy import Policy

DECISIONS = ("keep", "review", "redact")
EDIT_KINDS = ("decide", "span", "add", "rule", "acknowledge_hold")
MANUAL_LABEL = "MANUAL"
REVIEWER_RULE = "R1"
MANUAL_RULE = "R2"
OVERRIDE_FLAG = "redact_overridden_to_keep"  # governance rules in rules/policy.yaml say which id and why
HOLD_FLAG = "held_document_released"
ENFORCEMENT_RECIPIENTS = ("immigration_enforcement",)


@dataclass(frozen=True)
class Edit:
    """One reviewer action. ``kind``:

    * ``decide``: set ``decision`` for item ``key``;
    * ``span``: move item ``key`` to [``start``, ``end``);
    * ``add``: redact every span in ``spans`` (a manual redaction, "all occurrences" = many spans);
    * ``rule``: set ``decision`` for every item the rule ``rule`` proposed (accept a rule at once);
    * ``acknowledge_hold``: a person has checked what could not be analysed (H1).
    """

    kind: str
    key: str = ""
    decision: str = ""
    start: int = -1
    end: int = -1
    spans: tuple[tuple[int, int], ...] = ()
    rule: str = ""
    user: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for name in ("key", "decision", "rule"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.start >= 0:
            out["start"], out["end"] = self.start, self.end
        if self.spans:
            out["spans"] = [list(s) for s in self.spans]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any], user: str = "") -> Edit:
        spans = tuple((int(a), int(b)) for a, b in raw.get("spans", ()))
        return cls(
            str(raw["kind"]), str(raw.get("key", "")), str(raw.get("decision", "")),
            int(raw.get("start", -1)), int(raw.get("end", -1)), spans, str(raw.get("rule", "")), user,
        )


@dataclass(frozen=True)
class Item:
    """One line of the review queue: the machine's proposal and what a person made of it."""

    key: str
    proposed: Decision
    final: Decision
    edited_by: str = ""

    @property
    def manual(self) -> bool:
        return self.proposed.finding.label == MANUAL_LABEL

    @property
    def overridden(self) -> bool:
        """A ``redact`` proposal a person turned into ``keep`` (the DPO sees every one)."""
        return self.proposed.decision == "redact" and self.final.decision == "keep"


@dataclass(frozen=True)
class Reviewed:
    items: tuple[Item, ...]
    plan: Plan
    flags: tuple[Flag, ...] = field(default_factory=tuple)
    hold_acknowledged: bool = False

    @property
    def open_questions(self) -> int:
        return self.plan.open_questions

    @property
    def four_eyes(self) -> str | None:
        """Why a second person must approve before download, or None."""
        if self.plan.release.recipient in ENFORCEMENT_RECIPIENTS:
            return "the recipient is Immigration Enforcement"
        kept = sum(1 for i in self.items if i.final.finding.label == "IMMIGRATION" and i.final.decision == "keep")
        if kept:
            return f"{kept} immigration passage(s) are kept"
        return None

    @property
    def blockers(self) -> tuple[str, ...]:
        """Everything that stops release now, one line each (approval is checked by the caller)."""
        out: list[str] = []
        v = self.plan.verdict
        if not v.allowed:
            out.append(f"release blocked by {v.gate}: {v.reason} To unblock: {v.unblock}")
        if self.plan.held:
            out.append("the document is held (H1): part of it could not be analysed; acknowledge that you checked it")
        if self.open_questions:
            out.append(f"{self.open_questions} item(s) still need a decision")
        return tuple(out)

    def digest(self) -> str:
        """A fingerprint of exactly what would be released: the release and every final decision.
        An approval names the digest it approved, so any later change voids it."""
        body = {
            "release": self.plan.release.as_json(),
            "items": sorted((i.key, i.final.finding.start, i.final.finding.end, i.final.decision) for i in self.items),
            "hold": self.hold_acknowledged,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def item_key(f: Finding) -> str:
    return f"{f.label}:{f.start}-{f.end}"


def apply_edits(plan: Plan, edits: Iterable[Edit], text_length: int, policy: Policy | None = None) -> Reviewed:
    """Replay ``edits`` in order on ``plan``. An edit naming an item that no longer exists (the release
    changed and the item went with it) is skipped; a malformed edit raises EditError. ``policy`` gives
    the governance rules raised on what a person did (an override, a held document released)."""
    items: dict[str, Item] = {}
    for d in plan.items:
        items.setdefault(item_key(d.finding), Item(item_key(d.finding), d, d))
    acknowledged = False
    for e in edits:
        check_edit(e, text_length)
        if e.kind == "acknowledge_hold":
            acknowledged = True
        elif e.kind == "add":
            for a, b in e.spans:
                item = _manual(a, b, e.user)
                items[item.key] = item
        elif e.kind == "rule":
            for key, item in list(items.items()):
                if item.proposed.rule == e.rule:
                    items[key] = _decided(item, e.decision, e.user)
        elif e.key in items:
            item = items[e.key]
            items[e.key] = _decided(item, e.decision, e.user) if e.kind == "decide" else _moved(item, e)
    ordered = tuple(sorted(items.values(), key=lambda i: (i.final.finding.start, i.final.finding.end, i.key)))
    override, hold = _review_flag(policy, OVERRIDE_FLAG), _review_flag(policy, HOLD_FLAG)
    flags = plan.flags + tuple(
        Flag(override[0], override[1], i.final.finding.start, i.final.finding.end) for i in ordered if i.overridden
    )
    if acknowledged and plan.held:
        flags += (Flag(*hold),)
    final = replace(plan, items=tuple(i.final for i in ordered), flags=flags, held=plan.held and not acknowledged)
    return Reviewed(ordered, final, flags, acknowledged)


def _review_flag(policy: Policy | None, event: str) -> tuple[str, str]:
    for rule, when in policy.governance if policy else ():
        if when.get("review") == event:
            return rule.id, rule.reason
    return event, event.replace("_", " ")


def check_edit(e: Edit, text_length: int) -> None:
    if e.kind not in EDIT_KINDS:
        raise EditError(f"unknown edit '{e.kind}': use one of {', '.join(EDIT_KINDS)}")
    if e.kind in ("decide", "rule") and e.decision not in DECISIONS:
        raise EditError(f"decision must be one of {', '.join(DECISIONS)}")
    if e.kind in ("decide", "span") and not e.key:
        raise EditError(f"a '{e.kind}' edit names the item it changes")
    if e.kind == "rule" and not e.rule:
        raise EditError("a 'rule' edit names the rule whose items it decides")
    spans = e.spans if e.kind == "add" else ((e.start, e.end),) if e.kind == "span" else ()
    if e.kind == "add" and not spans:
        raise EditError("a manual redaction needs at least one span")
    for a, b in spans:
        if not 0 <= a < b <= text_length:
            raise EditError(f"span {a}..{b} is not inside the document (0..{text_length})")


def occurrences(text: str, needle: str, *, whole_words: bool = True) -> tuple[tuple[int, int], ...]:
    """Every place ``needle`` occurs in ``text`` (case-insensitive; any run of white space matches any
    other), for a manual redaction of "all occurrences"."""
    words = needle.split()
    if not words:
        return ()
    body = r"\s+".join(re.escape(w) for w in words)
    if whole_words:
        body = rf"(?<!\w){body}(?!\w)"
    return tuple((m.start(), m.end()) for m in re.finditer(body, text, re.IGNORECASE))


def bulk_rules(items: Sequence[Item]) -> dict[str, tuple[int, str]]:
    """Per proposing rule: how many items and what it proposed (for "accept all of rule X")."""
    out: dict[str, tuple[int, str]] = {}
    for i in items:
        if i.manual:
            continue
        n, _ = out.get(i.proposed.rule, (0, ""))
        out[i.proposed.rule] = (n + 1, i.proposed.decision)
    return out


def _decided(item: Item, decision: str, user: str) -> Item:
    if decision == item.proposed.decision and not item.manual:
        return Item(item.key, item.proposed, item.proposed, user)
    reason = f"{user or 'a reviewer'} decided {decision} (proposed {item.proposed.decision} by {item.proposed.rule})"
    final = Decision(item.final.finding, decision, REVIEWER_RULE if not item.manual else MANUAL_RULE, reason)
    return Item(item.key, item.proposed, final, user)


def _moved(item: Item, e: Edit) -> Item:
    f = replace(item.final.finding, start=e.start, end=e.end)
    return Item(item.key, item.proposed, replace(item.final, finding=f), e.user)


def _manual(start: int, end: int, user: str) -> Item:
    f = Finding(start, end, MANUAL_LABEL, 1.0, "reviewer", "added by a person")
    d = Decision(f, "redact", MANUAL_RULE, f"{user or 'a reviewer'} redacted this by hand")
    return Item(f"M:{start}-{end}", d, d, user)


@dataclass(frozen=True)
class RuleSummary:
    """For a letter check: one rule's effect, e.g. "2 PERSON, 1 IMMIGRATION removed by P5, because ..."."""

    rule: str
    decision: str
    reason: str
    citation: str
    labels: tuple[tuple[str, int], ...]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.labels)


def summarise(reviewed: Reviewed) -> tuple[RuleSummary, ...]:
    """What the plan removes, keeps and asks about, grouped by rule (the strictest decisions first)."""
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in reviewed.items:
        groups.setdefault((item.final.rule, item.final.decision), []).append(item)
    out = []
    for (rule, decision), items in groups.items():
        labels: dict[str, int] = {}
        for i in items:
            name = i.final.finding.label
            if name == "IMMIGRATION" and i.final.finding.subject:
                name = f"IMMIGRATION ({i.final.finding.category}, {i.final.finding.subject})"
            labels[name] = labels.get(name, 0) + 1
        first = items[0].final
        out.append(RuleSummary(rule, decision, first.reason, str(first.cite) if first.cite else "",
                               tuple(sorted(labels.items()))))
    order = {"redact": 0, "review": 1, "keep": 2}
    return tuple(sorted(out, key=lambda s: (order.get(s.decision, 3), -s.count, s.rule)))


# -- what the app shows (pure) -----------------------------------------------------------------
def context(text: str, start: int, end: int, width: int = 40) -> tuple[str, str, str]:
    """The words around [start, end) for a queue line: (before, the span, after), white space folded."""
    a, b = max(0, start - width), min(len(text), end + width)
    before, after = ("…" if a else "") + _fold(text[a:start]), _fold(text[end:b]) + ("…" if b < len(text) else "")
    return before, _fold(text[start:end]), after


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def segments(text: str, items: Sequence[Item]) -> tuple[tuple[str, str | None], ...]:
    """``text`` cut into runs, each with the strictest final decision of the items covering it (None
    where nothing was found), for the highlighted document view."""
    rank = [-1] * len(text)
    for item in items:
        strictness = _STRICTNESS.get(item.final.decision, 1)
        for k in range(item.final.finding.start, min(item.final.finding.end, len(text))):
            rank[k] = max(rank[k], strictness)
    out: list[tuple[str, str | None]] = []
    start = 0
    for k in range(1, len(text) + 1):
        if k == len(text) or rank[k] != rank[start]:
            out.append((text[start:k], _BY_STRICTNESS[rank[start]] if rank[start] >= 0 else None))
            start = k
    return tuple(out)


_STRICTNESS = {"keep": 0, "review": 1, "redact": 2}
_BY_STRICTNESS = {v: k for k, v in _STRICTNESS.items()}


def unneeded(reviewed: Reviewed) -> tuple[Item, ...]:
    """For a letter check: what the letter holds that its recipient does not need (the policy or a
    person removes it), in text order."""
    return tuple(i for i in reviewed.items if i.final.decision == "redact")
