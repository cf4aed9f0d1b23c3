"""Read a YAML rules file and validate it against a JSON Schema: one place for the error messages.

Every error is a RulesError naming the file and, through ``where``, the rule that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from redactor.errors import RulesError

Where = Callable[[Any, list[Any]], str]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader when PyYAML has it (5x faster)


def safe_load(text: str) -> Any:
    """``yaml.safe_load``, through libyaml when available."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader either way


def load_validated(path: Path, schema: dict[str, Any], where: Where) -> Any:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RulesError(f"{path.name}: cannot read: {first}") from e
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as e:
        raise RulesError(f"{path.name}: {where(data, list(e.absolute_path))}: {e.message}") from e
    return data
