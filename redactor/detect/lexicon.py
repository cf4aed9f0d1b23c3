"""Word lists from ``rules/lexicon.yaml`` (validated on load)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from redactor import rulesfile
from redactor.errors import RulesError

_KEYS = ("acronyms", "not_names", "titles", "street_types", "building_types", "org_words")


@dataclass(frozen=True)
class Lexicon:
    acronyms: frozenset[str]
    not_names: frozenset[str]
    titles: frozenset[str]
    street_types: tuple[str, ...]
    building_types: tuple[str, ...]
    org_words: frozenset[str]


def load_lexicon(path: Path) -> Lexicon:
    try:
        data = rulesfile.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RulesError(f"{path.name}: cannot read lexicon: {str(e).splitlines()[0]}") from e
    if not isinstance(data, dict):
        raise RulesError(f"{path.name}: expected a mapping")
    for key in _KEYS:
        words = data.get(key)
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise RulesError(f"{path.name}: '{key}' must be a list of words")
    return Lexicon(
        acronyms=frozenset(data["acronyms"]),
        not_names=frozenset(data["not_names"]),
        titles=frozenset(data["titles"]),
        street_types=tuple(dict.fromkeys(data["street_types"])),
        building_types=tuple(dict.fromkeys(data["building_types"])),
        org_words=frozenset(w.rstrip(".") for w in data["org_words"]),
    )
