"""Run measurements in fresh child processes: probes (which report their own peak memory) and whole
commands timed from outside (wall time, and the peak RSS the kernel reports for the child)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class BenchError(RuntimeError):
    pass


def run_probe(kind: str, pack: Path, *options: str) -> dict[str, Any]:
    """``probe.py kind pack options`` in a new interpreter; its last stdout line is its JSON result."""
    cmd = [sys.executable, str(HERE / "probe.py"), kind, str(pack), *options]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise BenchError(f"{kind} {pack.name}: exit {done.returncode}\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_avg_after"] = os.getloadavg()[0]
    return result


@dataclass(frozen=True)
class Whole:
    wall_s: float
    peak_rss_mb: float  # the largest RSS of the process or any child it waited for (not their sum)
    returncode: int


def run_whole(cmd: list[str], log: Path) -> Whole:
    """Run ``cmd`` to the end, timed from outside; stdout and stderr go to ``log``."""
    with log.open("w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)}: exit {proc.returncode}\n{log.read_text()[-2000:]}")
    return Whole(wall, usage.ru_maxrss / 1024, proc.returncode)


def marac_redact() -> list[str]:
    script = Path(sys.executable).parent / "marac-redact"
    return [str(script)] if script.exists() else [sys.executable, "-m", "redactor"]


def batch_has_workers() -> bool:
    done = subprocess.run([*marac_redact(), "batch", "--help"], capture_output=True, text=True, cwd=ROOT)
    return "--workers" in done.stdout


def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpuinfo_model(),
        "ram_gb": round(_meminfo_kb("MemTotal") / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_at_start": os.getloadavg(),
    }


def _cpuinfo_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _meminfo_kb(key: str) -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
