"""The review queue's public API: documents, reviews, edits, approvals, releases and the DPO's views.

The Streamlit app (``app.py``) and the CLI call this and hold no logic. It chains the stages around a
store: upload = ingest -> detect -> store; every view = stored findings -> decide -> apply edits (pure
and cheap: a changed release never re-runs detection); release = render -> verify -> disclosure
record, with every change written and audited when it is made.

    ws = Workspace.open()                        # models, rules, users and store, once per process
    doc = ws.upload(user, "minutes.docx", data)
    rid = ws.open_review(user, doc, {"recipient": "housing", "purpose": "safeguarding", ...})
    view = ws.view(rid)                          # queue items, blockers, four-eyes, version
    ws.edit(user, rid, view.version, Edit("decide", key=..., decision="redact"))
    out = ws.release(user, rid, version)         # the verified file and its redaction log
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from redactor import ingest, rulesfile
from redactor.auth import User, UserDirectory, load_users, require
from redactor.errors import ApprovalRequiredError, EditError, RenderError, UnresolvedReviewError
from redactor.model import Document, Finding, Notice
from redactor.pipeline import Redactor
from redactor.release import Release
from redactor.render import log_csv, log_json, redactions_from_plan, render
from redactor.render.plan import check_verdict
from redactor.render.text import redact_text
from redactor.review import Edit, Item, Reviewed, apply_edits, check_edit, context, occurrences
from redactor.store import DisclosureRow, DocumentRow, ReviewRow, Store, StoredDocument
from redactor.structure import find_structure

FINDING_FIELDS = ("start", "end", "label", "score", "recognizer", "explanation", "category", "subject", "pattern")


@dataclass(frozen=True)
class View:
    """Everything a reviewer sees of one review, computed fresh from what is stored."""

    review: ReviewRow
    document: StoredDocument
    release: Release
    reviewed: Reviewed
    approvals: tuple[Any, ...]
    approved_by: tuple[str, ...]

    @property
    def version(self) -> int:
        return self.review.version

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def four_eyes(self) -> str | None:
        return self.reviewed.four_eyes

    def blockers(self, user: User | None = None) -> tuple[str, ...]:
        """Why this cannot be released now (by ``user``), one line each; empty when it can."""
        out = list(self.reviewed.blockers)
        if self.review.status == "released":
            out.append("already released")
        if self.four_eyes:
            others = [a for a in self.approved_by if user is None or a != user.name]
            if not others:
                out.append(f"needs a second person's approval: {self.four_eyes}")
        return tuple(out)


@dataclass(frozen=True)
class Released:
    filename: str
    data: bytes
    log_csv: bytes
    log_json: bytes
    notes: tuple[str, ...]
    disclosure_id: int


class Workspace:
    def __init__(self, redactor: Redactor, store: Store, users: UserDirectory) -> None:
        self.redactor = redactor
        self.store = store
        self.users = users

    @classmethod
    def open(cls, *, db_url: str | None = None, key: str | None = None, users_file: str | Path | None = None,
             redactor: Redactor | None = None) -> Workspace:
        return cls(redactor or Redactor.load(), Store.open(db_url, key=key), load_users(users_file))

    # -- documents ----------------------------------------------------------------------------
    def upload(self, user: User, name: str, data: bytes, doc_type: str | None = None) -> int:
        """Read, analyse and store one file. A bad file raises InputError and stores nothing."""
        require(user, "upload")
        document = ingest.from_bytes(data, name)
        findings = self.redactor.detector.detect_text(document.text)
        notices = [{"code": n.code, "message": n.message, "hold": n.hold} for n in document.notices]
        return self.store.add_document(
            user=user.name, name=name, kind=document.kind, sha256=document.sha256, data=data,
            text=document.text, doc_type=doc_type, notices=notices, findings=[finding_json(f) for f in findings],
        )

    def documents(self) -> list[DocumentRow]:
        return self.store.list_documents()

    # -- reviews -------------------------------------------------------------------------------
    def open_review(self, user: User, document_id: int, release: Mapping[str, Any], mode: str = "minutes") -> int:
        require(user, "letter_check" if mode == "letter" else "review")
        rel = self.redactor.release(release)  # an unknown recipient or purpose fails before anything is stored
        return self.store.add_review(user=user.name, document_id=document_id, release=rel.as_json(), mode=mode)

    def reviews(self, status: str | None = None) -> list[ReviewRow]:
        return self.store.list_reviews(status=status)

    def view(self, review_id: int) -> View:
        row = self.store.get_review(review_id)
        doc = self.store.get_document(row.document_id)
        release = self.redactor.release(row.release)
        reviewed = self.reviewed(doc, release, [Edit.from_json(e.edit, e.user) for e in self.store.edits(review_id)])
        approvals = tuple(self.store.approvals(review_id))
        digest = reviewed.digest()
        approved_by = tuple(a.user for a in approvals if a.note == digest)
        return View(row, doc, release, reviewed, approvals, approved_by)

    def reviewed(self, doc: StoredDocument, release: Release, edits: Sequence[Edit]) -> Reviewed:
        """Decide for ``release`` from the stored findings, then replay the edits. No detection."""
        document = Document(doc.text, doc.kind, doc.name, doc.sha256, notices=_notices(doc))  # type: ignore[arg-type]
        findings = [finding_from_json(f) for f in doc.findings]
        result = self.redactor.plan(document, findings, release, doc.doc_type)
        assert result.plan is not None
        return apply_edits(result.plan, edits, len(doc.text), self.redactor.policy)

    def change_release(self, user: User, review_id: int, version: int, release: Mapping[str, Any]) -> int:
        require(user, "review")
        rel = self.redactor.release(release)
        return self.store.set_release(review_id, user=user.name, expected_version=version, release=rel.as_json())

    def edit(self, user: User, review_id: int, version: int, edit: Edit) -> int:
        require(user, "review")
        check_edit(edit, len(self._text(review_id)))  # no re-decision needed: the edit is replayed on the next view
        return self.store.add_edit(review_id, user=user.name, expected_version=version, edit=edit.as_json())

    def _text(self, review_id: int) -> str:
        return self.store.get_document(self.store.get_review(review_id).document_id).text

    def approve(self, user: User, review_id: int, version: int) -> int:
        """Approve exactly the plan as it stands (its digest); any later edit voids the approval."""
        require(user, "approve")
        view = self.view(review_id)
        return self.store.add_approval(review_id, user=user.name, expected_version=version, note=view.reviewed.digest())

    # -- output ----------------------------------------------------------------------------------
    def preview(self, review_id: int) -> bytes:
        """The document's text with every ``redact`` and ``review`` span removed (nothing is stored)."""
        view = self.view(review_id)
        check_verdict(view.reviewed.plan.verdict)
        spans = redactions_from_plan(dataclasses.replace(view.reviewed.plan, held=False), review_as_redact=True)
        kept, _ = redact_text(view.text, spans, "rule")
        return kept.encode("utf-8")

    def release(self, user: User, review_id: int, version: int) -> Released:
        """Render, verify, record the disclosure and hand back the file. Refused while anything blocks."""
        require(user, "release")
        view = self.view(review_id)
        problems = view.blockers(user)
        if problems:
            only_approval = len(problems) == 1 and problems[0].startswith("needs a second")
            raise (ApprovalRequiredError if only_approval else UnresolvedReviewError)("; ".join(problems))
        document = self._source(view.document)
        redactions = redactions_from_plan(view.reviewed.plan)
        rendered = render(document, view.document.data, redactions)
        header = {"source": view.document.name, "source_sha256": view.document.sha256,
                  "output_sha256": rendered.sha256, "release": view.release.as_log(),
                  "approved_by": list(view.approved_by), "released_by": user.name, "notes": list(rendered.notes)}
        disclosure = {
            "recipient_type": view.release.recipient, "recipient_name": view.release.recipient_name,
            "purpose": view.release.purpose, "cases": list(view.release.cases),
            "output_sha256": rendered.sha256, "source_sha256": view.document.sha256,
            "counts": _counts(view.reviewed), "flags": sorted({f.rule for f in view.reviewed.flags}),
            "log": [{"start": r.start, "end": r.end, "label": _tokens(r.label),
                     "rule": _tokens(r.rule)} for r in redactions],
            "approvers": list(view.approved_by),
        }
        did = self.store.mark_released(review_id, user=user.name, expected_version=version, disclosure=disclosure)
        return Released(_output_name(view.document.name), rendered.data, log_csv(rendered.log),
                        log_json(rendered.log, header), rendered.notes, did)

    def _source(self, doc: StoredDocument) -> Document:
        document = ingest.from_bytes(doc.data, doc.name)
        if document.text != doc.text:
            raise RenderError(f"{doc.name}: this version reads the file differently from when it was stored; "
                              "upload it again")
        return document

    # -- the DPO's views -------------------------------------------------------------------------
    def disclosures(self, user: User, *, recipient_type: str | None = None, purpose: str | None = None,
                    by: str | None = None, since: datetime | None = None, until: datetime | None = None,
                    ) -> list[DisclosureRow]:
        require(user, "dashboard")
        return self.store.disclosures(recipient_type=recipient_type, purpose=purpose, user=by, since=since, until=until)

    def spot_check(self, user: User, n: int, seed: int | None = None) -> list[DisclosureRow]:
        """A random sample of ``n`` disclosures for the DPO to re-read (the sample is audited)."""
        rows = self.disclosures(user)
        sample = random.Random(seed).sample(rows, min(n, len(rows)))
        self.store.audit(user=user.name, action="dpo.spot_check", detail={"sampled": len(sample), "of": len(rows)})
        return sample

    def verify_audit(self, user: User) -> Any:
        require(user, "audit")
        return self.store.verify_audit()

    # -- what the app needs besides (thin: each calls the methods above) ---------------------------
    def add_manual(self, user: User, review_id: int, version: int, needle: str, every: bool = True) -> int:
        """Redact text a person typed: every place it occurs (``every``) or the first one only."""
        require(user, "review")  # before reading the document
        spans = occurrences(self._text(review_id), needle)
        if not spans:
            raise EditError("that text does not occur in the document (check the spelling)")
        return self.edit(user, review_id, version, Edit("add", spans=spans if every else spans[:1]))

    def recipient_choices(self) -> list[tuple[str, str]]:
        """(name, agency type) for every agency of the recipient directory, then each bare type."""
        return recipient_choices(self.redactor.directory.types)

    def governance_rules(self) -> dict[str, str]:
        """Governance flag id -> the reason the DPO sees (F1 ENFORCEMENT passages, F2, F3, F4)."""
        return {rule.id: rule.reason for rule, _ in self.redactor.policy.governance}

    def seed(self, user: User, folder: str | Path) -> list[tuple[str, int | None]]:
        """Upload every DOCX, PDF and text file in ``folder`` not already stored (same sha256);
        (name, new document id or None when it was already there)."""
        stored = {d.sha256 for d in self.documents()}
        out: list[tuple[str, int | None]] = []
        for path in sorted(Path(folder).iterdir()):
            if path.suffix.lower() not in SEED_SUFFIXES or not path.is_file():
                continue
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() in stored:
                out.append((path.name, None))
                continue
            out.append((path.name, self.upload(user, path.name, data)))
            stored.add(hashlib.sha256(data).hexdigest())
        return out


