"""The release request: one document, one recipient, one purpose (POLICY.md "The release request").

A named recipient ("UKVI Sheffield", "Ealing Housing Options") is resolved to an agency type by the
recipient directory in ``rules/recipients.yaml``; a name it does not know is refused, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from redactor import rulesfile
from redactor.errors import ReleaseError, RulesError, UnknownRecipientError

PURPOSES = ("safeguarding", "victim_application", "legal_proceedings", "other")


@dataclass(frozen=True)
class Agreement:
    """The Marac's agreement to this release: who agreed (chair, coordinator, partners) and when."""

    agreed: bool
    by: str = ""
    when: str = ""


@dataclass(frozen=True)
class Release:
    recipient: str
    purpose: str
    cases: tuple[str, ...] = ()
    marac_agreement: Agreement = field(default_factory=lambda: Agreement(False))
    victim_consent: bool = False
    lawful_basis: str = ""
    recipient_name: str = ""
    requested_by: str = ""
    necessity: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "recipient_name": self.recipient_name,
            "purpose": self.purpose,
            "cases": list(self.cases),
            "marac_agreement": self.marac_agreement.agreed,
            "agreed_by": self.marac_agreement.by,
            "agreed_when": self.marac_agreement.when,
            "victim_consent": self.victim_consent,
            "lawful_basis": self.lawful_basis,
            "requested_by": self.requested_by,
            "necessity": self.necessity,
        }


    def as_log(self) -> dict[str, Any]:
        """What a redaction log says of the release: no free text a person typed (the lawful basis,
        the necessity statement, who agreed), which could name the victim."""
        return {"recipient": self.recipient, "recipient_name": self.recipient_name, "purpose": self.purpose,
                "cases": list(self.cases), "marac_agreement": self.marac_agreement.agreed,
                "victim_consent": self.victim_consent}


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", name.lower().replace("'", "")).split())


@dataclass(frozen=True)
class RecipientDirectory:
    types: tuple[str, ...]
    names: Mapping[str, str]
    keywords: tuple[tuple[frozenset[str], str], ...]

    def resolve(self, name_or_type: str) -> str:
        """The agency type for a type name, a known agency or alias, or a keyword match."""
        key = _norm(name_or_type)
        if key.replace(" ", "_") in self.types:
            return key.replace(" ", "_")
        if key in self.names:
            return self.names[key]
        words = set(key.split())
        for needed, kind in self.keywords:
            if needed <= words:
                return kind
        raise UnknownRecipientError(
            f"unknown recipient '{name_or_type}': give one of {', '.join(self.types)}, "
            "or add the agency to rules/recipients.yaml"
        )


_DIRECTORY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "types", "agencies", "keywords"],
    "properties": {
        "version": {"const": 1},
        "types": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "agencies": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "type"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "type": {"type": "string"},
                    "aliases": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "keywords": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["words", "type"],
                "additionalProperties": False,
                "properties": {
                    "words": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "type": {"type": "string"},
                },
            },
        },
    },
}


def load_directory(path: Path) -> RecipientDirectory:
    try:
        data = rulesfile.safe_load(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, _DIRECTORY_SCHEMA)
    except (OSError, yaml.YAMLError) as e:
        raise RulesError(f"{path.name}: cannot read ({type(e).__name__})") from e
    except jsonschema.ValidationError as e:
        raise RulesError(f"{path.name}: {'/'.join(map(str, e.absolute_path)) or 'top level'}: {e.message}") from e
    types = tuple(data["types"])
    names: dict[str, str] = {}
    for agency in data["agencies"]:
        if agency["type"] not in types:
            raise RulesError(f"{path.name}: agency '{agency['name']}': unknown type '{agency['type']}'")
        for name in [agency["name"], *agency.get("aliases", [])]:
            names[_norm(name)] = agency["type"]
    keywords = []
    for rule in data["keywords"]:
        if rule["type"] not in types:
            raise RulesError(f"{path.name}: keyword rule {rule['words']}: unknown type '{rule['type']}'")
        keywords.append((frozenset(_norm(w) for w in rule["words"]), rule["type"]))
    return RecipientDirectory(types, names, tuple(keywords))


def release_from_dict(raw: Mapping[str, Any], directory: RecipientDirectory) -> Release:
    """A release from a batch line or the CLI options; every problem is a ReleaseError."""
    recipient = raw.get("recipient")
    if not isinstance(recipient, str) or not recipient.strip():
        raise ReleaseError("a release needs a recipient (an agency type or a named agency)")
    purpose = raw.get("purpose")
    if purpose not in PURPOSES:
        raise ReleaseError(f"purpose must be one of {', '.join(PURPOSES)} (got {purpose!r})")
    cases = raw.get("cases") or []
    if not isinstance(cases, list | tuple) or not all(isinstance(c, str | int) for c in cases):
        raise ReleaseError("cases must be a list of case numbers")
    agreement = raw.get("marac_agreement", False)
    if isinstance(agreement, Mapping):
        agreed = Agreement(
            _flag(agreement.get("agreed", False), "marac_agreement.agreed"),
            str(agreement.get("by", "")), str(agreement.get("when", "")),
        )
    else:
        agreed = Agreement(_flag(agreement, "marac_agreement"), str(raw.get("agreed_by", "")),
                           str(raw.get("agreed_when", "")))
    kind = directory.resolve(recipient)
    return Release(
        recipient=kind,
        purpose=str(purpose),
        cases=tuple(str(c) for c in cases),
        marac_agreement=agreed,
        victim_consent=_flag(raw.get("victim_consent", False), "victim_consent"),
        lawful_basis=str(raw.get("lawful_basis", "")),
        recipient_name=str(raw.get("recipient_name") or ("" if recipient == kind else recipient)),
        requested_by=str(raw.get("requested_by", "")),
        necessity=str(raw.get("necessity", "")),
    )


def _flag(value: Any, name: str) -> bool:
    """A yes/no of the release: only true or false. "no" must never read as consent."""
    if not isinstance(value, bool):
        raise ReleaseError(f"{name} must be true or false (got {value!r})")
    return value
