"""Page: the review queue of one release. Every change is written when it is made, checked against
the version this page showed (a racing reviewer is told to reload, never overwritten)."""

from __future__ import annotations

import streamlit as st

from redactor.auth import User
from redactor.review import DECISIONS, Edit, bulk_rules
from redactor.ui import session, widgets
from redactor.workspace import View, Workspace, queue_groups, queue_row

QUEUE_COLUMNS = ("item", "context", "label", "category", "subject", "proposed", "decision", "rule", "reason",
                 "citation", "edited by")


def render() -> None:
    ws, user = session.context()
    st.title("Review queue")
    review_id = widgets.pick_review(ws, "review")
    if review_id is None:
        st.info("No review yet: upload a document and set up a release first.")
        return
    view = session.attempt(ws.view, review_id)
    if view is None:
        return
    with st.container():  # one element whatever it holds, so the tabs below keep their place
        session.stale_banner(view)
        _header(view, user)
    doc, queue, edit, out = st.tabs(["Document", "Queue", "Change", "Preview & release"], key="queue_tabs")
    with doc:
        widgets.show_document(view.text, view.reviewed.items)
    with queue:
        _queue(view)
    with edit:
        _edits(ws, user, view)
    with out:
        _preview(ws, view)
        _release(ws, user, view)


def _header(view: View, user: User) -> None:
    rel = view.release
    st.markdown(
        f"**{view.document.name}** → **{rel.recipient_name or rel.recipient}** ({rel.recipient}), "
        f"purpose *{rel.purpose}*, case(s) {', '.join(rel.cases) or '—'} · review #{view.review.id}, "
        f"version {view.version}, {view.review.status}"
    )
    if view.review.status == "released":
        st.info(f"Released by {view.review.released_by} at {view.review.released_at:%Y-%m-%d %H:%M}; "
                "it can no longer be changed.")
        return
    blockers = view.blockers(user)
    for line in blockers:
        st.warning(line)
    if not blockers:
        st.success("Nothing is left to decide and every gate passes: this can be released.")
    if view.four_eyes:
        approvers = ", ".join(view.approved_by) or "nobody yet"
        st.caption(f"Four eyes: {view.four_eyes}; approved by {approvers}.")


def _queue(view: View) -> None:
    open_only = st.toggle("Only items that still need a decision", value=False)
    for group in queue_groups(view):
        items = [i for i in group.items if i.final.decision == "review"] if open_only else list(group.items)
        if not items:
            continue
        st.markdown(f"#### {group.case} · {group.category} ({len(group.items)} items, {group.open} open)")
        rows = [queue_row(view.text, i) for i in items]
        st.dataframe(rows, hide_index=True, width="stretch", column_order=QUEUE_COLUMNS)


def _edits(ws: Workspace, user: User, view: View) -> None:
    if view.review.status != "open":
        st.info("This review has been released: it can no longer be changed.")
        return
    version = session.seen_version(view)
    _acknowledge_hold(ws, user, view, version)
    _bulk(ws, user, view, version)
    _one_item(ws, user, view, version)
    _manual(ws, user, view, version)
    _change_release(ws, user, view, version)


def _acknowledge_hold(ws: Workspace, user: User, view: View, version: int) -> None:
    if not view.reviewed.plan.held:
        return
    st.subheader("Held document")
    st.warning("Part of this document could not be analysed (rule H1). Read it in the original before release.")
    if st.button("I have checked the parts that could not be analysed"):
        session.commit(view.review.id, ws.edit, user, view.review.id, version, Edit("acknowledge_hold"))


def _bulk(ws: Workspace, user: User, view: View, version: int) -> None:
    st.subheader("Decide all items of one rule")
    rules = bulk_rules(view.reviewed.items)
    if not rules:
        return
    st.dataframe([{"rule": r, "items": n, "proposed": d} for r, (n, d) in rules.items()], hide_index=True)
    cols = st.columns(3)
    rule = cols[0].selectbox("Rule", list(rules),
                             format_func=lambda r: f"{r} ({rules[r][0]} items, proposed {rules[r][1]})")
    proposed = rules[rule][1]
    decision = cols[1].selectbox("Decision for all of them", DECISIONS,
                                 index=DECISIONS.index(proposed if proposed != "review" else "redact"))
    if cols[2].button(f"Apply to every item of {rule}"):
        session.commit(view.review.id, ws.edit, user, view.review.id, version,
                       Edit("rule", rule=rule, decision=decision))


