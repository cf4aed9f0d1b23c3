"""The review app (Streamlit AppTest): each page, the coordinator's whole flow, sign-in, the DPO-only
dashboard and four eyes; and the pure helpers the pages call. Every test has its own SQLite file and
users file; the language models load once per process (``st.cache_resource``)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from streamlit.testing.v1 import AppTest

from redactor import cli
from redactor.auth import LOCAL_USER, User, add_user, load_users
from redactor.review import Edit, apply_edits, context, segments, unneeded
from redactor.ui import session
from redactor.ui.widgets import document_html
from redactor.workspace import (
    Workspace,
    day_bounds,
    queue_groups,
    release_request,
    sign_in_mode,
    timeline,
)

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "sample_docs" / "files"
MINUTES = "minutes-chesterford-2025-10-02.docx"
LETTER = "letter-calderdale-homes.docx"
PASSWORD = "correct-horse-1"
TIMEOUT = 120
HOUSING_CASE_2 = release_request("Ealing Housing Options", "safeguarding", "2", agreed=True,
                                 agreed_by="DI Obi (chair)", agreed_when="2025-10-02", consent=True)


# ----------------------------------------------------------------------------- fixtures and helpers
@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """Single-user local mode on a fresh SQLite file."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    monkeypatch.delenv("MARAC_REDACT_USERS", raising=False)
    return session.workspace()


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A users file with a coordinator, an IDVA and a DPO, on a fresh SQLite file."""
    users = tmp_path / "users.yaml"
    for name, role in (("alice", "coordinator"), ("bob", "idva"), ("dora", "dpo")):
        add_user(users, name, (role,), PASSWORD, f"{name}@example.org")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    monkeypatch.setenv("MARAC_REDACT_USERS", str(users))
    return session.workspace()


def run(target: Any) -> AppTest:
    """Rerun the app (``target``: the AppTest or a widget just changed); no exception may reach the page."""
    at: AppTest = target.run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    return at


def start(user: str | None = None) -> AppTest:
    at = run(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT))
    if user:
        get(at.text_input, "User name").input(user)
        get(at.text_input, "Password").input(PASSWORD)
        run(get(at.button, "Sign in").click())
    return at


def goto(at: AppTest, page: str) -> AppTest:
    return run(at.switch_page(f"redactor/ui/pages/{page}.py"))


def get(elements: Any, label: str) -> Any:
    found = [e for e in elements if getattr(e, "label", None) == label]
    assert found, f"no element labelled {label!r} in {[getattr(e, 'label', None) for e in elements]}"
    return found[0]


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def upload(ws: Workspace, name: str, user: User = LOCAL_USER) -> int:
    return ws.upload(user, name, (FILES / name).read_bytes())


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def open_rules(ws: Workspace, review_id: int) -> list[str]:
    """The rules that proposed an item still waiting for a decision."""
    return sorted({i.proposed.rule for i in ws.view(review_id).reviewed.items if i.final.decision == "review"})


def resolving(ws: Workspace, review_id: int) -> list[tuple[str, str]]:
    """Rule-wide decisions that leave nothing open and keep no immigration passage (so no four eyes)."""
    items = ws.view(review_id).reviewed.items
    kept = {i.proposed.rule for i in items if i.final.finding.label == "IMMIGRATION" and i.final.decision == "keep"}
    return [(rule, "redact") for rule in sorted(kept | set(open_rules(ws, review_id)))]


def decide_rules(ws: Workspace, user: User, review_id: int, decisions: list[tuple[str, str]]) -> None:
    for rule, decision in decisions:
        ws.edit(user, review_id, ws.view(review_id).version, Edit("rule", rule=rule, decision=decision))


def apply(at: AppTest, rule: str, decision: str) -> AppTest:
    """Decide every item of ``rule`` at once (the bulk action of the Change tab)."""
    at = run(get(at.selectbox, "Rule").set_value(rule))
    get(at.selectbox, "Decision for all of them").set_value(decision)
    return run(get(at.button, f"Apply to every item of {rule}").click())


def set_up_release(at: AppTest, recipient: str, purpose: str, cases: str, agreed: bool = True) -> AppTest:
    get(at.selectbox, "Recipient (from the directory)").set_value(recipient)
    get(at.selectbox, "Purpose").set_value(purpose)
    get(at.text_input, "Case(s) this release is about").input(cases)
    get(at.checkbox, "The Marac agreed this release").set_value(agreed)
    get(at.text_input, "Agreed by (chair, coordinator)").input("DI Obi (chair)")
    get(at.text_input, "Agreed when").input("2025-10-02")
    get(at.checkbox, "The victim knows and consents").check()
    return at


# ----------------------------------------------------------------------------- pages
def test_upload_page_in_local_mode_shows_the_banner_and_stores_a_file(local: Workspace) -> None:
    at = start()
    assert any("Single-user local mode" in m for m in texts(at.info))
    assert texts(at.title) == ["Upload & release setup"]
    at.file_uploader[0].set_value((MINUTES, (FILES / MINUTES).read_bytes(), "application/octet-stream"))
    get(at.selectbox, "What it is").set_value("minutes")
    run(get(at.button, "Upload and analyse").click())
    assert any("Stored as document #1" in s for s in texts(at.success))
    assert [d.name for d in local.documents()] == [MINUTES]


def test_a_bad_file_is_one_line_not_a_traceback(local: Workspace) -> None:
    at = start()
    at.file_uploader[0].set_value(("broken.docx", b"PK\x03\x04 not a zip", "application/octet-stream"))
    run(get(at.button, "Upload and analyse").click())
    assert len(at.error) == 1 and "\n" not in at.error[0].value
    assert local.documents() == []


def test_coordinator_flow_upload_release_resolve_release_download(local: Workspace) -> None:
    at = start()
    at.file_uploader[0].set_value((MINUTES, (FILES / MINUTES).read_bytes(), "application/octet-stream"))
    run(get(at.button, "Upload and analyse").click())
    run(set_up_release(at, "Ealing Housing Options", "safeguarding", "2").button[-1].click())
    assert any("Review #1 opened" in s for s in texts(at.success))

    at = goto(at, "queue")
    assert texts(at.title) == ["Review queue"]
    assert any("item(s) still need a decision" in w for w in texts(at.warning))
    html = next(m.value for m in at.markdown if "marac-doc" in m.value)
    assert '<mark class="redact"' in html and '<mark class="review"' in html
    assert get(at.button, "Release").disabled
    for rule, decision in resolving(local, 1):
        at = apply(at, rule, decision)
    assert not at.warning, texts(at.warning)
    assert any("can be released" in s for s in texts(at.success))

    run(get(at.button, "Preview the redacted output").click())
    preview = get(at.text_area, "Redacted preview").value
    assert "Fatou Jallow" not in preview and "Deepa Menon" in preview

    at = run(get(at.button, "Release").click())
    assert not at.error, texts(at.error)
    assert {b.label for b in at.download_button} >= {"Download the redacted file", "Redaction log (CSV)"}
    out = at.session_state["released_1"]
    assert out.filename == "minutes-chesterford-2025-10-02.redacted.docx"
    released = docx_text(out.data)
    assert "Fatou Jallow" not in released and "Tamarind Close" not in released and "Deepa Menon" in released
    assert b"Fatou" not in out.log_csv
    assert local.view(1).review.status == "released"


def test_change_one_item_adjust_its_span_and_redact_by_hand(local: Workspace) -> None:
    rid = local.open_review(LOCAL_USER, upload(local, MINUTES), HOUSING_CASE_2)
    at = goto(start(), "queue")
    first_open = get(at.selectbox, "Item (open ones first)").value
    assert next(i for i in local.view(rid).reviewed.items if i.key == first_open).final.decision == "review"
    get(at.radio, "Decision").set_value("keep")
    run(get(at.button, "Save decision").click())
    item = next(i for i in local.view(rid).reviewed.items if i.key == first_open)
    assert item.final.decision == "keep" and item.edited_by == "local"

    person = next(i for i in local.view(rid).reviewed.items if i.final.finding.label == "PERSON")
    a, b = person.final.finding.start, person.final.finding.end
    run(get(at.selectbox, "Item (open ones first)").set_value(person.key))
    get(at.number_input, "End").set_value(b - 1)
    run(get(at.button, "Adjust span").click())
    moved = next(i for i in local.view(rid).reviewed.items if i.key == person.key)
    assert (moved.final.finding.start, moved.final.finding.end) == (a, b - 1)

    get(at.text_input, "Text to redact (as it appears in the document)").input("Albion Wharf")
    run(get(at.button, "Redact").click())
    manual = [i for i in local.view(rid).reviewed.items if i.manual]
    assert len(manual) == 2 and all(i.final.decision == "redact" for i in manual)
    get(at.text_input, "Text to redact (as it appears in the document)").input("Nobody Here")
    run(get(at.button, "Redact").click())
    assert texts(at.error) == ["that text does not occur in the document (check the spelling)"]


def test_a_document_with_no_findings_can_still_be_redacted_by_hand(local: Workspace) -> None:
    doc = local.upload(LOCAL_USER, "plain.txt", b"The meeting was held on a Tuesday afternoon.\n")
    rid = local.open_review(LOCAL_USER, doc, {"recipient": "housing", "purpose": "safeguarding",
                                             "marac_agreement": True})
    assert local.view(rid).reviewed.items == ()
    at = goto(start(), "queue")
    assert not at.exception and not at.error
    get(at.text_input, "Text to redact (as it appears in the document)").input("Tuesday")
    run(get(at.button, "Redact").click())
    assert [i.final.decision for i in local.view(rid).reviewed.items] == ["redact"]


def test_a_racing_reviewer_is_told_to_reload_and_nothing_is_overwritten(local: Workspace) -> None:
    rid = local.open_review(LOCAL_USER, upload(local, MINUTES), HOUSING_CASE_2)
    at = goto(start(), "queue")
    version = local.view(rid).version
    local.edit(LOCAL_USER, rid, version, Edit("rule", rule=open_rules(local, rid)[0], decision="keep"))  # meanwhile
    get(at.radio, "Decision").set_value("redact")
    run(get(at.button, "Save decision").click())
    assert session.STALE in texts(at.error)
    assert len(local.store.edits(rid)) == 1
    assert any("changed this review" in w for w in texts(at.warning))
    run(get(at.button, "Reload").click())
    assert not any("changed this review" in w for w in texts(at.warning))


def test_letter_check_says_what_goes_and_what_the_recipient_does_not_need(local: Workspace) -> None:
    upload(local, LETTER)
    at = goto(start(), "letter")
    assert texts(at.title) == ["Letter check"]
    get(at.selectbox, "A stored letter").set_value(1)
    set_up_release(at, "Eastfield Safety Service", "safeguarding", "")
    run(get(at.button, "Check this letter").click())
    headings = texts(at.markdown)
    assert any("What the policy removes, keeps and asks about" in h for h in headings)
    assert any("does not need" in h for h in headings)
    summary = at.dataframe[0].value
    assert {"decision", "rule", "why", "citation"} <= set(summary.columns)
    assert local.reviews()[0].mode == "letter"


# ----------------------------------------------------------------------------- users and roles
def test_sign_in_is_required_when_a_users_file_is_configured(team: Workspace) -> None:
    at = start()
    assert texts(at.title) == ["Sign in to marac-redact"]
    get(at.text_input, "User name").input("alice")
    get(at.text_input, "Password").input("wrong password")
    run(get(at.button, "Sign in").click())
    assert texts(at.error) == ["That user name and password do not match."]
    at = start("alice")
    assert texts(at.title) == ["Upload & release setup"]
    assert not any("local mode" in m for m in texts(at.info))


def test_dpo_dashboard_is_refused_to_a_coordinator(team: Workspace) -> None:
    at = goto(start("alice"), "dashboard")
    assert texts(at.error) == ["alice may not dashboard: it needs the dpo role"]
    assert not at.dataframe


def test_dpo_dashboard_log_flags_charts_spot_check_and_audit(team: Workspace) -> None:
    alice = team.users.authenticate("alice", PASSWORD)
    assert alice is not None
    rid = team.open_review(alice, upload(team, MINUTES, alice), HOUSING_CASE_2)
    decide_rules(team, alice, rid, resolving(team, rid))
    team.release(alice, rid, team.view(rid).version)

    at = goto(start("dora"), "dashboard")
    assert texts(at.title) == ["DPO dashboard"] and not at.error
    log = at.dataframe[0].value
    assert list(log["recipient type"]) == ["housing"] and list(log["by"]) == ["alice"]
    flags = at.dataframe[1].value
    assert set(flags["flag"]) == {"F1", "F2", "F3", "F4"}
    get(at.selectbox, "Recipient type").set_value("police")
    run(at)
    assert any("No release matches" in m for m in texts(at.info))
    run(get(at.button, "Draw a random sample").click())
    assert [r["by"] for r in at.session_state["spot_check"]] == ["alice"]  # the one release, sampled
    run(get(at.button, "Verify the audit trail").click())
    assert any("The audit trail is intact" in s for s in texts(at.success))


def test_four_eyes_needs_a_second_person_and_the_approver_cannot_release(team: Workspace) -> None:
    alice, bob = (team.users.authenticate(n, PASSWORD) for n in ("alice", "bob"))
    assert alice and bob
    rid = team.open_review(alice, upload(team, MINUTES, alice), HOUSING_CASE_2)
    decide_rules(team, alice, rid, [(rule, "keep") for rule in open_rules(team, rid)])

    at = goto(start("alice"), "queue")
    assert any("needs a second person's approval" in w for w in texts(at.warning))
    assert get(at.button, "Release").disabled
    at = goto(at, "approvals")
    run(get(at.button, "Approve this plan").click())
    assert team.view(rid).approved_by == ("alice",)
    assert get(goto(at, "queue").button, "Release").disabled  # the approver may not release on her own approval

    at_bob = goto(start("bob"), "approvals")
    assert any("immigration passage(s) are kept" in m for m in texts(at_bob.markdown))
    run(get(at_bob.button, "Approve this plan").click())
    assert get(at_bob.button, "You approved this plan").disabled
    assert not get(goto(at_bob, "queue").button, "Release").disabled  # alice approved: bob may release

    at = goto(start("alice"), "queue")
    assert not get(at.button, "Release").disabled
    run(get(at.button, "Release").click())
    assert at.session_state[f"released_{rid}"].filename.endswith(".redacted.docx")
    assert team.disclosures(team.users.authenticate("dora", PASSWORD))[0].approvers == ("alice", "bob")


# ----------------------------------------------------------------------------- helpers the pages call
def test_sign_in_mode() -> None:
    assert sign_in_mode(load_users(None), False) == "local"
    assert sign_in_mode(load_users(None), True) == "oidc"


def test_sign_in_mode_with_a_users_file(tmp_path: Path) -> None:
    add_user(tmp_path / "u.yaml", "alice", ("coordinator",), PASSWORD)
    assert sign_in_mode(load_users(tmp_path / "u.yaml"), False) == "password"


def test_release_request_from_a_form() -> None:
    raw = release_request(" Ealing Housing Options ", "safeguarding", "1; 3 ,", agreed=True, agreed_by="chair")
    assert raw["recipient"] == "Ealing Housing Options" and raw["cases"] == ["1", "3"]
    assert raw["marac_agreement"] == {"agreed": True, "by": "chair", "when": ""}


def test_context_folds_white_space_and_marks_cut_ends() -> None:
    text = "aaaa bbbb\n\nNAME cccc dddd"
    before, span, after = context(text, 11, 15, width=6)
    assert (before, span, after) == ("…bbbb ", "NAME", " cccc …")


def test_segments_take_the_strictest_decision_and_the_html_is_escaped(local: Workspace) -> None:
    rid = local.open_review(LOCAL_USER, upload(local, MINUTES), HOUSING_CASE_2)
    view = local.view(rid)
    runs = segments(view.text, view.reviewed.items)
    assert "".join(t for t, _ in runs) == view.text
    refuge = next(i for i in view.reviewed.items if i.final.rule == "I4").final.finding
    assert all(d == "redact" for t, d in runs if t and refuge.start <= view.text.find(t) < refuge.end and d)
    assert "<script>" not in document_html("<script>x</script>", [])


def test_queue_groups_by_case_then_category(local: Workspace) -> None:
    rid = local.open_review(LOCAL_USER, upload(local, MINUTES), HOUSING_CASE_2)
    groups = queue_groups(local.view(rid))
    assert {g.case for g in groups} >= {"Case 1", "Case 2", "Outside the case sections"}
    assert groups[0].open > 0 and groups[-1].open == 0
    assert sum(len(g.items) for g in groups) == len(local.view(rid).reviewed.items)


def test_unneeded_lists_what_the_plan_removes(local: Workspace) -> None:
    rid = local.open_review(LOCAL_USER, upload(local, MINUTES), HOUSING_CASE_2)
    reviewed = local.view(rid).reviewed
    assert {i.final.decision for i in unneeded(reviewed)} == {"redact"}
    plan = reviewed.plan
    again = apply_edits(plan, [Edit("rule", rule="S1", decision="keep")], len(local.view(rid).text))
    assert len(unneeded(again)) < len(unneeded(reviewed))


def test_timeline_and_day_bounds() -> None:
    since, until = day_bounds(date(2026, 1, 2), date(2026, 1, 2))
    assert since == datetime(2026, 1, 2, tzinfo=UTC) and until == datetime(2026, 1, 3, tzinfo=UTC)
    assert day_bounds(None, None) == (None, None)

    class Row:
        def __init__(self, day: int, flags: tuple[str, ...]) -> None:
            self.at, self.flags = datetime(2026, 1, day, 12, tzinfo=UTC), flags

    rows: Any = [Row(2, ("F2",)), Row(1, ()), Row(2, ("F1", "F2"))]
    assert timeline(rows, ["F1", "F2"]) == [
        {"day": date(2026, 1, 1), "releases": 1, "F1": 0, "F2": 0},
        {"day": date(2026, 1, 2), "releases": 2, "F1": 1, "F2": 2},
    ]


def test_recipient_choices_name_the_directory(local: Workspace) -> None:
    choices = dict(local.recipient_choices())
    assert choices["Ealing Housing Options"] == "housing" and choices["police"] == "police"


# ----------------------------------------------------------------------------- CLI
def test_cli_seed_skips_files_already_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'seed.sqlite'}"
    assert cli.main(["seed", str(FILES), "--db", db]) == 0
    assert cli.main(["seed", str(FILES), "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.count("stored as document") == 4 and out.count("already stored") == 4


def test_cli_users_add(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARAC_REDACT_PASSWORD", PASSWORD)
    users = tmp_path / "users.yaml"
    assert cli.main(["users", "add", "Erin", "--role", "idva", "--email", "e@x.org", "--users", str(users)]) == 0
    erin = load_users(users).authenticate("erin", PASSWORD)
    assert erin is not None and erin.roles == ("idva",) and erin.email == "e@x.org"
    monkeypatch.setenv("MARAC_REDACT_PASSWORD", "short")
    assert cli.main(["users", "add", "fred", "--role", "dpo", "--users", str(users)]) == 2


# ----------------------------------------------------------------------------- OIDC (st.login)
OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "not-a-secret",
        "client_id": "marac", "client_secret": "not-a-secret",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration"}


def oidc_app(who: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(session, "identity", lambda: who)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.secrets["auth"] = OIDC
    return run(at)


def test_oidc_asks_to_sign_in_with_the_identity_provider(team: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    at = oidc_app({}, monkeypatch)
    assert texts(at.title) == ["Sign in to marac-redact"]
    assert [b.label for b in at.button] == ["Sign in with your organisation's account"]


def test_oidc_maps_the_email_to_a_user_and_refuses_unknown_ones(team: Workspace,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    at = oidc_app({"is_logged_in": True, "email": "DORA@example.org"}, monkeypatch)
    assert at.session_state[session.CURRENT].name == "dora"
    at = oidc_app({"is_logged_in": True, "email": "stranger@example.org"}, monkeypatch)
    assert texts(at.error) == ["Your account is not in the marac-redact users file: ask the administrator to add "
                               "your e-mail."]
    assert session.CURRENT not in at.session_state
