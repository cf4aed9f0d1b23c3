"""From a Plan to redactions (gates, review, held documents, merging), plain-text rendering with
offsets, the verification search itself, and the all-or-nothing writer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import redactor.render as render_api
from redactor.decide import Decision, Plan, Verdict
from redactor.errors import ReleaseBlockedError, RenderError, UnresolvedReviewError, VerificationError
from redactor.ingest import from_bytes, from_text
from redactor.model import Finding
from redactor.release import Release
from redactor.render import Redaction, log_csv, log_json, redactions_from_plan, render, write_all
from redactor.render.plan import BLOCK, marker_text, merge
from redactor.render.verify import Needles, needles_for

RELEASE = Release("housing", "safeguarding")


def decision(start: int, end: int, what: str, label: str = "NI_NUMBER", rule: str = "I3") -> Decision:
    return Decision(Finding(start, end, label, 1.0, "test"), what, rule, f"reason of {rule}")


ALLOWED = Verdict(True)


def plan(*items: Decision, verdict: Verdict = ALLOWED, held: bool = False) -> Plan:
    return Plan(RELEASE, verdict, tuple(items), held=held)


# ----------------------------------------------------------------------------- plan -> redactions


def test_blocked_release_names_gate_reason_and_unblock() -> None:
    blocked = plan(decision(0, 4, "redact"), verdict=Verdict(False, "G1", "No Marac agreement.", "Record it."))
    with pytest.raises(ReleaseBlockedError) as caught:
        redactions_from_plan(blocked, review_as_redact=True)
    assert str(caught.value) == "release blocked by G1: No Marac agreement. To unblock: Record it."


@pytest.mark.parametrize(("items", "count"), [
    ((decision(0, 4, "review"),), "1 finding still needs"),
    ((decision(0, 4, "review"), decision(6, 9, "review"), decision(10, 12, "redact")), "2 findings still need"),
])
def test_review_items_must_be_resolved(items: tuple[Decision, ...], count: str) -> None:
    with pytest.raises(UnresolvedReviewError, match=count):
        redactions_from_plan(plan(*items))


def test_review_as_redact_previews_review_items_as_removed() -> None:
    got = redactions_from_plan(plan(decision(0, 4, "review"), decision(6, 9, "keep"), decision(10, 12, "redact")),
                               review_as_redact=True)
    assert [(r.start, r.end) for r in got] == [(0, 4), (10, 12)]


def test_a_held_document_is_not_released_but_can_be_previewed() -> None:
    held = plan(decision(0, 4, "redact"), held=True)
    with pytest.raises(UnresolvedReviewError, match="H1"):
        redactions_from_plan(held)
    assert len(redactions_from_plan(held, review_as_redact=True)) == 1


@pytest.mark.parametrize(("spans", "expected"), [
    ([(0, 5, "A", "R1"), (3, 8, "B", "R2")], [(0, 8, "A+B", "R1, R2")]),
    ([(0, 10, "IMMIGRATION", "P5"), (2, 4, "PERSON", "P5")], [(0, 10, "IMMIGRATION+PERSON", "P5")]),
    ([(0, 3, "A", "R1"), (3, 6, "A", "R1")], [(0, 3, "A", "R1"), (3, 6, "A", "R1")]),  # touching: kept apart
    ([(5, 6, "A", "R1"), (0, 2, "A", "R1")], [(0, 2, "A", "R1"), (5, 6, "A", "R1")]),
])
def test_merge_overlaps(spans: list[tuple[int, int, str, str]], expected: list[tuple[int, int, str, str]]) -> None:
    got = merge(Redaction(s, e, label, rule, "why") for s, e, label, rule in spans)
    assert [(r.start, r.end, r.label, r.rule) for r in got] == expected


def test_markers() -> None:
    r = Redaction(0, 30, "PERSON", "I3", "why")
    assert marker_text(r, "block") == BLOCK == "\u2588" * 5
    assert marker_text(r, "rule") == "[REDACTED: I3]"
    with pytest.raises(ValueError):
        Redaction(3, 3, "PERSON", "I3", "why")


# ----------------------------------------------------------------------------- text rendering


@pytest.mark.parametrize(("marker", "expected"), [
    ("block", f"Victim Amina Osei, NI {BLOCK}.\r\nCall {BLOCK} today.\r\n"),
    ("rule", "Victim Amina Osei, NI [REDACTED: I3].\r\nCall [REDACTED: I6] today.\r\n"),
])
def test_text_markers_and_offsets(marker: render_api.MarkerStyle, expected: str) -> None:
    text = "Victim Amina Osei, NI QQ 12 34 56 C.\r\nCall 07700 900123 today.\r\n"
    data = text.encode()
    document = from_bytes(data, "notes.txt")
    spans = [Redaction(text.index("QQ"), text.index("QQ") + 13, "NI_NUMBER", "I3", "no NI numbers"),
             Redaction(text.index("077"), text.index("077") + 12, "PHONE_NUMBER", "I6", "no phones")]
    out = render(document, data, spans, marker=marker)
    result = out.data.decode()
    assert result == expected
    for entry, span in zip(out.log, spans, strict=True):
        where = dict(entry.where)
        assert (where["start"], where["end"]) == (span.start, span.end)
        assert result[where["output_start"] : where["output_end"]] == marker_text(span, marker)
    assert "QQ" not in repr(out.log)


def test_unknown_marker_and_bad_offsets_are_refused() -> None:
    document = from_text("Victim Amina Osei")
    data = document.text.encode()
    with pytest.raises(RenderError, match="marker"):
        render(document, data, [], marker="stars")  # type: ignore[arg-type]
    with pytest.raises(RenderError, match="past the end"):
        render(document, data, [Redaction(5, 99, "PERSON", "I6", "why")])


def test_verification_catches_a_text_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    document = from_text("Line one\nVictim Amina Osei lives here\n")
    monkeypatch.setattr(render_api, "render_text", lambda doc, spans, style: (doc.text.encode(), ()))
    with pytest.raises(VerificationError) as caught:
        render(document, document.text.encode(), [Redaction(16, 26, "PERSON", "I6", "why")])
    assert "text line 2" in str(caught.value) and "Amina" not in str(caught.value)


# ----------------------------------------------------------------------------- the search


@pytest.mark.parametrize(("redacted", "haystack", "found"), [
    ("Amina Osei", "notes on AMINA   osei today", True),       # case and white space
    ("Amina Osei", "Ami\nna O\nsei", True),                    # split across runs (tag-stripped XML)
    ("Amina Osei", "aminaosei@example.org", True),
    ("end", "extended-properties", False),                      # short: only as a word
    ("end", "the end.", True),
    ("Amy", "Amy's flat", True),
    ("Amy", "Amyl nitrite", False),
    ("QQ 12 34 56 C", "QQ123456C", True),
    ("QQ 12 34 56 C", "qq-12-34-56-c", True),                  # punctuation
    ("Zanele Okonkwo", "Zanele_Okonkwo_home.png", True),
    ("Ｚａｎｅｌｅ Okonkwo", "zanele okonkwo", True),             # NFKC
])
def test_needle_matching(redacted: str, haystack: str, found: bool) -> None:
    document = from_text(redacted)
    needles = needles_for(document, [(0, len(redacted))], "")
    assert needles.found_in(haystack) is found


def test_short_pieces_and_kept_text_are_skipped_and_counted() -> None:
    text = "Jo met Amina Osei.\nCase 2\nAmina again"
    document = from_text(text)
    needles = needles_for(document, [(0, 2), (7, 17), (19, 25)], kept_text="█████ met █████.\nCase 2\nAmina again")
    assert needles.strings == ("aminaosei",) and needles.short == 1 and needles.kept == 1
    assert Needles(()).found_in("anything") is False


# ----------------------------------------------------------------------------- writing


def test_logs_hold_no_text() -> None:
    entries = render(from_text("Call 07700 900123"), b"Call 07700 900123",
                     [Redaction(5, 17, "PHONE_NUMBER", "I6", "why")]).log
    assert log_csv(entries).decode().splitlines() == ["redaction,location,label,rule,reason",
                                                      "1,text 5-17 (output 5-10),PHONE_NUMBER,I6,why"]
    assert b"07700" not in log_json(entries, {"source": "a.txt"})


def test_write_all_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "out.txt", tmp_path / "out.txt.redactions.csv"
    first.write_text("old")
    real = os.replace
    calls: list[str] = []

    def fail_second(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise PermissionError(13, "denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(RenderError, match="nothing was written"):
        write_all({first: b"new", second: b"log"})
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.setattr(os, "replace", real)
    write_all({first: b"new", second: b"log"})
    assert first.read_bytes() == b"new" and second.read_bytes() == b"log"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "out.txt.redactions.csv"]
