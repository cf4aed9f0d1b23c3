"""Page: the IDVA's letter check. Before a letter goes, what the policy would remove for its recipient
and why, and what the letter holds that the recipient does not need."""

from __future__ import annotations

import streamlit as st

from redactor.auth import User
from redactor.review import summarise, unneeded
from redactor.ui import session, widgets
from redactor.workspace import View, Workspace, queue_row

QUEUE_PAGE = "redactor/ui/pages/queue.py"


def render() -> None:
    ws, user = session.context()
    st.title("Letter check")
    st.caption("For one letter (e.g. a letter of support): what would go, for this recipient, and why.")
    _new_check(ws, user)
    review_id = widgets.pick_review(ws, "letter_review", mode="letter")
    if review_id is None:
        return
    view = session.attempt(ws.view, review_id)
    if view is not None:
        _report(view, user)


def _new_check(ws: Workspace, user: User) -> None:
    docs = {d.id: f"#{d.id} {d.name}" for d in ws.documents()}
    with st.expander("Check a letter", expanded=not any(r.mode == "letter" for r in ws.reviews())):
        stored = st.selectbox("A stored letter", [0, *docs], format_func=lambda i: docs.get(i, "(upload one below)"))
        file = st.file_uploader("…or upload the letter (DOCX, PDF or text)", type=["docx", "pdf", "txt"])
        release = widgets.release_form(ws, "letter_release", "Check this letter")
    if release is None:
        return
    if not stored and file is None:
        st.error("Choose a stored letter or upload one first.")
        return
    doc_id = stored if stored or file is None else session.attempt(ws.upload, user, file.name, file.getvalue(),
                                                                  "letter")
    if not doc_id:
        return  # the upload failed: attempt has shown its one line
    review_id = session.attempt(ws.open_review, user, int(doc_id), release, "letter")
    if review_id is not None:
        st.session_state["letter_review"] = review_id


def _report(view: View, user: User) -> None:
    rel = view.release
    st.subheader(f"{view.document.name} → {rel.recipient_name or rel.recipient} ({rel.purpose})")
    for line in view.blockers(user):
        st.warning(line)
    st.markdown("#### What the policy removes, keeps and asks about, and why")
    st.dataframe(
        [{"decision": s.decision, "rule": s.rule, "items": s.count,
          "what": ", ".join(f"{n} × {label}" for label, n in s.labels), "why": s.reason, "citation": s.citation}
         for s in summarise(view.reviewed)],
        hide_index=True, width="stretch",
    )
    extra = unneeded(view.reviewed)
    st.markdown(f"#### What this letter holds that {rel.recipient_name or rel.recipient} does not need ({len(extra)})")
    if extra:
        st.dataframe([queue_row(view.text, i) for i in extra], hide_index=True, width="stretch",
                     column_order=("context", "label", "subject", "rule", "reason"))
    else:
        st.success("Nothing: the recipient needs everything the tool found.")
    widgets.show_document(view.text, view.reviewed.items)
    if st.button("Open in the review queue to decide and release"):
        st.session_state["review"] = view.review.id
        st.switch_page(QUEUE_PAGE)
