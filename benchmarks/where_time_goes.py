"""Where the time goes: cProfile of one scan or of re-deciding, on a generated pack.

    python benchmarks/where_time_goes.py scan 10000          # top functions of scan_document (cumulative)
    python benchmarks/where_time_goes.py redecide 10000      # of Redactor.plan + review.apply_edits (x20)
    python benchmarks/where_time_goes.py scan 10000 --sort tottime --top 40
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import probe  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="cProfile a scan or a re-decision")
    ap.add_argument("kind", choices=["scan", "redecide"])
    ap.add_argument("size", type=int, nargs="?", default=10000)
    ap.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args(argv)

    from redactor import ingest
    from redactor.pipeline import Redactor
    from redactor.review import apply_edits

    text = corpus.pack_file(args.size).read_text(encoding="utf-8")
    redactor = Redactor.load()
    redactor.scan_document(ingest.from_text(text[: probe.WARMUP_TEXT_CHARS], "warm"))
    document = ingest.from_text(text, "pack")
    profiler = cProfile.Profile()
    if args.kind == "scan":
        profiler.runcall(redactor.scan_document, document)
    else:
        findings = redactor.detector.detect_text(text)
        edits = probe._edits(list(findings), text)
        release = redactor.release(next(iter(probe.RELEASES.values())))

        def redecide() -> None:
            for _ in range(20):
                plan = redactor.plan(document, findings, release, "minutes").plan
                assert plan is not None
                apply_edits(plan, edits, len(text), redactor.policy)

        profiler.runcall(redecide)
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
