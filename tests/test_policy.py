"""The policy file: every rule cites a seed that says what it quotes; broken files name file and rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from redactor import paths
from redactor.errors import RulesError, UnknownRecipientError
from redactor.policy import load_policy
from redactor.release import load_directory

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
POLICY_FILE = paths.rules_dir() / "policy.yaml"


def _norm(text: str) -> str:
    return " ".join(text.replace("**", "").replace("*", "").split())


@pytest.mark.parametrize("rule", load_policy(POLICY_FILE).rules(), ids=lambda r: r.id)
def test_every_rule_has_a_reason_and_a_citation_the_seed_supports(rule: object) -> None:
    if not SEEDS.is_dir():
        pytest.skip("the seed documents are not next to this checkout")
    r = rule
    assert len(r.reason) > 20  # type: ignore[attr-defined]
    text = (SEEDS / r.cite.file).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert r.cite.section in [line.strip() for line in text.splitlines()]  # type: ignore[attr-defined]
    assert _norm(r.cite.quote) in _norm(text)  # type: ignore[attr-defined]


def _broken(tmp_path: Path, edit: dict) -> Path:
    data = yaml.safe_load(POLICY_FILE.read_text())
    for key, change in edit.items():
        change(data[key])
    f = tmp_path / "policy.yaml"
    f.write_text(yaml.safe_dump(data))
    return f


@pytest.mark.parametrize(
    "edit,message",
    [
        ({"passages": lambda p: p[0]["decisions"].update(police_and_probation="maybe")}, "rule P1"),
        ({"passages": lambda p: p.pop(0)}, "no passage rule decides STATUS about the victim"),
        ({"gates": lambda g: g[0].pop("cite")}, "rule G1"),
        ({"recipient_groups": lambda g: g.pop("health")}, "no column for health"),
        ({"identifiers": lambda i: i[0].update(otherwise="shred")}, "rule I1"),
        ({"scope": lambda s: s[0].update(id="G1")}, "used twice"),
    ],
)
def test_broken_policy_names_file_and_rule(tmp_path: Path, edit: dict, message: str) -> None:
    with pytest.raises(RulesError) as err:
        load_policy(_broken(tmp_path, edit))
    assert str(err.value).startswith("policy.yaml:") and message in str(err.value)


DIRECTORY = load_directory(paths.rules_dir() / "recipients.yaml")


@pytest.mark.parametrize(
    "name,kind",
    [
        ("UKVI", "immigration_enforcement"),
        ("UK Visas and Immigration", "immigration_enforcement"),
        ("Home Office Immigration Enforcement", "immigration_enforcement"),
        ("Border Force", "immigration_enforcement"),
        ("ICE team", "immigration_enforcement"),
        ("UKVI Sheffield", "immigration_enforcement"),
        ("Ealing Housing Options", "housing"),
        ("Reid Immigration Solicitors", "legal_adviser"),
        ("Northshire Constabulary", "police"),
        ("Lambeth Children's Services", "children_social_care"),
        ("police", "police"),
        ("specialist support", "specialist_support"),
    ],
)
def test_recipient_directory(name: str, kind: str) -> None:
    assert DIRECTORY.resolve(name) == kind


def test_unknown_recipient_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownRecipientError):
        DIRECTORY.resolve("Acme Widgets Ltd")


def test_a_recipient_type_without_a_policy_column_is_refused_at_load(tmp_path: Path) -> None:
    from redactor.pipeline import Redactor

    for f in paths.rules_dir().glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text())
    data = yaml.safe_load((tmp_path / "recipients.yaml").read_text())
    data["types"].append("private_investigator")
    (tmp_path / "recipients.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(RulesError, match="private_investigator"):
        Redactor.load(tmp_path)