def finding_json(f: Finding) -> dict[str, Any]:
    out = {k: getattr(f, k) for k in FINDING_FIELDS}
    out["tags"] = list(f.tags)
    return out


def finding_from_json(raw: Mapping[str, Any]) -> Finding:
    return Finding(
        int(raw["start"]), int(raw["end"]), str(raw["label"]), float(raw["score"]), str(raw["recognizer"]),
        str(raw.get("explanation") or ""), raw.get("category"), raw.get("subject"), raw.get("pattern"),
        tuple(raw.get("tags", ())),
    )


def _notices(doc: StoredDocument) -> tuple[Any, ...]:
    return tuple(Notice(n["code"], n["message"], bool(n.get("hold"))) for n in doc.notices)


def _counts(reviewed: Reviewed) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in reviewed.items:
        key = f"{item.final.decision}"
        counts[key] = counts.get(key, 0) + 1
    counts["overridden"] = sum(1 for i in reviewed.items if i.overridden)
    counts["manual"] = sum(1 for i in reviewed.items if i.manual)
    return counts


def _tokens(joined: str) -> list[str]:
    """A merged redaction's labels or rules ("PERSON+ADDRESS", "S1, P6") as a list of single tokens."""
    return [t for t in re.split(r"[+,\s]+", joined) if t]


