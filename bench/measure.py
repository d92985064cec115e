"""What the benchmarks measure and how: latencies (percentiles), what one level recorded (``Tally``) and its
figures (``LevelResult``), /proc sampling (RSS, CPU seconds per process), machine facts, free ports."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import platform
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE_INTERVAL_SECONDS = 0.1
#: The processes whose CPU a decided ringi document costs (the bench's own HTTP client is not one of them).
RINGI_PROCESSES = ("api", "worker", "temporal", "hr")
#: The bare baseline's: the server, and this process (its Temporal client and in-process worker).
BARE_PROCESSES = ("temporal", "bench")

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def log(message: str) -> None:
    """Progress goes to stderr, so ``--json`` output stays clean."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Latency:
    """Latency figures in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Latency:
        ms = [s * 1000 for s in seconds]
        return cls(
            count=len(ms),
            p50=percentile(ms, 50),
            p95=percentile(ms, 95),
            p99=percentile(ms, 99),
            mean=sum(ms) / len(ms) if ms else math.nan,
            max=max(ms) if ms else math.nan,
        )

    def triple(self) -> str:
        return f"{self.p50:7.1f} {self.p95:7.1f} {self.p99:7.1f}"


# --------------------------------------------------------------------------- one level


@dataclass
class Tally:
    """What one level of one system recorded while it ran."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    unexpected: Counter[str] = field(default_factory=Counter)  # answers other than the expected status
    retries: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # why documents failed, ids masked
    completed: int = 0
    documents: dict[str, str] = field(default_factory=dict)  # document id -> drafter

    def record(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def fail(self, exc: BaseException) -> None:
        self.failures[_UUID.sub("<id>", f"{type(exc).__name__}: {exc}")[:300]] += 1


@dataclass
class LevelResult:
    system: str
    concurrency: int
    documents: int
    completed: int
    seconds: float
    docs_per_second: float
    latency_ms: dict[str, Latency]
    unexpected: dict[str, int]
    retries: int
    failures: dict[str, int]  # the ten commonest reasons
    rss_peak_mib: dict[str, float]
    cpu_seconds: dict[str, float]
    load_avg_1m: float  # of the whole machine, at the end of the level: other work competes for the CPUs
    verification: dict[str, Any] = field(default_factory=dict)

    def ok(self) -> bool:
        return self.completed == self.documents and bool(self.verification.get("ok"))

    def cpu_ms_per_document(self, processes: Iterable[str]) -> dict[str, float]:
        """CPU milliseconds per completed document, per process and in ``"total"`` (over ``processes``)."""
        if self.completed == 0:
            return {}
        per = {n: self.cpu_seconds[n] * 1000 / self.completed for n in processes if n in self.cpu_seconds}
        return {**per, "total": sum(per.values())}


def level_result(
    system: str,
    concurrency: int,
    documents: int,
    seconds: float,
    tally: Tally,
    rss: dict[str, float],
    cpu: dict[str, float],
) -> LevelResult:
    return LevelResult(
        system=system,
        concurrency=concurrency,
        documents=documents,
        completed=tally.completed,
        seconds=seconds,
        docs_per_second=tally.completed / seconds if seconds > 0 else math.nan,
        latency_ms={kind: Latency.of(values) for kind, values in tally.latencies.items()},
        unexpected=dict(sorted(tally.unexpected.items())),
        retries=tally.retries,
        failures=dict(tally.failures.most_common(10)),
        rss_peak_mib=rss,
        cpu_seconds=cpu,
        load_avg_1m=os.getloadavg()[0],
    )


# --------------------------------------------------------------------------- /proc


def rss_kib(pid: int) -> int | None:
    """VmRSS of ``pid`` in KiB, or None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` (its threads included, children not), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class ProcSampler:
    """Samples RSS of named processes in the background; ``peak_mib`` and ``cpu_used`` cover one window."""

    pids: Mapping[str, int]
    peaks_kib: dict[str, int] = field(default_factory=dict)
    _cpu_start: dict[str, float] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        for name, pid in self.pids.items():
            rss = rss_kib(pid)
            if rss is not None and rss > self.peaks_kib.get(name, 0):
                self.peaks_kib[name] = rss

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_INTERVAL_SECONDS)

    def start(self) -> None:
        """Begin a window: forget the peaks, note CPU times, sample every 100 ms until ``stop``."""
        self.peaks_kib = {}
        self._cpu_start = {name: cpu for name, pid in self.pids.items() if (cpu := cpu_seconds(pid)) is not None}
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> tuple[dict[str, float], dict[str, float]]:
        """End the window: (peak RSS MiB, CPU seconds used) per process."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.sample()
        cpu: dict[str, float] = {}
        for name, pid in self.pids.items():
            now = cpu_seconds(pid)
            if now is not None and name in self._cpu_start:
                cpu[name] = now - self._cpu_start[name]
        return {name: kib / 1024 for name, kib in self.peaks_kib.items()}, cpu


# --------------------------------------------------------------------------- machine


def _first_value(path: str, key: str) -> str | None:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip() == key:
                return value.strip()
    return None


def machine_facts(temporal_cli: Path | None = None) -> dict[str, Any]:
    """CPU count and model, memory, Python, temporalio and temporal CLI versions."""
    import temporalio

    mem = _first_value("/proc/meminfo", "MemTotal")
    facts: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _first_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "mem_total_gib": round(int(mem.split()[0]) / 1024 / 1024, 1) if mem else None,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "temporalio": temporalio.__version__,
        "temporal_cli": None,
    }
    if temporal_cli is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([str(temporal_cli), "--version"], capture_output=True, text=True, timeout=10)
            facts["temporal_cli"] = out.stdout.strip().removeprefix("temporal version ")
    return facts


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct ports nothing listens on right now (the OS picks them; all held until chosen)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
