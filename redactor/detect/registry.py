"""Build Presidio recognizers from ``rules/recognizers.yaml``, validated on load.

Errors name the file and the recognizer id, e.g. ``recognizers.yaml: recognizer 'uk_phone':
unknown class 'Foo'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import regex as re
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer

from redactor.detect import recognizers as code
from redactor.detect.lexicon import Lexicon
from redactor.errors import RulesError
from redactor.model import ENTITY_LABELS
from redactor.rulesfile import load_validated

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "recognizers"],
    "properties": {
        "version": {"const": 1},
        "recognizers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "entity", "type"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "entity": {"enum": list(ENTITY_LABELS)},
                    "type": {"enum": ["pattern", "code"]},
                    "class": {"type": "string"},
                    "case_sensitive": {"type": "boolean"},
                    "context": {"type": "array", "items": {"type": "string"}},
                    "options": {"type": "object"},
                    "patterns": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["id", "regex", "score"],
                            "additionalProperties": False,
                            "properties": {
                                "id": {"type": "string"},
                                "regex": {"type": "string"},
                                "score": {"type": "number", "minimum": 0, "maximum": 1},
                            },
                        },
                    },
                },
            },
        },
    },
}

CODE_CLASSES: dict[str, type[code._Recognizer]] = {
    "UkPhoneRecognizer": code.UkPhoneRecognizer,
    "NhsNumberRecognizer": code.NhsNumberRecognizer,
    "CuedIdentifierRecognizer": code.CuedIdentifierRecognizer,
    "ContextNumberRecognizer": code.ContextNumberRecognizer,
    "DateOfBirthRecognizer": code.DateOfBirthRecognizer,
    "UkAddressRecognizer": code.UkAddressRecognizer,
    "FieldPersonRecognizer": code.FieldPersonRecognizer,
    "InitialsRecognizer": code.InitialsRecognizer,
    "IdentifierShapeRecognizer": code.IdentifierShapeRecognizer,
}
_FLAGS_INSENSITIVE = re.DOTALL | re.MULTILINE | re.IGNORECASE
_FLAGS_SENSITIVE = re.DOTALL | re.MULTILINE


def load_recognizers(path: Path, lexicon: Lexicon) -> list[EntityRecognizer]:
    data = load_validated(path, SCHEMA, _where)
    seen: set[str] = set()
    built = []
    for entry in data["recognizers"]:
        rid = entry["id"]
        if rid in seen:
            raise RulesError(f"{path.name}: recognizer '{rid}' is defined twice")
        seen.add(rid)
        try:
            built.append(_build(entry, lexicon))
        except (KeyError, ValueError, TypeError, re.error) as e:
            raise RulesError(f"{path.name}: recognizer '{rid}': {e}") from e
    return built


def _where(data: Any, path: list[Any]) -> str:
    """Name the failing place by recognizer id where there is one: "recognizer 'uk_phone' context/3"."""
    if len(path) >= 2 and path[0] == "recognizers" and isinstance(path[1], int):
        entry = data["recognizers"][path[1]]
        rid = entry.get("id", f"#{path[1]}") if isinstance(entry, dict) else f"#{path[1]}"
        rest = "/".join(str(p) for p in path[2:])
        return f"recognizer '{rid}'" + (f" {rest}" if rest else "")
    return "/".join(str(p) for p in path) or "top level"


def _build(entry: dict[str, Any], lexicon: Lexicon) -> EntityRecognizer:
    rid, entity, context = entry["id"], entry["entity"], entry.get("context")
    if entry["type"] == "pattern":
        if "patterns" not in entry:
            raise ValueError("a pattern recognizer needs 'patterns'")
        flags = _FLAGS_SENSITIVE if entry.get("case_sensitive") else _FLAGS_INSENSITIVE
        patterns = []
        for p in entry["patterns"]:
            re.compile(p["regex"], flags)  # fail here, with the rule's name, not at first use
            patterns.append(Pattern(name=p["id"], regex=p["regex"], score=p["score"]))
        return PatternRecognizer(
            supported_entity=entity,
            name=rid,
            patterns=patterns,
            context=list(context or []),
            global_regex_flags=flags,
        )
    cls_name = entry.get("class", "")
    if cls_name not in CODE_CLASSES:
        raise ValueError(f"unknown class '{cls_name}'")
    options = dict(entry.get("options", {}))
    options["lexicon"] = lexicon
    return CODE_CLASSES[cls_name](entity, rid, context, **options)
