"""Derived figures, the issue's targets (PASS/FAIL) and the printed table, from bench.py's results."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

BATCH_RATIO_MIN = 2.0  # batch words/s >= 2x stock Presidio's, whole processes (issue 7, requirement 2)
REDECIDE_MAX_MS = 50.0  # re-decide a 10,000-word document for a new release
GROWTH_MAX = 12.0  # time(100k) / time(10k)
PEAK_MAX_MB = 1536.0  # peak memory at 100,000 words (1.5 GB)


def scan_time(probe: dict[str, Any]) -> float:
    return float(statistics.median(probe["times_s"]))


def words_per_s(words: int, seconds: float) -> float:
    return words / seconds if seconds > 0 else float("nan")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    out = [_batch_target(results["batch"]), _redecide_target(results["redecide"])]
    scan = results["scan"]
    if "10000" in scan and "100000" in scan:
        growth = scan_time(scan["100000"]["ours"]) / scan_time(scan["10000"]["ours"])
        out.append(_target("scan time 100k / 10k words", growth, f"<= {GROWTH_MAX:g}x", growth <= GROWTH_MAX, "x"))
        peak = scan["100000"]["ours"]["peak_rss_mb"]
        out.append(_target("peak memory, scan of 100k words", peak, "< 1.5 GB", peak < PEAK_MAX_MB, "MB"))
    else:
        out.append(_target("scan time 100k / 10k words", None, f"<= {GROWTH_MAX:g}x", None, "x"))
        out.append(_target("peak memory, scan of 100k words", None, "< 1.5 GB", None, "MB"))
    return out


def _target(name: str, value: float | None, goal: str, ok: bool | None, unit: str) -> dict[str, Any]:
    return {"target": name, "value": value, "unit": unit, "goal": goal, "pass": ok}


def _batch_target(batch: dict[str, Any]) -> dict[str, Any]:
    best = max((r for k, r in batch["runs"].items() if k != "stock"), key=lambda r: r["words_per_s"])
    ratio = best["words_per_s"] / batch["runs"]["stock"]["words_per_s"]
    name = f"batch words/s vs stock Presidio ({best['label']})"
    return _target(name, ratio, f">= {BATCH_RATIO_MIN:g}x", ratio >= BATCH_RATIO_MIN, "x")


def _redecide_target(redecide: dict[str, Any]) -> dict[str, Any]:
    worst = max(r["plan_apply"]["median_ms"] for r in redecide["releases"].values())
    name = "re-decide 10k words, worst release median"
    return _target(name, worst, f"< {REDECIDE_MAX_MS:g} ms", worst < REDECIDE_MAX_MS, "ms")


# --------------------------------------------------------------------------- table


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[_cell(c) for c in row] for row in [head, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in cells]
    return [lines[0], "  ".join("-" * w for w in widths), *lines[1:]]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


def format_report(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"marac-redact benchmark ({results['mode']} run, seed {results['seed']})",
        f"machine: {m['cpus']} CPUs, {m['cpu_model']}, {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"load average at start {m['load_avg_at_start'][0]:.2f}",
        "",
        "Single document, one process each (load = models and rules; time = median scan; peak = VmHWM)",
        *_table(
            ["pack", "words", "ours load s", "ours s", "ours w/s", "ours peak MB", "stock load s", "stock s",
             "stock w/s", "stock peak MB", "ours/stock w/s"],
            [_scan_row(size, r) for size, r in results["scan"].items()],
        ),
        *_growth_lines(results["scan"]),
        "",
        f"Batch, whole processes timed from outside ({results['batch']['docs']} documents, "
        f"{results['batch']['words']:,} words; wall time includes loading models)",
        *_table(["run", "wall s", "words/s", "peak MB", "vs stock"],
                [_batch_row(r, results["batch"]["runs"]["stock"]) for r in results["batch"]["runs"].values()]),
        *(["  note: " + n for n in results["batch"]["notes"]]),
        *_round_ratios(results["batch"]["runs"]),
        "",
        f"Re-decide the {results['redecide']['words']:,}-word pack for a release (detections cached; "
        f"{results['redecide']['findings']} findings, {results['redecide']['edits']} reviewer edits replayed; "
        f"{_reps(results['redecide'])} repetitions after a warm-up)",
        *_table(["release", "items", "allowed", "median ms", "p95 ms", "+JSON median ms", "+JSON p95 ms"],
                [_redecide_row(name, r) for name, r in results["redecide"]["releases"].items()]),
        "  (+JSON: also rebuilding the findings from their stored JSON, as Workspace.reviewed does)",
        "",
        "Targets (issue 7)",
        *_table(["target", "measured", "goal", "result"], [_target_row(t) for t in results["targets"]]),
    ]
    return "\n".join(lines)


def _scan_row(size: str, r: dict[str, Any]) -> list[Any]:
    ours, stock = r["ours"], r["stock"]
    ours_wps, stock_wps = words_per_s(ours["words"], scan_time(ours)), words_per_s(stock["words"], scan_time(stock))
    return [f"{int(size) // 1000}k", ours["words"], ours["load_s"], scan_time(ours), ours_wps, ours["peak_rss_mb"],
            stock["load_s"], scan_time(stock), stock_wps, stock["peak_rss_mb"], f"{ours_wps / stock_wps:.2f}x"]


def _growth_lines(scan: dict[str, Any]) -> list[str]:
    if "10000" not in scan or "100000" not in scan:
        return ["growth 10k -> 100k: not measured (--quick)"]
    ours = scan_time(scan["100000"]["ours"]) / scan_time(scan["10000"]["ours"])
    stock = scan_time(scan["100000"]["stock"]) / scan_time(scan["10000"]["stock"])
    return [f"growth 10k -> 100k words (10x the words): ours {ours:.2f}x the time, stock Presidio {stock:.2f}x"]


def _batch_row(r: dict[str, Any], stock: dict[str, Any]) -> list[Any]:
    return [r["label"], r["wall_s"], r["words_per_s"], r["peak_rss_mb"],
            f"{r['words_per_s'] / stock['words_per_s']:.2f}x"]


def _round_ratios(runs: dict[str, Any]) -> list[str]:
    """Ours against stock within each round (run back to back, so a drift of the machine's speed
    mostly cancels). Shown beside the target, which uses the medians."""
    stock = runs["stock"].get("walls_s", [])
    out = []
    for key, r in runs.items():
        walls = r.get("walls_s", [])
        if key != "stock" and len(walls) == len(stock) > 1:
            out.append(f"  note: {r['label']} vs stock, round by round: "
                       + ", ".join(f"{s / w:.2f}x" for s, w in zip(stock, walls, strict=True)))
    return out


def _reps(redecide: dict[str, Any]) -> int:
    return int(next(iter(redecide["releases"].values()))["plan_apply"]["reps"])


def _redecide_row(name: str, r: dict[str, Any]) -> list[Any]:
    pa, js = r["plan_apply"], r["with_json_findings"]
    return [name, r["items"], "yes" if r["allowed"] else "no", pa["median_ms"], pa["p95_ms"], js["median_ms"],
            js["p95_ms"]]


def _target_row(t: dict[str, Any]) -> list[Any]:
    value = "-" if t["value"] is None else f"{t['value']:.2f} {t['unit']}"
    result = "not measured" if t["pass"] is None else ("PASS" if t["pass"] else "FAIL")
    return [t["target"], value, t["goal"], result]
