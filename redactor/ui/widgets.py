"""Widgets several pages use: the highlighted document, the release form, the review picker."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from redactor.release import PURPOSES
from redactor.review import Item, segments
from redactor.store import ReviewRow
from redactor.workspace import Workspace, release_request

COLOURS = {"redact": "#f4a6a6", "review": "#ffe08a", "keep": "#b8e0b8"}
LEGEND = " ".join(
    f'<mark style="background:{c};padding:0 .3em">{d}</mark>' for d, c in COLOURS.items()
)


def document_html(text: str, items: Sequence[Item]) -> str:
    """The document, escaped, with each finding marked in its decision's colour."""
    parts = []
    for chunk, decision in segments(text, items):
        body = html.escape(chunk)
        if decision:
            body = f'<mark class="{decision}" style="background:{COLOURS[decision]}">{body}</mark>'
        parts.append(body)
    style = "white-space:pre-wrap;font-family:Georgia,serif;line-height:1.5;max-height:32em;overflow-y:auto;"
    return f'<div class="marac-doc" style="{style}">{"".join(parts)}</div>'


def show_document(text: str, items: Sequence[Item]) -> None:
    st.markdown(f"Decisions: {LEGEND}", unsafe_allow_html=True)
    st.markdown(document_html(text, items), unsafe_allow_html=True)


def review_label(row: ReviewRow, names: Mapping[int, str]) -> str:
    rel = row.release
    who = rel.get("recipient_name") or rel.get("recipient", "?")
    return f"#{row.id} {names.get(row.document_id, '?')} → {who} ({rel.get('purpose', '?')}) [{row.status}]"


def pick_review(ws: Workspace, key: str, mode: str | None = None) -> int | None:
    """A select box of the stored reviews (open ones first); remembers the choice in the session."""
    names = {d.id: d.name for d in ws.documents()}
    rows = [r for r in ws.reviews() if mode is None or r.mode == mode]
    rows.sort(key=lambda r: (r.status != "open", -r.id))
    if not rows:
        return None
    ids = [r.id for r in rows]
    labels = {r.id: review_label(r, names) for r in rows}
    current = st.session_state.get(key)
    index = ids.index(current) if current in ids else 0
    chosen = st.selectbox("Review", ids, index=index, format_func=labels.__getitem__, key=f"pick_{key}")
    st.session_state[key] = chosen
    return int(chosen)


def release_form(ws: Workspace, key: str, submit: str, defaults: Mapping[str, Any] | None = None,
                 ) -> dict[str, Any] | None:
    """The release setup (recipient from the directory, purpose, cases, agreement, consent, basis,
    necessity); the release dict when submitted."""
    d = dict(defaults or {})
    choices = ws.recipient_choices()
    names = [n for n, _ in choices]
    kinds = dict(choices)
    with st.form(key):
        given = d.get("recipient_name") or d.get("recipient")
        start = names.index(given) if given in names else 0
        name = st.selectbox("Recipient (from the directory)", names, index=start,
                            format_func=lambda n: n if kinds[n] == n else f"{n} ({kinds[n]})")
        other = st.text_input("…or a named agency not in the list", help="resolved by the directory's keywords")
        purpose = st.selectbox("Purpose", PURPOSES, index=PURPOSES.index(d.get("purpose", PURPOSES[0])))
        cases = st.text_input("Case(s) this release is about", ", ".join(d.get("cases", [])),
                              help="e.g. 2 or 1, 3; leave empty for a document that is not a minutes pack")
        agreed = st.checkbox("The Marac agreed this release", bool(d.get("marac_agreement")))
        by = st.text_input("Agreed by (chair, coordinator)", d.get("agreed_by", ""))
        when = st.text_input("Agreed when", d.get("agreed_when", ""), placeholder="2026-11-05")
        consent = st.checkbox("The victim knows and consents", bool(d.get("victim_consent")))
        basis = st.text_input("Lawful basis", d.get("lawful_basis", ""),
                              placeholder="e.g. UK GDPR 6(1)(e); DPA 2018 s.35")
        necessity = st.text_area("Necessity statement", d.get("necessity", ""),
                                 placeholder="Why this recipient needs this information for this purpose")
        if not st.form_submit_button(submit):
            return None
    return release_request(other or name, purpose, cases, agreed=agreed, agreed_by=by, agreed_when=when,
                           consent=consent, lawful_basis=basis, necessity=necessity)
