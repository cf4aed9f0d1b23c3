"""The redaction log (CSV and JSON) and writing outputs so that nothing partial is ever left behind.

A log entry says where a redaction was made (part/paragraph/runs, page/box or text offsets), its
label, rule and reason. It never holds the redacted text.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redactor.errors import RenderError

Where = tuple[tuple[str, Any], ...]
CSV_COLUMNS = ("redaction", "location", "label", "rule", "reason")


@dataclass(frozen=True)
class LogEntry:
    """One place a redaction was applied. ``redaction`` is its 1-based number in the redaction list;
    ``where`` the same location as key/value pairs (numbers and part names only)."""

    redaction: int
    location: str
    label: str
    rule: str
    reason: str
    where: Where = ()

    def as_json(self) -> dict[str, Any]:
        return {"redaction": self.redaction, "location": self.location, "where": dict(self.where),
                "label": self.label, "rule": self.rule, "reason": self.reason}


def log_csv(entries: Sequence[LogEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([e.redaction, e.location, e.label, e.rule, e.reason])
    return out.getvalue().encode("utf-8")


def log_json(entries: Sequence[LogEntry], header: Mapping[str, Any]) -> bytes:
    body = {**header, "redactions": [e.as_json() for e in entries]}
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_all(files: Mapping[Path, bytes]) -> None:
    """Write every file or none: each goes to a temporary file beside its target, then all are renamed.

    If a rename fails, the targets already renamed are removed again, so a failure never leaves an
    output without its log (or the reverse).
    """
    temps: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for target, data in files.items():
            temps[target] = _write_temp(target, data)
        for target, temp in temps.items():
            os.replace(temp, target)
            done.append(target)
    except OSError as e:
        for path in done:
            _remove(path)
        raise RenderError(f"cannot write {_name(e, files)} ({type(e).__name__}); nothing was written") from e
    finally:
        for temp in temps.values():
            _remove(temp)


def _write_temp(target: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _remove(temp)
        raise
    return temp


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _name(e: OSError, files: Mapping[Path, bytes]) -> str:
    if e.filename:
        return Path(str(e.filename)).name
    return ", ".join(p.name for p in files)


# ----------------------------------------------------------------------------- output paths

OUTPUT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "docx": (".docx",),
    "pdf": (".pdf",),
    "text": (".txt", ".text", ".md", ".eml"),
}


def log_paths(output: Path) -> tuple[Path, Path]:
    """The CSV and JSON logs written beside ``output``: OUT.redactions.csv and OUT.redactions.json."""
    return output.with_name(f"{output.name}.redactions.csv"), output.with_name(f"{output.name}.redactions.json")


def check_output(source: Path, output: Path, kind: str) -> None:
    """The output must be in the input's format, in an existing folder, and not the input itself."""
    suffixes = OUTPUT_SUFFIXES[kind]
    if output.suffix.lower() not in suffixes:
        raise RenderError(f"the output must be a {kind} file ending in {' or '.join(suffixes)}, like the input")
    if not output.parent.is_dir():
        raise RenderError(f"the output folder {output.parent} does not exist")
    for path in (output, *log_paths(output)):
        if path.is_dir():
            raise RenderError(f"{path.name} is a folder")
        if path.exists() and source.exists() and path.samefile(source):
            raise RenderError("the output would overwrite the input; choose another name")
