"""``marac-redact batch``: JSON Lines in, JSON Lines out, models loaded once.

Input lines are ``{"id", "text", "doc_type"?, "release"?}``; only those keys are read (annotations
or anything else on the line are never looked at). Output lines are
``{"id", "findings": [...], "release_allowed": true|false|null}`` in input order. The output is
written to a temporary file and moved into place only when every line succeeded, so a failure
leaves nothing behind.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits
from tqdm import tqdm

from redactor.errors import InputError, ReleaseError

GROUP = 8  # documents per scan_many call (small groups keep the workers evenly busy to the end)


@dataclass(frozen=True)
class BatchItem:
    id: str
    text: str
    doc_type: str | None
    release: dict[str, Any] | None
    where: str


def read_items(path: Path) -> Iterator[BatchItem]:
    if not path.is_file():
        raise InputError(f"{path.name}: file not found")
    with path.open(encoding="utf-8", errors="strict") as fh:
        try:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield _item(line, f"{path.name}:{n}")
        except UnicodeDecodeError as e:
            raise InputError(f"{path.name}: not UTF-8 text") from e


def _item(line: str, where: str) -> BatchItem:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"{where}: not a JSON object ({e.msg})") from e
    if not isinstance(raw, dict):
        raise InputError(f"{where}: not a JSON object")
    doc_id, text, release = raw.get("id"), raw.get("text"), raw.get("release")
    if not isinstance(text, str):
        raise InputError(f"{where}: 'text' must be a string")
    if doc_id is None or not isinstance(doc_id, str | int):
        raise InputError(f"{where}: 'id' must be a string or number")
    if release is not None and not isinstance(release, dict):
        raise InputError(f"{where}: 'release' must be an object")
    doc_type = raw.get("doc_type")
    return BatchItem(str(doc_id), text, doc_type if isinstance(doc_type, str) else None, release, where)


def _groups(items: Iterator[BatchItem]) -> Iterator[list[BatchItem]]:
    group: list[BatchItem] = []
    for item in items:
        group.append(item)
        if len(group) == GROUP:
            yield group
            group = []
    if group:
        yield group


def run_batch(source: Path, target: Path, *, progress: bool = False, workers: int = 1) -> int:
    """Scan every line of ``source`` into ``target`` (input order kept). ``workers`` > 1 spreads groups
    of documents over that many processes, forked after the models are loaded so each loads nothing."""
    from redactor.pipeline import Redactor

    if workers < 1:
        raise InputError("--workers must be at least 1")
    items = list(read_items(source))  # validate every line before loading models or writing
    redactor = Redactor.load()
    for item in items:
        if item.release is not None:
            try:
                redactor.release(item.release)
            except ReleaseError as e:
                raise ReleaseError(f"{item.where}: {e}") from e
    fd, tmp = tempfile.mkstemp(prefix=".batch-", dir=str(target.parent or Path(".")))
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8") as out,
            tqdm(total=len(items), disable=not progress, unit="doc") as bar,
        ):
            for lines in _scanned(redactor, list(_groups(iter(items))), workers):
                out.writelines(lines)
                bar.update(len(lines))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(items)


_LOADED: Any = None  # the parent's Redactor, inherited by forked workers


def _scanned(redactor: Any, groups: list[list[BatchItem]], workers: int) -> Iterator[list[str]]:
    global _LOADED
    _LOADED = redactor
    # One BLAS thread per process, so --workers says how many cores are used (forked workers inherit it).
    with threadpool_limits(limits=1, user_api="blas"):
        if workers == 1 or len(groups) < 2:
            yield from map(_scan_group, groups)
            return
        context = multiprocessing.get_context("fork")
        gc.freeze()  # the loaded models out of the collector's sight: the workers' collections leave pages shared
        try:
            with ProcessPoolExecutor(max_workers=min(workers, len(groups)), mp_context=context) as pool:
                yield from pool.map(_scan_group, groups)  # map keeps the input order
        finally:
            gc.unfreeze()


def _scan_group(group: list[BatchItem]) -> list[str]:
    results = _LOADED.scan_many([i.text for i in group], [i.release for i in group], [i.doc_type for i in group])
    return [
        json.dumps({"id": item.id, **result.as_json(with_text=False)}, ensure_ascii=False) + "\n"
        for item, result in zip(group, results, strict=True)
    ]
