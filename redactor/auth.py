"""Users, roles and what each role may do.

Three ways to sign in, chosen by configuration (the app decides which, the library checks):

* **single-user local mode** (the embedded default: no users file): one user, ``local``, with every
  role. Four-eyes releases cannot be completed in this mode, because there is no second person.
* **local users file** (``MARAC_REDACT_USERS`` or ``--users``): YAML with argon2 password hashes,
  written by ``marac-redact users add``.
* **OIDC** (Streamlit's ``st.login`` when ``.streamlit/secrets.toml`` has an ``[auth]`` section): the
  identity provider proves the e-mail address; the users file maps it to a name and roles. An
  address not in the file is refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from redactor import rulesfile
from redactor.errors import PermissionDeniedError, RulesError

ROLES = ("coordinator", "idva", "dpo")
PERMISSIONS: Mapping[str, frozenset[str]] = {
    "upload": frozenset({"coordinator", "idva"}),
    "review": frozenset({"coordinator", "idva"}),
    "release": frozenset({"coordinator", "idva"}),
    "approve": frozenset({"coordinator", "idva", "dpo"}),
    "letter_check": frozenset({"idva", "coordinator"}),
    "dashboard": frozenset({"dpo"}),
    "audit": frozenset({"dpo"}),
}
LOCAL = "local"
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[str, ...]
    email: str = ""

    def may(self, permission: str) -> bool:
        return bool(PERMISSIONS[permission] & set(self.roles))


LOCAL_USER = User(LOCAL, ROLES)


def require(user: User, permission: str) -> None:
    """Raise PermissionDeniedError unless ``user`` has a role allowing ``permission``."""
    if not user.may(permission):
        allowed = " or ".join(sorted(PERMISSIONS[permission]))
        raise PermissionDeniedError(f"{user.name} may not {permission.replace('_', ' ')}: it needs the {allowed} role")


@dataclass(frozen=True)
class UserDirectory:
    users: Mapping[str, tuple[User, str]]  # name -> (user, argon2 hash or "")
    path: Path | None = None

    @property
    def single_user(self) -> bool:
        return self.path is None

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if ``password`` matches their stored hash; None otherwise (never says which part failed)."""
        if self.single_user:
            return LOCAL_USER
        entry = self.users.get(name.strip().lower())
        if entry is None or not entry[1]:
            _HASHER.hash(password)  # spend the same time whether or not the name exists
            return None
        try:
            _HASHER.verify(entry[1], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return entry[0]

    def for_email(self, email: str) -> User | None:
        """The user an identity provider's verified e-mail address belongs to (OIDC), or None."""
        if self.single_user:
            return LOCAL_USER
        want = email.strip().lower()
        return next((u for u, _ in self.users.values() if u.email and u.email.lower() == want), None)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.users))


_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["users"],
    "properties": {
        "users": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "roles"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "pattern": r"^[a-z0-9_.-]{2,40}$"},
                    "roles": {"type": "array", "items": {"enum": list(ROLES)}, "minItems": 1},
                    "password": {"type": "string", "pattern": r"^\$argon2"},
                    "email": {"type": "string"},
                },
            },
        }
    },
}


def load_users(path: str | Path | None = None) -> UserDirectory:
    """The users file at ``path`` (or ``MARAC_REDACT_USERS``); single-user local mode when neither is set."""
    raw = path or os.environ.get("MARAC_REDACT_USERS")
    if not raw:
        return UserDirectory({LOCAL: (LOCAL_USER, "")})
    file = Path(raw)
    try:
        data = rulesfile.safe_load(file.read_text(encoding="utf-8")) or {"users": []}
        jsonschema.validate(data, _SCHEMA)
    except (OSError, UnicodeDecodeError) as e:
        raise RulesError(f"{file.name}: cannot read the users file ({type(e).__name__})") from e
    except yaml.YAMLError as e:
        raise RulesError(f"{file.name}: the users file is not valid YAML") from e
    except jsonschema.ValidationError as e:
        where = "/".join(map(str, e.absolute_path)) or "top level"
        raise RulesError(f"{file.name}: {where}: {e.message}") from e
    users: dict[str, tuple[User, str]] = {}
    for u in data["users"]:
        if u["name"] in users:
            raise RulesError(f"{file.name}: user '{u['name']}' appears twice")
        users[u["name"]] = (User(u["name"], tuple(u["roles"]), u.get("email", "")), u.get("password", ""))
    return UserDirectory(users, file)


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise PermissionDeniedError("a password needs at least 8 characters")
    return _HASHER.hash(password)


def add_user(path: str | Path, name: str, roles: tuple[str, ...], password: str, email: str = "") -> None:
    """Add (or replace) one user in the users file, creating it if needed."""
    file = Path(path)
    data: dict[str, Any] = {"users": []}
    if file.exists():
        load_users(file)  # refuse to rewrite a broken file
        data = rulesfile.safe_load(file.read_text(encoding="utf-8")) or {"users": []}
    entry: dict[str, Any] = {"name": name.strip().lower(), "roles": list(roles), "password": hash_password(password)}
    if email:
        entry["email"] = email
    data["users"] = [u for u in data["users"] if u["name"] != entry["name"]] + [entry]
    try:
        jsonschema.validate(data, _SCHEMA)
    except jsonschema.ValidationError as e:
        raise RulesError(f"user '{name}': {e.message}") from e
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    except OSError as e:
        raise RulesError(f"{file.name}: cannot write the users file ({e.strerror})") from e
