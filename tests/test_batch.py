"""How ``batch`` spreads documents over processes (redactor.batch), with a fake Redactor: the models
are not the point here (tests/test_cli.py runs the real command)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy  # noqa: F401  (loads the BLAS whose threads are counted)
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from redactor.batch import BatchItem, _scanned


def _blas_threads() -> list[int]:
    return [int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]


@dataclass(frozen=True)
class _Result:
    text: str

    def as_json(self, *, with_text: bool) -> dict[str, Any]:
        return {"text": self.text, "pid": os.getpid(), "blas": _blas_threads()}


class _FakeRedactor:
    def scan_many(self, texts: Sequence[str], releases: Any, doc_types: Any) -> list[_Result]:
        return [_Result(t) for t in texts]


def _groups(n: int, size: int) -> list[list[BatchItem]]:
    items = [BatchItem(str(i), f"text {i}", None, None, f"in:{i}") for i in range(n)]
    return [items[i : i + size] for i in range(0, n, size)]


def _lines(workers: int, n: int = 12, size: int = 2) -> list[dict[str, Any]]:
    return [json.loads(line) for lines in _scanned(_FakeRedactor(), _groups(n, size), workers) for line in lines]


@pytest.mark.parametrize(("workers", "n", "size"), [(1, 12, 2), (2, 12, 2), (3, 7, 3), (2, 1, 8)])
def test_order_kept_and_one_blas_thread_per_process(workers: int, n: int, size: int) -> None:
    if not _blas_threads():
        pytest.skip("numpy reports no BLAS library to count threads in")
    lines = _lines(workers, n, size)
    assert [line["id"] for line in lines] == [str(i) for i in range(n)]
    assert [line["text"] for line in lines] == [f"text {i}" for i in range(n)]
    assert all(line["blas"] and set(line["blas"]) == {1} for line in lines)
    pids = {line["pid"] for line in lines}
    if workers > 1 and n > size:
        assert os.getpid() not in pids  # the groups ran in forked workers
    else:
        assert pids == {os.getpid()}


def test_the_limit_ends_with_the_batch() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        if _blas_threads() != [2] * len(_blas_threads()) or not _blas_threads():
            pytest.skip("this BLAS cannot run two threads here")
        _lines(2)
        assert set(_blas_threads()) == {2}  # restored after the workers are done
        # without the limit a process would report 2: the check in the test above can fail
        assert set(_Result("x").as_json(with_text=False)["blas"]) == {2}
