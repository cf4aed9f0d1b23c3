"""The release request (redactor.release): what a batch line, the CLI or the app may ask for."""

from __future__ import annotations

from typing import Any

import pytest

from redactor import paths
from redactor.errors import ReleaseError, UnknownRecipientError
from redactor.release import load_directory, release_from_dict

DIRECTORY = load_directory(paths.rules_dir() / "recipients.yaml")
BASE: dict[str, Any] = {"recipient": "housing", "purpose": "safeguarding"}


@pytest.mark.parametrize(
    ("raw", "agreed", "consent"),
    [
        (BASE, False, False),
        ({**BASE, "marac_agreement": True, "victim_consent": True}, True, True),
        ({**BASE, "marac_agreement": {"agreed": True, "by": "chair", "when": "2026-11-01"}}, True, False),
        ({**BASE, "marac_agreement": {"by": "chair"}}, False, False),  # who, but no yes: not agreed
    ],
)
def test_agreement_and_consent(raw: dict[str, Any], agreed: bool, consent: bool) -> None:
    release = release_from_dict(raw, DIRECTORY)
    assert (release.marac_agreement.agreed, release.victim_consent) == (agreed, consent)


@pytest.mark.parametrize(
    "raw",
    [
        {**BASE, "victim_consent": "no"},
        {**BASE, "victim_consent": 1},
        {**BASE, "marac_agreement": "yes"},
        {**BASE, "marac_agreement": {"agreed": "no"}},
        {**BASE, "purpose": "curiosity"},
        {"purpose": "safeguarding"},
        {**BASE, "cases": "3"},
    ],
)
def test_malformed_releases_are_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(ReleaseError):
        release_from_dict(raw, DIRECTORY)


def test_unknown_recipients_are_refused_and_round_trip_keeps_the_name() -> None:
    with pytest.raises(UnknownRecipientError):
        release_from_dict({**BASE, "recipient": "Acme Widgets Ltd"}, DIRECTORY)
    first = release_from_dict({**BASE, "recipient": "Ealing Housing Options", "necessity": "to rehouse her"},
                              DIRECTORY)
    again = release_from_dict(first.as_json(), DIRECTORY)
    assert again == first and again.recipient == "housing" and again.necessity == "to rehouse her"


def test_the_log_view_holds_no_typed_text() -> None:
    raw = {**BASE, "marac_agreement": {"agreed": True, "by": "Rosa Quispe's IDVA", "when": "today"},
           "lawful_basis": "vital interests of Rosa Quispe", "necessity": "Rosa Quispe must be rehoused"}
    log = release_from_dict(raw, DIRECTORY).as_log()
    assert "Rosa" not in str(log) and log["recipient"] == "housing" and log["marac_agreement"] is True