def _one_item(ws: Workspace, user: User, view: View, version: int) -> None:
    st.subheader("Change one item")
    items = sorted(view.reviewed.items, key=lambda i: (i.final.decision != "review", i.final.finding.start))
    by_key = {i.key: i for i in items}
    if not by_key:
        st.caption("No items: the tool found nothing here. Redact what it missed below.")
        return
    label = {k: f"{i.final.decision:7} {k} · {queue_row(view.text, i)['context']}" for k, i in by_key.items()}
    key = st.selectbox("Item (open ones first)", list(by_key), format_func=label.__getitem__)
    item = by_key[key]
    cols = st.columns(3)
    decision = cols[0].radio("Decision", DECISIONS, index=DECISIONS.index(item.final.decision), horizontal=True,
                             key=f"decision_{key}")
    if cols[0].button("Save decision"):
        session.commit(view.review.id, ws.edit, user, view.review.id, version,
                       Edit("decide", key=key, decision=decision))
    f = item.final.finding
    start = cols[1].number_input("Start", 0, len(view.text) - 1, f.start, key=f"start_{key}")
    end = cols[2].number_input("End", 1, len(view.text), f.end, key=f"end_{key}")
    if cols[1].button("Adjust span"):
        session.commit(view.review.id, ws.edit, user, view.review.id, version,
                       Edit("span", key=key, start=int(start), end=int(end)))


def _manual(ws: Workspace, user: User, view: View, version: int) -> None:
    st.subheader("Redact something the tool missed")
    with st.form("manual", clear_on_submit=True):
        needle = st.text_input("Text to redact (as it appears in the document)")
        every = st.checkbox("All occurrences", value=True)
        submitted = st.form_submit_button("Redact")
    if submitted and needle.strip():
        session.commit(view.review.id, ws.add_manual, user, view.review.id, version, needle, every)


def _change_release(ws: Workspace, user: User, view: View, version: int) -> None:
    with st.expander("Change the release (recipient, purpose, cases, agreement)"):
        release = widgets.release_form(ws, "release_change", "Save the release", view.release.as_json())
        if release is not None:
            session.commit(view.review.id, ws.change_release, user, view.review.id, version, release)


def _preview(ws: Workspace, view: View) -> None:
    st.subheader("Preview")
    st.caption("The text with every `redact` and every undecided item removed. Nothing is stored or sent.")
    if st.button("Preview the redacted output"):
        data = session.attempt(ws.preview, view.review.id)
        if data is not None:
            st.text_area("Redacted preview", data.decode("utf-8"), height=400, disabled=True)


def _release(ws: Workspace, user: User, view: View) -> None:
    st.subheader("Release")
    key = f"released_{view.review.id}"
    blockers = view.blockers(user)
    if view.review.status == "open":
        if blockers:
            st.caption("Release is possible once nothing above is left: " + "; ".join(blockers))
        if st.button("Release", type="primary", disabled=bool(blockers)):
            out = session.attempt(ws.release, user, view.review.id, session.seen_version(view))
            if out is not None:
                st.session_state[key] = out
                session.mark_seen(view.review.id, ws.view(view.review.id).version)
                st.rerun()
    out = st.session_state.get(key)
    if out is None:
        if view.review.status == "released":
            st.caption("The file was handed to the person who released it; the disclosure log keeps its hash.")
        return
    st.success(f"Released (disclosure #{out.disclosure_id}). Download the file and its redaction log.")
    for note in out.notes:
        st.caption(note)
    cols = st.columns(3)
    cols[0].download_button("Download the redacted file", out.data, out.filename, key="dl_file")
    cols[1].download_button("Redaction log (CSV)", out.log_csv, f"{out.filename}.log.csv", "text/csv", key="dl_csv")
    cols[2].download_button("Redaction log (JSON)", out.log_json, f"{out.filename}.log.json", "application/json",
                            key="dl_json")
