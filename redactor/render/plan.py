"""From a decided Plan to the list of spans to remove, and the marker that replaces each one.

A :class:`Redaction` carries offsets into ``Document.text`` and the rule that removed the span,
never the text itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from redactor.decide import Decision, Plan, Verdict
from redactor.errors import ReleaseBlockedError, UnresolvedReviewError

MarkerStyle = Literal["block", "rule"]
MARKER_STYLES: tuple[MarkerStyle, ...] = ("block", "rule")
BLOCK = "\u2588" * 5  # fixed width, so a marker never tells how long the removed text was
HELD_REASON = (
    "the document is held (H1): part of it could not be analysed, so a person must check it before "
    "anything is released; preview it with --review-as-redact"
)


@dataclass(frozen=True)
class Redaction:
    """One span of ``Document.text`` to remove: [start, end), with the label(s), rule(s) and reason(s)."""

    start: int
    end: int
    label: str
    rule: str
    reason: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad redaction offsets {self.start}..{self.end}")


def redactions_from_plan(plan: Plan, *, review_as_redact: bool = False) -> tuple[Redaction, ...]:
    """The spans a plan removes, sorted and merged where they overlap.

    Raises ReleaseBlockedError for a blocked release (gate, reason and how to unblock) and
    UnresolvedReviewError while any finding is still ``review`` or the document is held, unless
    ``review_as_redact`` (a preview: every ``review`` span is removed too).
    """
    _check_allowed(plan)
    if not review_as_redact:
        _check_resolved(plan)
    wanted = {"redact", "review"} if review_as_redact else {"redact"}
    return merge(_redaction(d) for d in plan.items if d.decision in wanted)


def merge(redactions: Iterable[Redaction]) -> tuple[Redaction, ...]:
    """Sort by position and join overlapping spans (touching spans stay apart)."""
    merged: list[Redaction] = []
    for r in sorted(redactions, key=lambda r: (r.start, r.end)):
        if merged and r.start < merged[-1].end:
            merged[-1] = _join(merged[-1], r)
        else:
            merged.append(r)
    return tuple(merged)


def marker_text(redaction: Redaction, style: MarkerStyle) -> str:
    """The text that replaces a redaction: a fixed-width block, or ``[REDACTED: <rule id>]``."""
    if style == "rule":
        return f"[REDACTED: {redaction.rule}]"
    if style == "block":
        return BLOCK
    raise ValueError(f"unknown marker style {style!r}; use one of {', '.join(MARKER_STYLES)}")


def check_verdict(verdict: Verdict) -> None:
    """Raise ReleaseBlockedError (one line: the gate, why, and how to unblock) for a blocked release."""
    if verdict.allowed:
        return
    unblock = f" To unblock: {verdict.unblock}" if verdict.unblock else ""
    raise ReleaseBlockedError(_one_line(f"release blocked by {verdict.gate}: {verdict.reason}{unblock}"))


def _check_allowed(plan: Plan) -> None:
    check_verdict(plan.verdict)


def _check_resolved(plan: Plan) -> None:
    if plan.held:
        raise UnresolvedReviewError(HELD_REASON)
    count = plan.open_questions
    if count:
        noun = "finding still needs" if count == 1 else "findings still need"
        raise UnresolvedReviewError(
            f"{count} {noun} a person's decision (review): resolve them before release, "
            "or preview with --review-as-redact"
        )


def _redaction(d: Decision) -> Redaction:
    return Redaction(d.finding.start, d.finding.end, d.finding.label, d.rule, d.reason)


def _join(a: Redaction, b: Redaction) -> Redaction:
    return Redaction(
        a.start,
        max(a.end, b.end),
        _union(a.label, b.label, "+"),
        _union(a.rule, b.rule, ", "),
        _union(a.reason, b.reason, "; "),
    )


def _union(a: str, b: str, sep: str) -> str:
    parts = a.split(sep)
    return a if b in parts else f"{a}{sep}{b}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
