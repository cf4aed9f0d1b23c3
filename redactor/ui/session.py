"""What every page shares: the Workspace (loaded once per process), who is signed in, and how a
library error or a racing reviewer is shown. No decisions are made here: they are in the Workspace.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from redactor.auth import LOCAL_USER, User
from redactor.errors import RedactorError, StaleEditError
from redactor.pipeline import Redactor
from redactor.workspace import View, Workspace, sign_in_mode

T = TypeVar("T")
STALE = "Someone else changed this review; reload."
USER_KEY = "signed_in_user"


@st.cache_resource(show_spinner="Loading the language models (once per server)…")
def _redactor() -> Redactor:
    return Redactor.load()


@st.cache_resource(show_spinner=False)
def _workspace(db_url: str, users_file: str, users_mtime: float) -> Workspace:
    return Workspace.open(db_url=db_url or None, users_file=users_file or None, redactor=_redactor())


def workspace() -> Workspace:
    """The process's Workspace for the configured database and users file (a changed users file is re-read)."""
    users = os.environ.get("MARAC_REDACT_USERS", "")
    mtime = Path(users).stat().st_mtime if users and Path(users).exists() else 0.0
    return _workspace(os.environ.get("DATABASE_URL", ""), users, mtime)


def attempt(action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one library call; a RedactorError becomes one line on the page (never a traceback)."""
    try:
        return action(*args, **kwargs)
    except StaleEditError:
        st.error(STALE)
    except RedactorError as e:
        st.error(str(e))
    return None


# -- optimistic locking: act on the version the person saw ---------------------------------------
def _seen_key(review_id: int) -> str:
    return f"seen_version_{review_id}"


def seen_version(view: View) -> int:
    """The review version this browser session last rendered (the one every action is checked against)."""
    return int(st.session_state.setdefault(_seen_key(view.review.id), view.version))


def mark_seen(review_id: int, version: int) -> None:
    st.session_state[_seen_key(review_id)] = version


def stale_banner(view: View) -> None:
    """Say so when someone else changed the review since this page was loaded, with a reload button."""
    if seen_version(view) == view.version:
        return
    st.warning("Someone else changed this review since you loaded it; reload to see their change.")
    if st.button("Reload", key=f"reload_{view.review.id}"):
        mark_seen(view.review.id, view.version)
        st.rerun()


def commit(review_id: int, action: Callable[..., int | None], *args: Any) -> None:
    """Write one change now (a closed tab loses nothing), then show the new state."""
    version = attempt(action, *args)
    if version is not None:
        mark_seen(review_id, version)
        st.rerun()


# -- signing in ----------------------------------------------------------------------------------
def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, RedactorError, KeyError):
        return False


def signed_in(ws: Workspace) -> User | None:
    """The signed-in user, or None after showing the sign-in form (the caller then stops)."""
    mode = sign_in_mode(ws.users, _oidc_configured())
    if mode == "local":
        return LOCAL_USER
    if mode == "oidc":
        return _oidc_user(ws)
    return _password_user(ws)


def _password_user(ws: Workspace) -> User | None:
    user = st.session_state.get(USER_KEY)
    if isinstance(user, User):
        return user
    st.title("Sign in to marac-redact")
    with st.form("sign_in"):
        name = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        found = ws.users.authenticate(name, password)
        if found is None:
            st.error("That user name and password do not match.")
            return None
        st.session_state[USER_KEY] = found
        st.rerun()
    return None


def identity() -> dict[str, Any]:
    """What the identity provider said about the person in this browser (``is_logged_in``, ``email``)."""
    return dict(st.user.to_dict())


def _oidc_user(ws: Workspace) -> User | None:
    who = identity()
    if not who.get("is_logged_in"):
        st.title("Sign in to marac-redact")
        st.button("Sign in with your organisation's account", on_click=st.login)
        return None
    user = ws.users.for_email(str(who.get("email", "")))
    if user is None:
        st.error("Your account is not in the marac-redact users file: ask the administrator to add your e-mail.")
        st.button("Sign out", on_click=st.logout)
    return user


def sidebar(ws: Workspace, user: User) -> None:
    st.sidebar.markdown(f"Signed in as **{user.name}** ({', '.join(user.roles)})")
    mode = sign_in_mode(ws.users, _oidc_configured())
    if mode == "password" and st.sidebar.button("Sign out"):
        st.session_state.pop(USER_KEY, None)
        st.rerun()
    if mode == "oidc":
        st.sidebar.button("Sign out", on_click=st.logout)
    if mode == "local":
        st.info(
            "**Single-user local mode**: you are `local`, with every role, and nobody signs in. "
            "Set `MARAC_REDACT_USERS` to a users file (`marac-redact users add`) to require sign-in. "
            "A release that needs four eyes cannot be completed in this mode."
        )


CURRENT = "current_user"


def context() -> tuple[Workspace, User]:
    """The Workspace and the user ``main`` signed in for this run (every page starts with this)."""
    return workspace(), st.session_state[CURRENT]
