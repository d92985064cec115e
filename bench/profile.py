"""Where the API and the worker spend their CPU under the approvals load at C=10 (py-spy, sampling).

Starts the ``make bench`` stack (``bench.stack``), warms it up, then attaches ``py-spy record`` to the worker and
the API processes for one level of ``--docs`` documents at ``--concurrency`` and prints, per process, the top
functions of ours by inclusive share of on-CPU samples, the libraries by self share, and the hottest leaf
functions.  Raw collapsed stacks stay in the data directory (``--keep-data``) for a flame graph.

py-spy is not a dependency of ringi: ``pip install py-spy`` into the venv (or ``pip install -e '.[bench]'``).
Attaching needs ptrace rights over the children (root, or ``kernel.yama.ptrace_scope=0``).

    python -m bench.profile                      # C=10, 200 documents, SQLite
    python -m bench.profile --docs 100 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.drive import RingiBench
from bench.measure import log
from bench.stack import ringi_stack

PROFILED = ("worker", "api")
#: Top-level packages of this repository: a frame of one of these is "ours".
OURS = frozenset({"activities", "api", "core", "db", "domain", "integrations", "schemas", "workflows", "worker"})
RATE_HZ = 100
TOP = 10

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")


@dataclass(frozen=True)
class Frame:
    function: str
    file: str

    @property
    def package(self) -> str:
        """The frame's top-level package or module (``sqlalchemy``, ``activities``, ``<frozen runpy>``); py-spy
        names files relative to their ``sys.path`` entry."""
        return self.file.split("/", 1)[0].removesuffix(".py")

    @property
    def label(self) -> str:
        return f"{self.function} ({self.file})"


def parse_frame(text: str) -> Frame:
    match = _FRAME.match(text.strip())
    if match is None:
        return Frame(text.strip(), "")
    return Frame(match["function"], match["file"].rsplit(":", 1)[0])


@dataclass
class Profile:
    """Collapsed stacks (root first) with their sample counts."""

    samples: int = 0
    inclusive: Counter[Frame] = field(default_factory=Counter)
    leaf: Counter[Frame] = field(default_factory=Counter)
    leaf_package: Counter[str] = field(default_factory=Counter)

    def add(self, stack: Sequence[Frame], count: int) -> None:
        self.samples += count
        for frame in set(stack):
            self.inclusive[frame] += count
        if stack:
            self.leaf[stack[-1]] += count
            self.leaf_package[stack[-1].package] += count

    def share(self, count: int) -> float:
        return 100.0 * count / self.samples if self.samples else 0.0

    def ours(self, top: int = TOP) -> list[tuple[Frame, int]]:
        """Our functions by inclusive samples, minus the entry points every sample passes through."""
        mine = [(f, n) for f, n in self.inclusive.items() if f.package in OURS and n < 0.95 * self.samples]
        return sorted(mine, key=lambda item: -item[1])[:top]


def load_collapsed(lines: Iterable[str]) -> Profile:
    """py-spy's ``--format raw`` output: ``frame;frame;… count`` per line."""
    profile = Profile()
    for line in lines:
        stack_text, _, count = line.rstrip("\n").rpartition(" ")
        if not stack_text or not count.isdigit():
            continue
        frames = [parse_frame(f) for f in stack_text.split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not f.function.startswith("thread (")]
        profile.add(frames, int(count))
    return profile


def render(name: str, profile: Profile, top: int = TOP) -> list[str]:
    lines = [f"{name}: {profile.samples} on-CPU samples at {RATE_HZ} Hz"]
    lines.append(f"  top {top} of our functions, inclusive (the time spent in them and what they call)")
    lines += [f"    {profile.share(n):5.1f} %  {f.label}" for f, n in profile.ours(top)]
    lines.append(f"  top {top} packages by self time (the leaf frame's package)")
    lines += [f"    {profile.share(n):5.1f} %  {p}" for p, n in profile.leaf_package.most_common(top)]
    lines.append(f"  top {top} leaf functions, self")
    lines += [f"    {profile.share(n):5.1f} %  {f.label}" for f, n in profile.leaf.most_common(top)]
    return lines


# --------------------------------------------------------------------------- running it


def py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("py-spy is not installed: pip install py-spy (into this venv)")
    return found


def start_recording(pid: int, output: Path) -> subprocess.Popen[bytes]:
    argv = [
        py_spy(), "record", "--pid", str(pid), "--rate", str(RATE_HZ), "--format", "raw", "--function",
        "--nonblocking", "--output", str(output),
    ]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_recording(recorder: subprocess.Popen[bytes]) -> None:
    """py-spy writes its output when interrupted."""
    recorder.send_signal(signal.SIGINT)
    try:
        _, err = recorder.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        recorder.kill()
        _, err = recorder.communicate()
    if recorder.returncode not in (0, -signal.SIGINT):
        log(f"py-spy exited {recorder.returncode}: {err.decode(errors='replace')[-500:]}")


async def profile_level(bench: RingiBench, pids: dict[str, int], out_dir: Path, args: argparse.Namespace) -> None:
    await bench.prepare(args.warmup)
    recorders = {name: start_recording(pids[name], out_dir / f"{name}.txt") for name in PROFILED}
    try:
        await asyncio.sleep(1.0)  # py-spy attaches
        result = await bench.level(args.concurrency, args.docs)
    finally:
        for recorder in recorders.values():
            stop_recording(recorder)
    log(f"C={args.concurrency}: {result.docs_per_second:.2f} docs/s, ok={result.ok()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="documents in the profiled level (default 200)")
    parser.add_argument("--concurrency", type=int, default=10, help="concurrent clients (default 10)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed documents before profiling")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--top", type=int, default=TOP, help="rows per list (default 10)")
    parser.add_argument("--keep-data", action="store_true", help="keep the data directory (logs, raw profiles)")
    args = parser.parse_args(argv)
    py_spy()
    with ringi_stack(database_url=args.database_url, keep_data=args.keep_data) as stack:
        out_dir = stack.data_dir / "profiles"
        out_dir.mkdir()
        asyncio.run(profile_level(RingiBench(stack.api_url, stack.pids, audit_sample=5), stack.pids, out_dir, args))
        print(f"profile of C={args.concurrency}, {args.docs} documents ({stack.settings.database_url.split(':')[0]})")
        for name in PROFILED:
            path = out_dir / f"{name}.txt"
            if not path.exists():
                print(f"{name}: no profile written (py-spy could not attach?)")
                continue
            with path.open(encoding="utf-8", errors="replace") as lines:
                print("\n".join(render(name, load_collapsed(lines), args.top)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