def _output_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.redacted.{ext}" if dot else f"{name}.redacted.txt"


# -- pure helpers for the app's views (no Streamlit, no database) ---------------------------------
SEED_SUFFIXES = (".docx", ".pdf", ".txt")
SIGN_IN_MODES = ("oidc", "password", "local")


def sign_in_mode(users: UserDirectory, oidc_configured: bool) -> str:
    """How the app signs people in: an identity provider when one is configured, the users file when
    there is one, otherwise the single-user local mode."""
    if oidc_configured:
        return "oidc"
    return "local" if users.single_user else "password"


def recipient_choices(types: Sequence[str], path: Path | None = None) -> list[tuple[str, str]]:
    """(name, type) for each agency named in ``recipients.yaml``, then (type, type) for each type."""
    from redactor.paths import rules_dir

    data = rulesfile.safe_load((path or rules_dir() / "recipients.yaml").read_text(encoding="utf-8"))
    named = [(a["name"], a["type"]) for a in data.get("agencies", [])]
    return named + [(t, t) for t in types]


@dataclass(frozen=True)
class QueueGroup:
    """The queue items of one case (or of the text outside every case) and one category."""

    case: str
    category: str
    items: tuple[Item, ...]

    @property
    def open(self) -> int:
        return sum(1 for i in self.items if i.final.decision == "review")


