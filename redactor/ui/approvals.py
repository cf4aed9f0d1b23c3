"""Page: four eyes. A release to Immigration Enforcement, or one keeping an immigration passage, needs
a second person's approval of exactly this plan; any later change voids it, and the person who
releases must be someone other than the approver."""

from __future__ import annotations

import streamlit as st

from redactor.auth import User
from redactor.review import summarise
from redactor.ui import session
from redactor.workspace import View, Workspace


def render() -> None:
    ws, user = session.context()
    st.title("Approvals (four eyes)")
    st.caption("Approve exactly the plan shown; any later change voids the approval. "
               "The person who releases must be someone other than the approver.")
    views = [v for v in (session.attempt(ws.view, r.id) for r in ws.reviews(status="open")) if v is not None]
    waiting = [v for v in views if v.four_eyes]
    if not waiting:
        st.info("Nothing is waiting for a second person's approval.")
    for view in waiting:
        _approval(ws, user, view)


def _approval(ws: Workspace, user: User, view: View) -> None:
    rel = view.release
    with st.container(border=True):
        session.stale_banner(view)
        st.markdown(f"**Review #{view.review.id}: {view.document.name}** → {rel.recipient_name or rel.recipient} "
                    f"({rel.recipient}, {rel.purpose}), set up by {view.review.created_by}")
        st.markdown(f"Why four eyes: {view.four_eyes}. Approved by: {', '.join(view.approved_by) or 'nobody yet'}.")
        for line in view.reviewed.blockers:
            st.warning(line)
        st.dataframe([{"decision": s.decision, "rule": s.rule, "items": s.count, "why": s.reason}
                      for s in summarise(view.reviewed)], hide_index=True, width="stretch")
        if st.button("Show the redacted preview", key=f"preview_{view.review.id}"):
            data = session.attempt(ws.preview, view.review.id)
            if data is not None:
                st.text_area("Preview", data.decode("utf-8"), height=300, disabled=True,
                             key=f"preview_text_{view.review.id}")
        done = user.name in view.approved_by
        if st.button("Approve this plan" if not done else "You approved this plan", disabled=done,
                     key=f"approve_{view.review.id}", type="primary"):
            session.commit(view.review.id, ws.approve, user, view.review.id, session.seen_version(view))
