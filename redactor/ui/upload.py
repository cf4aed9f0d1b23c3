"""Page: upload a document and set up a release (this document, this recipient, this purpose)."""

from __future__ import annotations

import streamlit as st

from redactor.auth import User
from redactor.ui import session, widgets
from redactor.workspace import Workspace

DOC_TYPES = ("(let the tool decide)", "minutes", "letter", "email", "notes", "referral")
QUEUE_PAGE = "redactor/ui/pages/queue.py"


def render() -> None:
    ws, user = session.context()
    st.title("Upload & release setup")
    _upload(ws, user)
    _documents(ws)
    _setup(ws, user)


def _upload(ws: Workspace, user: User) -> None:
    st.subheader("1. Upload")
    with st.form("upload", clear_on_submit=True):
        file = st.file_uploader("A DOCX, PDF or text file", type=["docx", "pdf", "txt"])
        doc_type = st.selectbox("What it is", DOC_TYPES)
        submitted = st.form_submit_button("Upload and analyse")
    if submitted and file is not None:
        kind = None if doc_type == DOC_TYPES[0] else doc_type
        with st.spinner("Reading and analysing…"):
            doc_id = session.attempt(ws.upload, user, file.name, file.getvalue(), kind)
        if doc_id is not None:
            st.session_state["setup_document"] = doc_id
            st.success(f"Stored as document #{doc_id}. Now set up the release below.")
    elif submitted:
        st.error("Choose a file first.")


def _documents(ws: Workspace) -> None:
    docs = ws.documents()
    st.subheader("Stored documents")
    if not docs:
        st.caption("None yet: upload one above (or run `marac-redact seed sample_docs/files`).")
        return
    rows = [{"id": d.id, "name": d.name, "kind": d.kind, "type": d.doc_type or "", "findings": d.n_findings,
             "uploaded by": d.created_by, "uploaded": d.created_at} for d in docs]
    st.dataframe(rows, hide_index=True, width="stretch")


def _setup(ws: Workspace, user: User) -> None:
    docs = ws.documents()
    if not docs:
        return
    st.subheader("2. Release setup")
    names = {d.id: f"#{d.id} {d.name}" for d in docs}
    ids = list(names)
    wanted = st.session_state.get("setup_document")
    doc_id = st.selectbox("Document", ids, index=ids.index(wanted) if wanted in ids else len(ids) - 1,
                          format_func=names.__getitem__)
    release = widgets.release_form(ws, "release_setup", "Open the review")
    if release is None:
        return
    review_id = session.attempt(ws.open_review, user, int(doc_id), release)
    if review_id is not None:
        st.session_state["review"] = review_id
        st.success(f"Review #{review_id} opened: go to the Review queue.")
        st.page_link(QUEUE_PAGE, label="Open the review queue", icon=":material/arrow_forward:")
