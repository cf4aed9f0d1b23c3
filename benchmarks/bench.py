"""marac-redact performance benchmark (issue 7). Not part of the test suite.

    python benchmarks/bench.py                      # full run (1k, 10k, 100k words; 200-document batch)
    python benchmarks/bench.py --quick              # short run (1k, 10k; 50-document batch)
    python benchmarks/bench.py --out results.json   # also write the results as JSON

Every measurement runs in a fresh child process. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import report  # noqa: E402
import runner  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="marac-redact performance benchmark (issue 7)")
    ap.add_argument("--quick", action="store_true", help="short run: 1k and 10k words, a 50-document batch")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--seed", type=int, default=7, help="seed of the generated packs and corpus (default 7)")
    ap.add_argument("--workers", default="1,2", help="batch --workers values to run (default 1,2)")
    ap.add_argument("--rounds", type=int, help="interleaved runs of each batch command, median reported "
                    "(default 3; --quick: 1)")
    return ap.parse_args(argv)


def plan(quick: bool) -> dict[str, Any]:
    if quick:
        return {"sizes": [1000, 10000], "repeat": {1000: 3, 10000: 1}, "docs": 50, "corpus_words": 25000,
                "reps": 10, "warmup": 2}
    return {"sizes": [1000, 10000, 100000], "repeat": {1000: 5, 10000: 3, 100000: 1}, "docs": 200,
            "corpus_words": 100000, "reps": 50, "warmup": 5}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def measure_scans(packs: dict[int, Path], repeat: dict[int, int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for size, path in packs.items():
        out[str(size)] = {}
        for kind, key in (("scan", "ours"), ("presidio", "stock")):
            log(f"scan {size} words: {key} ...")
            out[str(size)][key] = runner.run_probe(kind, path, "--repeat", str(repeat[size]))
    return out


def measure_batch(corpus_path: Path, workers: list[int], scratch: Path, rounds: int) -> dict[str, Any]:
    """Each command ``rounds`` times, interleaved (ours --workers 1, 2, ..., stock; then again), so a slow
    spell of a shared machine falls on every command alike; each row reports the median wall time."""
    docs, words = corpus.corpus_words(corpus_path)
    has_workers = runner.batch_has_workers()
    notes = [] if has_workers else ["batch has no --workers option yet: ran without it (one process)"]
    commands: dict[str, tuple[str, list[str], Path]] = {}
    for n in workers if has_workers else [1]:
        out = scratch / f"ours-{n}.jsonl"
        cmd = [*runner.marac_redact(), "batch", str(corpus_path), "-o", str(out)]
        label = f"marac-redact batch --workers {n}" if has_workers else "marac-redact batch"
        commands[f"ours_w{n}"] = (label, cmd + (["--workers", str(n)] if has_workers else []), out)
    out = scratch / "stock.jsonl"
    cmd = [sys.executable, str(runner.HERE / "stock_presidio_batch.py"), str(corpus_path), "-o", str(out)]
    commands["stock"] = ("stock Presidio (AnalyzerEngine per text)", cmd, out)
    walls: dict[str, list[dict[str, Any]]] = {key: [] for key in commands}
    for r in range(rounds):
        for key, (label, cmd, out) in commands.items():
            log(f"{label} (round {r + 1} of {rounds}) ...")
            walls[key].append(_whole(label, cmd, out, docs, words))
    runs = {key: _median_run(measured) for key, measured in walls.items()}
    every = "; ".join(f"{key} " + ", ".join(f"{m['wall_s']:.2f}" for m in measured) for key, measured in walls.items())
    notes.append(f"wall s: the median of {rounds} interleaved run(s) per command (all: {every})")
    notes.append("peak MB: the largest single process over the rounds (each --workers N worker holds its own models)")
    return {"docs": docs, "words": words, "corpus": str(corpus_path), "runs": runs, "rounds": rounds, "notes": notes}


def _median_run(measured: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time (the lower middle one for an even count), with every wall time
    and the largest peak memory of the rounds."""
    ranked = sorted(measured, key=lambda m: m["wall_s"])
    return {**ranked[(len(ranked) - 1) // 2], "walls_s": [m["wall_s"] for m in measured],
            "peak_rss_mb": max(m["peak_rss_mb"] for m in measured)}


def _whole(label: str, cmd: list[str], out: Path, docs: int, words: int) -> dict[str, Any]:
    run = runner.run_whole(cmd, out.with_suffix(".log"))
    written = runner.count_lines(out)
    if written != docs:
        raise runner.BenchError(f"{label}: wrote {written} lines for {docs} documents")
    return {"label": label, "cmd": cmd, "wall_s": run.wall_s, "words_per_s": report.words_per_s(words, run.wall_s),
            "peak_rss_mb": run.peak_rss_mb}


def run(args: argparse.Namespace) -> dict[str, Any]:
    p = plan(args.quick)
    log("generating packs and corpus (cached under benchmarks/data/) ...")
    pack_paths, corpus_path = corpus.generate(p["sizes"], p["docs"], p["corpus_words"], args.seed)
    packs = dict(zip(p["sizes"], pack_paths, strict=True))
    results: dict[str, Any] = {"mode": "quick" if args.quick else "full", "seed": args.seed,
                               "machine": runner.machine()}
    results["data"] = {str(s): {"path": str(path), "words": corpus.words(path.read_text(encoding="utf-8"))}
                       for s, path in packs.items()}
    results["scan"] = measure_scans(packs, p["repeat"])
    log(f"re-decide {packs[10000].name} ...")
    results["redecide"] = runner.run_probe("redecide", packs[10000], "--reps", str(p["reps"]),
                                           "--warmup", str(p["warmup"]))
    with tempfile.TemporaryDirectory(prefix="marac-bench-") as scratch:
        workers = [int(w) for w in args.workers.split(",") if w.strip()]
        rounds = args.rounds or (1 if args.quick else 3)
        results["batch"] = measure_batch(corpus_path, workers, Path(scratch), max(1, rounds))
    results["targets"] = report.targets(results)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = run(args)
    except runner.BenchError as e:
        print(f"benchmark failed: {e}", file=sys.stderr)
        return 1
    print(report.format_report(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