def item_category(item: Item) -> str:
    """An immigration passage's category (STATUS, NRPF, ...); otherwise the label."""
    f = item.final.finding
    return f"IMMIGRATION {f.category}" if f.label == "IMMIGRATION" and f.category else f.label


def queue_groups(view: View) -> list[QueueGroup]:
    """The review queue grouped by case, then by category, in text order; groups with open items first."""
    structure = find_structure(view.text, view.document.doc_type)
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in view.reviewed.items:
        section = structure.section_at(item.final.finding.start)
        case = f"Case {section.case_id}" if section else "Outside the case sections"
        groups.setdefault((case, item_category(item)), []).append(item)
    out = [QueueGroup(c, k, tuple(v)) for (c, k), v in groups.items()]
    return sorted(out, key=lambda g: (g.open == 0, g.case, g.category))


def disclosure_records(rows: Sequence[DisclosureRow]) -> list[dict[str, Any]]:
    """One flat record per disclosure for the DPO's table (ids, types, counts, never text)."""
    return [
        {"id": r.id, "released": r.at, "by": r.user, "recipient type": r.recipient_type,
         "recipient": r.recipient_name, "purpose": r.purpose, "cases": ", ".join(r.cases),
         "flags": ", ".join(map(str, r.flags)), "approved by": ", ".join(r.approvers),
         "redacted": int(r.counts.get("redact", 0)), "kept": int(r.counts.get("keep", 0)),
         "overridden": int(r.counts.get("overridden", 0)), "review": r.review_id, "document": r.document_id}
        for r in rows
    ]


def timeline(rows: Sequence[DisclosureRow], flags: Sequence[str]) -> list[dict[str, Any]]:
    """Per day: how many releases and how many carried each governance flag (for the charts)."""
    days: dict[date, dict[str, Any]] = {}
    for r in rows:
        day = r.at.date()
        entry = days.setdefault(day, {"day": day, "releases": 0, **{f: 0 for f in flags}})
        entry["releases"] += 1
        for f in r.flags:
            if f in entry:
                entry[f] += 1
    return [days[d] for d in sorted(days)]


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """A date range picked by a person (both days included) as UTC datetimes [since, until)."""
    since = datetime.combine(first, time.min, tzinfo=UTC) if first else None
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC) if last else None
    return since, until


def release_request(recipient: str, purpose: str, cases: str = "", *, agreed: bool = False, agreed_by: str = "",
                    agreed_when: str = "", consent: bool = False, lawful_basis: str = "",
                    necessity: str = "") -> dict[str, Any]:
    """The release a form describes (``cases``: "2" or "1, 3"), as ``open_review`` takes it."""
    return {
        "recipient": recipient.strip(), "purpose": purpose,
        "cases": [c.strip() for c in cases.replace(";", ",").split(",") if c.strip()],
        "marac_agreement": {"agreed": agreed, "by": agreed_by.strip(), "when": agreed_when.strip()},
        "victim_consent": consent, "lawful_basis": lawful_basis.strip(), "necessity": necessity.strip(),
    }


def queue_row(text: str, item: Item) -> dict[str, Any]:
    """One line of the review queue as the reviewer reads it."""
    f, final = item.final.finding, item.final
    before, span, after = context(text, f.start, f.end)
    return {
        "item": item.key, "context": f"{before}[{span}]{after}", "label": f.label, "category": f.category or "",
        "subject": f.subject or "", "proposed": item.proposed.decision, "decision": final.decision,
        "rule": final.rule, "reason": final.reason, "citation": str(final.cite) if final.cite else "",
        "edited by": item.edited_by,
    }
