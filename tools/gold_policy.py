"""Gold actions for annotated release documents, read straight off ../shared/spec/POLICY.md.

This is the annotator's reading of the policy, used only to label the development data.
It deliberately shares no code with ``redactor`` so that scoring the library against
these labels is not circular.

Choices where POLICY.md is silent (also recorded in README):
* ``REFERENCE`` (crime, court and agency case numbers): keep for police, probation and
  legal_adviser, who act on them; ``review`` for every other recipient.
"""

from __future__ import annotations

STRICT = {"keep": 0, "review": 1, "redact": 2}

# POLICY.md "Immigration passages" table: column per recipient group.
_COLUMNS = {
    "immigration_enforcement": "ie",
    "legal_adviser": "legal",
    "specialist_support": "specialist",
    "housing": "care",
    "children_social_care": "care",
    "adult_social_care": "care",
    "police": "police",
    "probation": "police",
    "health": "health",
    "education": "other",
    "other": "other",
}
_VICTIM_TABLE = {
    #            ie        legal      specialist  care      police    health    other
    "STATUS": {"ie": "keep", "legal": "consent", "specialist": "consent", "care": "review",
               "police": "redact", "health": "redact", "other": "redact"},
    "NRPF": {"ie": "keep", "legal": "keep", "specialist": "keep", "care": "keep",
             "police": "redact", "health": "redact", "other": "redact"},
    "COERCION": {"ie": "keep", "legal": "keep", "specialist": "keep", "care": "keep",
                 "police": "keep", "health": "keep", "other": "redact"},
    "ENFORCEMENT": {"ie": "redact", "legal": "keep", "specialist": "redact", "care": "redact",
                    "police": "redact", "health": "redact", "other": "redact"},
}


def release_verdict(release: dict) -> str:
    if not release["marac_agreement"]:
        return "blocked"  # G1
    if release["purpose"] == "other":
        return "blocked"  # G3
    if release["recipient"] == "immigration_enforcement" and not (
        release["purpose"] == "victim_application" and release["victim_consent"]
    ):
        return "blocked"  # G2
    return "allowed"


def passage_action(category: str, subject: str, release: dict) -> str:
    if subject in {"perpetrator", "other"}:
        return "redact"
    cell = _VICTIM_TABLE[category][_COLUMNS[release["recipient"]]]
    if cell == "consent":
        return "keep" if release["victim_consent"] else "redact"
    return cell


def entity_action(span: dict, release: dict) -> str:
    label, recipient = span["label"], release["recipient"]
    if label == "IMMIGRATION_ID":
        ok = recipient == "legal_adviser" or (
            recipient == "immigration_enforcement" and release["purpose"] == "victim_application"
        )
        return "keep" if ok else "redact"
    if label == "NHS_NUMBER":
        return "keep" if recipient == "health" else "redact"
    if label == "NI_NUMBER":
        return "redact"
    if label == "ADDRESS" and span.get("refuge"):
        return "redact"
    if label == "REFERENCE":
        return "keep" if recipient in {"police", "probation", "legal_adviser"} else "review"
    return "keep"


def _own_action(span: dict, release: dict) -> str:
    if span["label"] == "OUT_OF_SCOPE":
        return "redact"
    if span["label"] == "IMMIGRATION":
        return passage_action(span["category"], span["subject"], release)
    return entity_action(span, release)


def assign_actions(spans: list[dict], release: dict, verdict: str) -> list[dict]:
    """Each span's action; the strictest overlapping decision wins; a blocked release redacts all."""
    own = [_own_action(s, release) for s in spans]
    result = []
    for i, s in enumerate(spans):
        action = own[i]
        if verdict == "blocked":
            action = "redact"
        elif s["label"] != "OUT_OF_SCOPE":
            for j, other in enumerate(spans):
                containing = other["label"] == "OUT_OF_SCOPE" or (
                    other["label"] == "IMMIGRATION" and s["label"] != "IMMIGRATION")
                if containing and other["start"] <= s["start"] and s["end"] <= other["end"]:
                    if STRICT[own[j]] > STRICT[action]:
                        action = own[j]
        clean = {k: v for k, v in s.items() if k != "refuge"}
        clean["action"] = action
        result.append(clean)
    return result
