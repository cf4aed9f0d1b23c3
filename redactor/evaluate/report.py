"""Plain-text tables for ``marac-redact eval``."""

from __future__ import annotations

from redactor.evaluate import EvalReport
from redactor.evaluate.scoring import Scores
from redactor.model import ENTITY_LABELS, PASSAGE_LABELS

ORDER = [*ENTITY_LABELS, *PASSAGE_LABELS]


def _rp(scores: Scores | None, label: str) -> str:
    if scores is None:
        return f"{'-':>6} {'-':>6}"
    c = scores.labels.get(label)
    if c is None or (c.gold == 0 and c.predicted == 0):
        return f"{'-':>6} {'-':>6}"
    return f"{c.recall:6.3f} {c.precision:6.3f}"


def format_report(report: EvalReport, title: str) -> str:
    s, k, p = report.system, report.keyword, report.presidio
    lines = [
        f"{title}: {report.documents} documents",
        "",
        f"{'label':<16}{'gold':>6}   {'system R':>8} {'P':>6} {'F1':>6}   "
        f"{'presidio R':>10} {'P':>6}   {'keyword R':>9} {'P':>6}",
    ]
    labels = [lab for lab in ORDER if lab in s.labels] + sorted(set(s.labels) - set(ORDER))
    for lab in labels:
        c = s.labels[lab]
        lines.append(
            f"{lab:<16}{c.gold:>6}   {c.recall:8.3f} {c.precision:6.3f} {c.f1:6.3f}   "
            f"{_rp(p, lab):>17}   {_rp(k, lab):>16}"
        )
    if s.passages_found or k.passages_found:
        lines += [
            "",
            f"IMMIGRATION category accuracy {s.category_accuracy:.3f}, subject accuracy {s.subject_accuracy:.3f}"
            " (keyword baseline gives neither)",
        ]
    if s.release_docs:
        lines += ["", f"{'release':<28}{'system':>10}{'presidio':>10}{'keyword':>10}"]
        rows = [
            ("leak rate", "leak_rate", "{:.3f}"),
            ("over-redaction", "over_redaction_rate", "{:.3f}"),
            ("review load /1000 words", "review_load", "{:.1f}"),
            ("verdict accuracy", "verdict_accuracy", "{:.3f}"),
        ]
        for name, attr, fmt in rows:
            cells = [fmt.format(getattr(x, attr)) if x is not None else "-" for x in (s, p, k)]
            lines.append(f"{name:<28}" + "".join(f"{c:>10}" for c in cells))
        lines.append(
            f"({s.release_docs} release documents, {s.redact_spans} spans to redact, {s.keep_spans} to keep;"
            f" system leaks {s.leaks}, over-redacts {s.over_redacted})"
        )
    return "\n".join(lines)
