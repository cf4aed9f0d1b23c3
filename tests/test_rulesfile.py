"""redactor.rulesfile.safe_load: yaml.safe_load's results through libyaml when available, and as safe."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from redactor import paths, rulesfile
from redactor.rulesfile import safe_load

SHIPPED = sorted(paths.rules_dir().glob("*.yaml")) + sorted(paths.models_dir().glob("*.yaml"))


def test_shipped_files_found() -> None:
    assert {p.name for p in SHIPPED} >= {"recognizers.yaml", "lexicon.yaml", "policy.yaml", "nlp.yaml"}


def test_libyaml_used_when_available() -> None:
    expected = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    assert rulesfile._LOADER is expected


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_files_load_as_with_yaml_safe_load(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    got = safe_load(text)
    assert got == yaml.safe_load(text)
    assert got  # not an empty document


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", None),
        ("# only a comment\n", None),
        ("a: 1\nb: [x, 'y', \"z\"]\n", {"a": 1, "b": ["x", "y", "z"]}),
        ("on: yes\noff: no\n", {True: True, False: False}),  # YAML 1.1 booleans, keys too
        ("v: 1.0\nw: .5\nx: 1e3\ny: 0o17\nz: 0x1F\n", {"v": 1.0, "w": 0.5, "x": "1e3", "y": "0o17", "z": 31}),
        ("d: 2024-06-11\n", {"d": datetime.date(2024, 6, 11)}),
        ("n: ~\nm: null\n", {"n": None, "m": None}),
        ("base: &b {x: 1}\nuse: {<<: *b, y: 2}\n", {"base": {"x": 1}, "use": {"x": 1, "y": 2}}),
        ("k: 1\nk: 2\n", {"k": 2}),  # a repeated key: the last wins, in both
        ("s: |\n  two\n  lines\n", {"s": "two\nlines\n"}),
        ("r: '\\d+\\s*'\nq: \"\\\\d+\"\n", {"r": "\\d+\\s*", "q": "\\d+"}),
        ("\ufeffu: caf\u00e9 \u2019\n", {"u": "caf\u00e9 \u2019"}),  # a byte order mark, non-ASCII text
        ("a: 1\r\nb: 2\r\n", {"a": 1, "b": 2}),
        ("!!set {a, b}", {"a", "b"}),
        ("- !!binary aGk=\n", [b"hi"]),
    ],
)
def test_same_as_yaml_safe_load(text: str, value: Any) -> None:
    assert safe_load(text) == yaml.safe_load(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "a: [1, 2\n",  # an unclosed flow sequence
        "a: 1\n b: 2\n",  # bad indentation
        "a: *missing\n",  # an undefined alias
        "{a: 1",
        "a: 'unterminated\n",
        "a: 1\n---\nb: 2\n",  # two documents
        "\ta: 1\n",  # a tab as indentation
    ],
)
def test_invalid_yaml_raises(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError):
        safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo hi']",
        "x: !!python/object/apply:os.system ['echo hi']\n",
        "!!python/object/new:os.system [echo hi]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/tuple [1, 2]",
        "x: !custom 3\n",
    ],
)
def test_unsafe_tags_refused(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[Any] = []
    monkeypatch.setattr("os.system", lambda *a: ran.append(a))
    with pytest.raises(yaml.constructor.ConstructorError):
        safe_load(text)
    assert ran == []


def test_unsafe_loader_would_run_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal above is the loader's doing: an unsafe loader builds the object (and runs the call)."""
    ran: list[Any] = []

    def system(*args: Any) -> int:
        ran.append(args)
        return 0

    monkeypatch.setattr("os.system", system)
    assert yaml.load("!!python/object/apply:os.system ['echo hi']", Loader=yaml.UnsafeLoader) == 0  # noqa: S506
    assert ran == [("echo hi",)]
