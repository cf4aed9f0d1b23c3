"""Where the data directories (``rules/``, ``models/``, ``sample_docs/``) live.

Order: an environment variable (``MARAC_RULES_DIR``, ``MARAC_MODELS_DIR``), the source checkout
next to the package, then the copy a wheel installs under ``<prefix>/share/marac-redact/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _find(name: str, env: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    for base in (_CHECKOUT, Path(sys.prefix) / "share" / "marac-redact"):
        if (base / name).is_dir():
            return base / name
    return _CHECKOUT / name


def rules_dir() -> Path:
    return _find("rules", "MARAC_RULES_DIR")


def models_dir() -> Path:
    return _find("models", "MARAC_MODELS_DIR")


def sample_docs_dir() -> Path:
    return _find("sample_docs", "MARAC_SAMPLE_DOCS_DIR")
