"""``marac-redact``: a thin shell over the library. Parses arguments, calls the public API, prints.

Every error the library raises on purpose becomes one line on stderr and exit code 2; anything
unexpected becomes one line and exit code 3 (set MARAC_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redactor.errors import RedactorError, ReleaseError

PROG = "marac-redact"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Find and redact personal data and immigration information in Marac minutes, letters and emails.",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="list what a document holds and, for a release, what the policy decides")
    scan.add_argument("file", type=Path)
    scan.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    _release_options(scan)
    batch = sub.add_parser("batch", help="scan many texts from a JSON Lines file")
    batch.add_argument("docs", type=Path)
    batch.add_argument("-o", "--output", type=Path, required=True)
    ev = sub.add_parser("eval", help="score against an annotated JSON Lines file")
    ev.add_argument("gold", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--no-presidio", action="store_true", help="skip the stock Presidio comparison")
    tab = sub.add_parser("eval-tab", help="DIRECT/QUASI identifier recall on a TAB court-judgment file")
    tab.add_argument("file", type=Path)
    tab.add_argument("--json", action="store_true")
    return ap


def _release_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("release (this document, to this recipient, for this purpose)")
    g.add_argument("--recipient", help="agency type or a named agency from rules/recipients.yaml")
    g.add_argument("--purpose", choices=["safeguarding", "victim_application", "legal_proceedings", "other"])
    g.add_argument("--case", action="append", default=[], help="Marac case the release is about (repeatable)")
    g.add_argument("--marac-agreement", action="store_true", help="the Marac agreed this release")
    g.add_argument("--agreed-by", default="", help="who agreed (chair, coordinator)")
    g.add_argument("--agreed-when", default="", help="when the Marac agreed")
    g.add_argument("--victim-consent", action="store_true", help="the victim knows and agrees")
    g.add_argument("--lawful-basis", default="", help="lawful basis and necessity statement")


def _release_dict(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.recipient is None and args.purpose is None:
        return None
    if args.recipient is None or args.purpose is None:
        raise ReleaseError("a release needs both --recipient and --purpose")
    return {"recipient": args.recipient, "purpose": args.purpose, "cases": args.case,
            "marac_agreement": {"agreed": args.marac_agreement, "by": args.agreed_by, "when": args.agreed_when},
            "victim_consent": args.victim_consent, "lawful_basis": args.lawful_basis}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args))
    except RedactorError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing more written", file=sys.stderr)
        return 130
    except Exception as e:  # never a traceback for a user; the type is enough to report it
        if os.environ.get("MARAC_DEBUG"):
            raise
        print(f"{PROG}: internal error ({type(e).__name__}); set MARAC_DEBUG=1 for details", file=sys.stderr)
        return 3


def _cmd_scan(args: argparse.Namespace) -> int:
    from redactor import ingest
    from redactor.pipeline import Redactor

    document = ingest.load(args.file)  # a bad file fails here, before models load
    redactor = Redactor.load()
    raw = _release_dict(args)
    result = redactor.scan_document(document, redactor.release(raw) if raw else None)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print(_table(result.document.text, result.as_json()))
    return 0


def _table(text: str, data: dict[str, Any]) -> str:
    rows = [f"{'span':>13}  {'label':<15}{'category/subject':<22}{'score':>6}  {'decision':<8} {'rule':<14} text"]
    for f in data["findings"]:
        piece = " ".join(text[f["start"] : f["end"]].split())
        piece = piece if len(piece) <= 50 else piece[:47] + "..."
        cs = f"{f['category']}/{f['subject']}" if f["category"] else ""
        rows.append(
            f"{f['start']:>6}-{f['end']:<6}  {f['label']:<15}{cs:<22}{f['score']:>6.2f}  "
            f"{f['decision']:<8} {f['rule']:<14} {piece}"
        )
    if data.get("blocked"):
        b = data["blocked"]
        rows.append(f"RELEASE BLOCKED by {b['gate']}: {b['reason']}\n  to unblock: {b['unblock']}")
    for fl in data.get("flags", []):
        rows.append(f"governance flag {fl['rule']}: {fl['reason']}")
    for n in data.get("notices", []):
        rows.append(f"notice: {n['message']}" + (" (held for review)" if n["hold"] else ""))
    rows.append(f"{len(data['findings'])} findings")
    return "\n".join(rows)


def _cmd_batch(args: argparse.Namespace) -> int:
    from redactor.batch import run_batch

    count = run_batch(args.docs, args.output, progress=sys.stderr.isatty())
    print(f"wrote {count} documents to {args.output}", file=sys.stderr)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from redactor.evaluate import evaluate, load_gold
    from redactor.evaluate.baselines import StockPresidio
    from redactor.evaluate.report import format_report
    from redactor.pipeline import Redactor

    gold = load_gold(args.gold)
    redactor = Redactor.load()
    stock = None if args.no_presidio else StockPresidio()
    report = evaluate(gold, redactor.predict, stock=stock)
    if args.json:
        print(json.dumps(report.as_dict(), indent=1))
    else:
        print(format_report(report, args.gold.name))
    return 0


def _cmd_eval_tab(args: argparse.Namespace) -> int:
    from redactor.evaluate.tab import format_tab, load_tab, score_tab

    docs = load_tab(args.file)
    result = score_tab(docs)
    print(json.dumps(result, indent=1) if args.json else format_tab(result, args.file.name))
    return 0


COMMANDS = {"scan": _cmd_scan, "batch": _cmd_batch, "eval": _cmd_eval, "eval-tab": _cmd_eval_tab}


if __name__ == "__main__":
    sys.exit(main())
