"""One measurement in a fresh process; bench.py runs it and reads the JSON it prints last.

    python benchmarks/probe.py scan PACK.txt --repeat 3        # our library: Redactor.load, scan_document
    python benchmarks/probe.py presidio PACK.txt --repeat 3    # stock AnalyzerEngine.analyze
    python benchmarks/probe.py redecide PACK.txt --reps 50     # Redactor.plan + review.apply_edits

Peak memory is this process's high-water mark (VmHWM in /proc/self/status), read at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

WARMUP_TEXT_CHARS = 2_000  # the start of the pack, scanned once before timing (first-call costs)

# Releases the re-decide probe switches between (recipient, purpose, cases change).
RELEASES: dict[str, dict[str, Any]] = {
    "housing, safeguarding, case 1": {
        "recipient": "housing", "purpose": "safeguarding", "cases": ["1"],
        "marac_agreement": {"agreed": True, "by": "DI Marsh (chair)", "when": "2026-11-05"}, "victim_consent": True,
    },
    "police, safeguarding, cases 2+3": {
        "recipient": "police", "purpose": "safeguarding", "cases": ["2", "3"],
        "marac_agreement": {"agreed": True, "by": "DI Marsh (chair)", "when": "2026-11-05"},
    },
    "CSC, legal proceedings, case 4": {
        "recipient": "children_social_care", "purpose": "legal_proceedings", "cases": ["4"],
        "marac_agreement": {"agreed": True, "by": "DI Marsh (chair)", "when": "2026-11-05"},
    },
    "legal adviser, victim application, case 5": {
        "recipient": "legal_adviser", "purpose": "victim_application", "cases": ["5"], "victim_consent": True,
    },
    "UKVI, other, case 6": {"recipient": "UKVI Sheffield", "purpose": "other", "cases": ["6"]},
}


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def probe_scan(text: str, repeat: int) -> dict[str, Any]:
    from redactor import ingest
    from redactor.pipeline import Redactor

    load_s, redactor = timed(Redactor.load)
    warm_s, _ = timed(lambda: redactor.scan_document(ingest.from_text(text[:WARMUP_TEXT_CHARS], "warm")))
    rss_loaded = peak_rss_mb()
    document = ingest.from_text(text, "pack")
    times, findings = [], 0
    for _ in range(repeat):
        t, result = timed(lambda: redactor.scan_document(document))
        times.append(t)
        findings = len(result.items)
    return {"load_s": load_s, "warmup_s": warm_s, "times_s": times, "findings": findings, "rss_loaded_mb": rss_loaded}


def probe_presidio(text: str, repeat: int) -> dict[str, Any]:
    from stock import stock_engine

    load_s, engine = timed(stock_engine)
    warm_s, _ = timed(lambda: engine.analyze(text=text[:WARMUP_TEXT_CHARS], language="en"))
    rss_loaded = peak_rss_mb()
    times, findings = [], 0
    for _ in range(repeat):
        t, results = timed(lambda: engine.analyze(text=text, language="en"))
        times.append(t)
        findings = len(results)
    return {"load_s": load_s, "warmup_s": warm_s, "times_s": times, "findings": findings, "rss_loaded_mb": rss_loaded}


def _edits(findings: list[Any], text: str) -> list[Any]:
    """A reviewer's typical work: a dozen decisions, a span moved, one manual 'all occurrences'."""
    from redactor.review import Edit, item_key

    step = max(1, len(findings) // 12)
    edits = [Edit("decide", item_key(f), "redact", user="bench") for f in findings[::step][:12]]
    if findings:
        f = findings[len(findings) // 2]
        edits.append(Edit("span", item_key(f), start=f.start, end=f.end + 1, user="bench"))
    needle, at = "Police", text.find("Police")
    spans: list[tuple[int, int]] = []
    while at >= 0 and len(spans) < 20:
        spans.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    edits.append(Edit("add", spans=tuple(spans), user="bench"))
    return edits


def probe_redecide(text: str, reps: int, warmup: int) -> dict[str, Any]:
    from redactor import ingest
    from redactor.pipeline import Redactor
    from redactor.review import apply_edits
    from redactor.workspace import finding_from_json, finding_json

    redactor = Redactor.load()
    document = ingest.from_text(text, "pack")
    detect_s, findings = timed(lambda: redactor.detector.detect_text(text))
    stored = [finding_json(f) for f in findings]
    edits = _edits(list(findings), text)
    out: dict[str, Any] = {"detect_s": detect_s, "findings": len(findings), "edits": len(edits), "releases": {}}
    for name, raw in RELEASES.items():
        release = redactor.release(raw)

        def decide(release: Any = release) -> Any:
            plan = redactor.plan(document, findings, release, "minutes").plan
            assert plan is not None
            return apply_edits(plan, edits, len(text), redactor.policy)

        def from_store(release: Any = release) -> Any:
            loaded = [finding_from_json(f) for f in stored]
            plan = redactor.plan(document, loaded, release, "minutes").plan
            assert plan is not None
            return apply_edits(plan, edits, len(text), redactor.policy)

        out["releases"][name] = {"plan_apply": _repeat(decide, reps, warmup),
                                 "with_json_findings": _repeat(from_store, reps, warmup)}
        reviewed = decide()
        out["releases"][name]["items"] = len(reviewed.plan.items)
        out["releases"][name]["allowed"] = reviewed.plan.verdict.allowed
    return out


def _repeat(fn: Callable[[], Any], reps: int, warmup: int) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    times = [timed(fn)[0] for _ in range(reps)]
    return {"median_ms": statistics.median(times) * 1000, "p95_ms": percentile(times, 95) * 1000,
            "max_ms": max(times) * 1000, "reps": reps}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="one benchmark measurement in this process")
    ap.add_argument("kind", choices=["scan", "presidio", "redecide"])
    ap.add_argument("pack", type=Path)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    args = ap.parse_args(argv)
    text = args.pack.read_text(encoding="utf-8")
    if args.kind == "scan":
        result = probe_scan(text, args.repeat)
    elif args.kind == "presidio":
        result = probe_presidio(text, args.repeat)
    else:
        result = probe_redecide(text, args.reps, args.warmup)
    result.update(words=len(text.split()), chars=len(text), peak_rss_mb=peak_rss_mb())
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
