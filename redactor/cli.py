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

from redactor.errors import InputError, RedactorError, ReleaseError

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
    red = sub.add_parser("redact", help="write a redacted copy of a document for a release, with a redaction log")
    red.add_argument("file", type=Path)
    red.add_argument("-o", "--output", type=Path, required=True, help="the redacted file (same format as FILE)")
    red.add_argument(
        "--marker",
        choices=["block", "rule"],
        default="block",
        help="what replaces redacted text: a fixed-width block, or [REDACTED: <rule id>]",
    )
    red.add_argument(
        "--review-as-redact", action="store_true", help="preview: also remove what still waits for a person's decision"
    )
    red.add_argument("--max-bytes", type=int, default=50_000_000, help="refuse input files larger than this")
    _release_options(red)
    batch = sub.add_parser("batch", help="scan many texts from a JSON Lines file")
    batch.add_argument("docs", type=Path)
    batch.add_argument("-o", "--output", type=Path, required=True)
    batch.add_argument("--workers", type=int, default=1,
                       help="processes to spread the documents over (output order is kept); default 1")
    ev = sub.add_parser("eval", help="score against an annotated JSON Lines file")
    ev.add_argument("gold", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--no-presidio", action="store_true", help="skip the stock Presidio comparison")
    tab = sub.add_parser("eval-tab", help="DIRECT/QUASI identifier recall on a TAB court-judgment file")
    tab.add_argument("file", type=Path)
    tab.add_argument("--json", action="store_true")
    _store_commands(sub)
    _app_commands(sub)
    return ap


def _app_commands(sub: Any) -> None:
    seed = sub.add_parser("seed", help="store the files of a folder for the review app (skips those already stored)")
    seed.add_argument("folder", type=Path)
    seed.add_argument("--db", help="database URL (default: DATABASE_URL, else sqlite:///var/marac-redact.sqlite)")
    users = sub.add_parser("users", help="the review app's users file").add_subparsers(dest="users_command",
                                                                                     required=True)
    add = users.add_parser("add", help="add or replace a user (password from MARAC_REDACT_PASSWORD or a prompt)")
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=["coordinator", "idva", "dpo"])
    add.add_argument("--email", default="", help="the address an identity provider signs them in with")
    add.add_argument("--users", type=Path, help="the users file (default: MARAC_REDACT_USERS)")


def _store_commands(sub: Any) -> None:
    db_help = "database URL (default: DATABASE_URL, else sqlite:///var/marac-redact.sqlite)"
    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="recompute the hash chain: exit 0 intact, 1 broken, 2 unreadable")
    verify.add_argument("--db", help=db_help)
    db = sub.add_parser("db", help="the database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate the database to this version's schema").add_argument(
        "--db", help=db_help
    )
    key = sub.add_parser("key", help="encryption keys").add_subparsers(dest="key_command", required=True)
    key.add_parser("new", help="print a new key for MARAC_REDACT_KEY (keep it out of the database's backups)")


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
    return {
        "recipient": args.recipient,
        "purpose": args.purpose,
        "cases": args.case,
        "marac_agreement": {"agreed": args.marac_agreement, "by": args.agreed_by, "when": args.agreed_when},
        "victim_consent": args.victim_consent,
        "lawful_basis": args.lawful_basis,
    }


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


def _cmd_redact(args: argparse.Namespace) -> int:
    from redactor import ingest
    from redactor.pipeline import Redactor
    from redactor.render import log_csv, log_json, redactions_from_plan, render, write_all
    from redactor.render.log import check_output, log_paths

    raw = _release_dict(args)
    if raw is None:
        raise ReleaseError("redact needs a release: give --recipient and --purpose")
    document = ingest.load(args.file, max_bytes=args.max_bytes)  # a bad file fails here, before models load
    check_output(args.file, args.output, document.kind)
    _check_gates(raw)  # a blocked release is refused before models load
    redactor = Redactor.load()
    plan = redactor.scan_document(document, redactor.release(raw)).plan
    assert plan is not None
    redactions = redactions_from_plan(plan, review_as_redact=args.review_as_redact)
    rendered = render(document, args.file.read_bytes(), redactions, marker=args.marker)
    csv_path, json_path = log_paths(args.output)
    header = {
        "source": document.name,
        "source_sha256": document.sha256,
        "output": args.output.name,
        "output_sha256": rendered.sha256,
        "kind": rendered.kind,
        "marker": args.marker,
        "review_as_redact": args.review_as_redact,
        "release": plan.release.as_log(),
        "notes": list(rendered.notes),
        "notices": [n.message for n in document.notices],
    }
    write_all({args.output: rendered.data, csv_path: log_csv(rendered.log), json_path: log_json(rendered.log, header)})
    print(f"wrote {args.output} ({len(redactions)} redactions) with {csv_path.name} and {json_path.name}")
    for note in rendered.notes:
        print(f"note: {note}")
    return 0


def _check_gates(raw: dict[str, Any]) -> None:
    from redactor import paths
    from redactor.decide import check_gates
    from redactor.policy import load_policy
    from redactor.release import load_directory, release_from_dict
    from redactor.render.plan import check_verdict

    rules = paths.rules_dir()
    release = release_from_dict(raw, load_directory(rules / "recipients.yaml"))
    check_verdict(check_gates(release, load_policy(rules / "policy.yaml")))


def _cmd_batch(args: argparse.Namespace) -> int:
    from redactor.batch import run_batch

    count = run_batch(args.docs, args.output, progress=sys.stderr.isatty(), workers=args.workers)
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


def _cmd_audit(args: argparse.Namespace) -> int:
    from redactor.store import Store

    with Store.open(args.db, upgrade=False) as store:
        report = store.verify_audit()
    if report.ok:
        print(f"audit trail intact: {report.events} events, head {report.head[:12]}")
        return 0
    print(f"audit trail broken: {report.problem}")
    return 1


def _cmd_db(args: argparse.Namespace) -> int:
    from redactor.store import Store

    with Store.open(args.db) as store:
        print(f"database {store.url_for_display} is at the current schema")
    return 0


def _cmd_key(args: argparse.Namespace) -> int:
    from redactor.store import new_key

    print(new_key())
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from redactor.auth import LOCAL_USER
    from redactor.workspace import Workspace

    if not args.folder.is_dir():
        raise InputError(f"{args.folder}: not a folder")
    ws = Workspace.open(db_url=args.db, users_file="")
    for name, doc_id in ws.seed(LOCAL_USER, args.folder):
        print(f"{name}: " + (f"stored as document {doc_id}" if doc_id else "already stored"))
    return 0


def _cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from redactor.auth import add_user

    path = args.users or os.environ.get("MARAC_REDACT_USERS")
    if not path:
        raise InputError("give the users file with --users FILE or MARAC_REDACT_USERS")
    password = os.environ.get("MARAC_REDACT_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise InputError("no terminal to ask for the password: set MARAC_REDACT_PASSWORD")
        password = getpass.getpass(f"password for {args.name}: ")
    add_user(path, args.name, tuple(dict.fromkeys(args.role)), password, args.email)
    print(f"{args.name}: saved in {path} as {', '.join(dict.fromkeys(args.role))}")
    return 0


COMMANDS = {
    "seed": _cmd_seed,
    "users": _cmd_users,
    "scan": _cmd_scan,
    "redact": _cmd_redact,
    "batch": _cmd_batch,
    "eval": _cmd_eval,
    "eval-tab": _cmd_eval_tab,
    "audit": _cmd_audit,
    "db": _cmd_db,
    "key": _cmd_key,
}


if __name__ == "__main__":
    sys.exit(main())
