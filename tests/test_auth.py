"""Users, roles and permissions (redactor.auth)."""

from __future__ import annotations

from pathlib import Path

import pytest

from redactor.auth import LOCAL_USER, ROLES, User, add_user, load_users, require
from redactor.errors import PermissionDeniedError, RulesError


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.yaml"
    add_user(path, "Amira", ("coordinator",), "correct horse 1")
    add_user(path, "dpo1", ("dpo",), "battery staple 2", email="dpo1@example.org")
    return path


def test_single_user_local_mode_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARAC_REDACT_USERS", raising=False)
    users = load_users()
    assert users.single_user
    assert users.authenticate("anyone", "") == LOCAL_USER
    assert set(LOCAL_USER.roles) == set(ROLES)


@pytest.mark.parametrize(
    ("name", "password", "expected"),
    [
        ("amira", "correct horse 1", "amira"),
        ("AMIRA ", "correct horse 1", "amira"),
        ("amira", "correct horse 2", None),
        ("amira", "", None),
        ("nobody", "correct horse 1", None),
        ("dpo1", "battery staple 2", "dpo1"),
    ],
)
def test_authenticate(users_file: Path, name: str, password: str, expected: str | None) -> None:
    user = load_users(users_file).authenticate(name, password)
    assert (user.name if user else None) == expected


def test_passwords_are_stored_hashed(users_file: Path) -> None:
    body = users_file.read_text()
    assert "correct horse" not in body and "$argon2id$" in body


def test_oidc_email_maps_to_a_user_and_unknown_is_refused(users_file: Path) -> None:
    users = load_users(users_file)
    assert users.for_email("DPO1@example.org") == User("dpo1", ("dpo",), "dpo1@example.org")
    assert users.for_email("stranger@example.org") is None


@pytest.mark.parametrize(
    ("roles", "permission", "allowed"),
    [
        (("coordinator",), "release", True),
        (("coordinator",), "dashboard", False),
        (("idva",), "letter_check", True),
        (("idva",), "audit", False),
        (("dpo",), "dashboard", True),
        (("dpo",), "release", False),
        (("dpo",), "approve", True),
    ],
)
def test_permissions(roles: tuple[str, ...], permission: str, allowed: bool) -> None:
    user = User("u", roles)
    assert user.may(permission) is allowed
    if allowed:
        require(user, permission)
    else:
        with pytest.raises(PermissionDeniedError, match="needs the"):
            require(user, permission)


@pytest.mark.parametrize(
    "body",
    [
        "users: [{name: x, roles: [coordinator]}]",  # name too short
        "users: [{name: abc, roles: [chair]}]",  # unknown role
        "users: [{name: abc, roles: [dpo], password: plaintext}]",  # not a hash
        "users: [{name: abc, roles: [dpo]}, {name: abc, roles: [idva]}]",  # twice
        "users: {",
    ],
)
def test_broken_users_files_name_the_problem(tmp_path: Path, body: str) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(body)
    with pytest.raises(RulesError, match="users.yaml"):
        load_users(path)


def test_add_user_refuses_short_passwords_and_bad_roles(tmp_path: Path) -> None:
    with pytest.raises(PermissionDeniedError):
        add_user(tmp_path / "u.yaml", "abc", ("dpo",), "short")
    with pytest.raises(RulesError):
        add_user(tmp_path / "u.yaml", "abc", ("chair",), "long enough pw")


def test_add_user_replaces_an_existing_entry(users_file: Path) -> None:
    add_user(users_file, "amira", ("idva",), "new password 3")
    users = load_users(users_file)
    assert users.authenticate("amira", "new password 3") == User("amira", ("idva",))
    assert users.authenticate("amira", "correct horse 1") is None
    assert users.names() == ("amira", "dpo1")
