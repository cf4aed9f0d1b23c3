"""The stock-Presidio counterpart of ``marac-redact batch``, timed as a whole process by bench.py.

    python benchmarks/stock_presidio_batch.py corpus.jsonl -o out.jsonl

Reads ``{"id", "text"}`` lines, analyses each text with one ``AnalyzerEngine`` (default recognizers,
the same spaCy model), writes ``{"id", "findings": [{"start", "end", "entity_type", "score"}]}`` lines.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stock import stock_engine  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args(argv)
    engine = stock_engine()
    count = 0
    with args.docs.open(encoding="utf-8") as src, args.output.open("w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            doc = json.loads(line)
            results = engine.analyze(text=doc["text"], language="en")
            findings = [{"start": r.start, "end": r.end, "entity_type": r.entity_type, "score": r.score}
                        for r in results]
            out.write(json.dumps({"id": doc["id"], "findings": findings}) + "\n")
            count += 1
    print(f"wrote {count} documents to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
