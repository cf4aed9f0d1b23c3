"""Page: the DPO's dashboard. What was disclosed, to whom, why, by whom; a random spot-check sample;
governance flags; releases and flags over time; the audit trail's check. Refused to everyone else."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from redactor.auth import User
from redactor.release import PURPOSES
from redactor.store import DisclosureRow
from redactor.ui import session
from redactor.workspace import Workspace, day_bounds, disclosure_records, timeline

ALL = "(all)"


def render() -> None:
    ws, user = session.context()
    st.title("DPO dashboard")
    everything = session.attempt(ws.disclosures, user)
    if everything is None:
        return
    rows = _filtered(ws, user, everything)
    if rows is None:
        return
    _log(rows)
    _flags(ws, rows)
    _charts(ws, rows)
    _spot_check(ws, user)
    _audit(ws, user)


def _filtered(ws: Workspace, user: User, everything: list[DisclosureRow]) -> list[DisclosureRow] | None:
    cols = st.columns(5)
    kind = cols[0].selectbox("Recipient type", [ALL, *ws.redactor.directory.types])
    purpose = cols[1].selectbox("Purpose", [ALL, *PURPOSES])
    by = cols[2].selectbox("Released by", [ALL, *sorted({r.user for r in everything})])
    first = cols[3].date_input("From", value=None)
    last = cols[4].date_input("To", value=None)
    since, until = day_bounds(first, last)  # type: ignore[arg-type]
    return session.attempt(ws.disclosures, user, recipient_type=None if kind == ALL else kind,
                           purpose=None if purpose == ALL else purpose, by=None if by == ALL else by,
                           since=since, until=until)


def _log(rows: list[DisclosureRow]) -> None:
    st.subheader(f"Disclosure log ({len(rows)})")
    if not rows:
        st.info("No release matches (or nothing has been released yet).")
        return
    st.dataframe(pd.DataFrame(disclosure_records(rows)), hide_index=True, width="stretch")


def _flags(ws: Workspace, rows: list[DisclosureRow]) -> None:
    st.subheader("Governance flags")
    rules = ws.governance_rules()
    st.dataframe([{"flag": f, "releases": sum(1 for r in rows if f in r.flags), "why it is flagged": why}
                  for f, why in rules.items()], hide_index=True, width="stretch")


def _charts(ws: Workspace, rows: list[DisclosureRow]) -> None:
    if not rows:
        return
    frame = pd.DataFrame(timeline(rows, list(ws.governance_rules()))).set_index("day")
    cols = st.columns(2)
    cols[0].markdown("**Releases per day**")
    cols[0].bar_chart(frame[["releases"]])
    cols[1].markdown("**Flags per day**")
    cols[1].bar_chart(frame.drop(columns=["releases"]))


def _spot_check(ws: Workspace, user: User) -> None:
    st.subheader("Spot check")
    cols = st.columns([1, 3])
    n = cols[0].number_input("How many", 1, 50, 3)
    if cols[1].button("Draw a random sample"):
        sample = session.attempt(ws.spot_check, user, int(n))
        if sample is not None:
            st.session_state["spot_check"] = disclosure_records(sample)
    if "spot_check" in st.session_state:
        st.dataframe(pd.DataFrame(st.session_state["spot_check"]), hide_index=True, width="stretch")


def _audit(ws: Workspace, user: User) -> None:
    st.subheader("Audit trail")
    if st.button("Verify the audit trail"):
        report = session.attempt(ws.verify_audit, user)
        if report is None:
            return
        if report.ok:
            st.success(f"The audit trail is intact: {report.events} events, head {report.head[:12]}.")
        else:
            st.error(f"The audit trail is broken: {report.problem}")
