"""The Streamlit review app (``app.py`` calls :func:`main`). Pages only show and call: every decision
is made by :class:`redactor.workspace.Workspace` and :mod:`redactor.review`.

Each page is a small script in ``pages/`` (so Streamlit's AppTest can switch to it) that calls the
``render`` function of its module here.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"
NAV = (
    ("upload.py", "Upload & release setup", ":material/upload_file:"),
    ("queue.py", "Review queue", ":material/rule:"),
    ("letter.py", "Letter check", ":material/mail:"),
    ("approvals.py", "Approvals", ":material/group:"),
    ("dashboard.py", "DPO dashboard", ":material/monitoring:"),
)


def main() -> None:
    st.set_page_config(page_title="marac-redact", page_icon=":material/rule:", layout="wide")
    from redactor.errors import RedactorError
    from redactor.ui import session

    try:
        ws = session.workspace()
    except RedactorError as e:
        st.error(f"marac-redact cannot start: {e}")
        st.stop()
    user = session.signed_in(ws)
    if user is None:
        st.stop()
    st.session_state[session.CURRENT] = user
    session.sidebar(ws, user)
    pages = [st.Page(PAGES / f, title=t, icon=i, default=f == NAV[0][0]) for f, t, i in NAV]
    st.navigation(pages).run()
