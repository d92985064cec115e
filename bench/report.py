"""What ``make bench`` prints: the ringi and bare tables, the ratios ringi ÷ bare, CPU per decided document, the
targets of issue 11 (PASS or MISS, never asserted), and how each level was verified; or all of it as JSON."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.measure import BARE_PROCESSES, RINGI_PROCESSES, Latency, LevelResult


@dataclass(frozen=True)
class Goal:
    """A target and its stretch, compared with ``<=`` (``at_most``) or ``>=``."""

    target: float
    stretch: float | None
    at_most: bool

    def met(self, value: float, bound: float) -> bool:
        return value <= bound if self.at_most else value >= bound


DOCS_RATIO = Goal(target=0.6, stretch=0.8, at_most=False)  # ringi docs/s ÷ bare's at C=10
P99_RATIO = Goal(target=2.0, stretch=1.3, at_most=True)  # ringi action p99 ÷ bare update p99 at C=10
ACTION_P50_MS = Goal(target=25.0, stretch=None, at_most=True)  # ringi action p50 at C=1


@dataclass(frozen=True)
class Target:
    name: str
    passed: bool | None  # None: not measured in this run
    detail: str
    stretch: bool | None = None


def level_of(results: Sequence[LevelResult], concurrency: int) -> LevelResult | None:
    return next((r for r in results if r.concurrency == concurrency), None)


def latency(result: LevelResult | None, kind: str) -> Latency | None:
    return None if result is None else result.latency_ms.get(kind)


def ratios(ringi: Sequence[LevelResult], bare: Sequence[LevelResult]) -> list[dict[str, float]]:
    rows: list[dict[str, float]] = []
    for r in ringi:
        b = level_of(bare, r.concurrency)
        action, update = latency(r, "action"), latency(b, "update")
        if b is None or action is None or update is None:
            continue
        submit, start = latency(r, "submit"), latency(b, "start")
        cpu_r = r.cpu_ms_per_document(RINGI_PROCESSES).get("total", math.nan)
        cpu_b = b.cpu_ms_per_document(BARE_PROCESSES).get("total", math.nan)
        rows.append(
            {
                "concurrency": r.concurrency,
                "docs_per_second": r.docs_per_second / b.docs_per_second,
                "action_p50": action.p50 / update.p50,
                "action_p99": action.p99 / update.p99,
                "submit_p50_vs_start_p50": submit.p50 / start.p50 if submit and start else math.nan,
                "cpu_per_document": cpu_r / cpu_b if cpu_b else math.nan,
            }
        )
    return rows


def _goal(name: str, goal: Goal, value: float, detail: str) -> Target:
    stretch = None if goal.stretch is None else goal.met(value, goal.stretch)
    return Target(name, goal.met(value, goal.target), detail, stretch)


def targets(ringi: Sequence[LevelResult], bare: Sequence[LevelResult]) -> list[Target]:
    out: list[Target] = []
    r10, b10, r1 = level_of(ringi, 10), level_of(bare, 10), level_of(ringi, 1)
    name = f"docs/s at C=10 >= {DOCS_RATIO.target} x bare (stretch {DOCS_RATIO.stretch})"
    if r10 and b10:
        ratio = r10.docs_per_second / b10.docs_per_second
        detail = f"{ratio:.2f} x  (ringi {r10.docs_per_second:.2f}/s, bare {b10.docs_per_second:.2f}/s)"
        out.append(_goal(name, DOCS_RATIO, ratio, detail))
    else:
        out.append(Target(name, None, "not measured (needs C=10 for ringi and bare)"))
    name = f"action p50 at C=1 <= {ACTION_P50_MS.target:.0f} ms"
    action1 = latency(r1, "action")
    if action1:
        out.append(_goal(name, ACTION_P50_MS, action1.p50, f"{action1.p50:.1f} ms"))
    else:
        out.append(Target(name, None, "not measured (needs C=1)"))
    name = f"action p99 at C=10 <= {P99_RATIO.target} x bare update p99 (stretch {P99_RATIO.stretch})"
    action10, update10 = latency(r10, "action"), latency(b10, "update")
    if action10 and update10:
        ratio = action10.p99 / update10.p99
        detail = f"{ratio:.2f} x  (ringi {action10.p99:.1f} ms, bare {update10.p99:.1f} ms)"
        out.append(_goal(name, P99_RATIO, ratio, detail))
    else:
        out.append(Target(name, None, "not measured (needs C=10 for ringi and bare)"))
    return out


# --------------------------------------------------------------------------- text


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Right-aligned columns, two spaces apart."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    return [indent + "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in [headers, *rows]]


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _p(result: LevelResult, kind: str) -> list[str]:
    lat = latency(result, kind)
    return [_f(lat.p50), _f(lat.p95), _f(lat.p99)] if lat else ["-", "-", "-"]


def _answers(result: LevelResult) -> str:
    if not result.unexpected:
        return "none"
    return ", ".join(f"{status} x{count}" for status, count in result.unexpected.items())


def _mark(passed: bool | None) -> str:
    return {True: "PASS", False: "MISS", None: "n/a "}[passed]


def _cpu_rows(ringi: Sequence[LevelResult], bare: Sequence[LevelResult]) -> list[list[str]]:
    rows = []
    for r in ringi:
        mine = r.cpu_ms_per_document(RINGI_PROCESSES)
        b = level_of(bare, r.concurrency)
        theirs = b.cpu_ms_per_document(BARE_PROCESSES) if b else {}
        rows.append(
            [str(r.concurrency), *(_f(mine.get(n), 0) for n in (*RINGI_PROCESSES, "total")),
             *(_f(theirs.get(n), 0) for n in (*BARE_PROCESSES, "total"))]
        )  # fmt: skip
    return rows


def render_text(report: dict[str, Any], ringi: Sequence[LevelResult], bare: Sequence[LevelResult]) -> str:
    m = report["machine"]
    s = report["stack"]
    lines = [
        f"ringi approvals bench  {report['started_at']}",
        f"machine  {m['cpu_count']} CPUs (affinity {m['cpu_affinity']}), {m['cpu_model']}, {m['mem_total_gib']} GiB,"
        f" load(1m) {m['load_avg_1m']} at start; Python {m['python']}, temporalio {m['temporalio']},"
        f" temporal CLI {m['temporal_cli']}",
        f"stack    ringi database {s['database']}; data {s['data_dir']}; API {s['api_url']};"
        f" Temporal {s['temporal_address']}; action timeout {s['action_timeout_seconds']} s;"
        f" log level {s['log_level']}",
        "",
        "ringi through the HTTP API: per document create, submit, 3 approvals (課長 review -> 財政課長 consult ->"
        " 部長 decide); latency ms from first attempt to accepted answer (503 retries included);"
        " RSS = peak sampled every 100 ms, CPU = seconds used during the level, load = 1-min load average after it",
    ]
    lines += table(
        ["C", "docs", "done", "time s", "docs/s", "submit p50", "p95", "p99", "action p50", "p95", "p99",
         "create p50", "retries", "RSS MiB worker", "api", "temporal",
         "CPU s worker", "api", "temporal", "hr", "bench", "load"],
        [
            [str(r.concurrency), str(r.documents), str(r.completed), _f(r.seconds), _f(r.docs_per_second, 2),
             *_p(r, "submit"), *_p(r, "action"), _p(r, "create")[0],
             str(r.retries), *(_f(r.rss_peak_mib.get(n), 0) for n in ("worker", "api", "temporal")),
             *(_f(r.cpu_seconds.get(n)) for n in ("worker", "api", "temporal", "hr", "bench")),
             _f(r.load_avg_1m, 2)]
            for r in ringi
        ],
    )  # fmt: skip
    if bare:
        lines += [
            "",
            "bare Temporal: per document start + 3 updates, each awaiting one no-op local activity"
            " (default converter, in-process worker on its own task queue, same server)",
        ]
        lines += table(
            ["C", "docs", "done", "time s", "docs/s", "start p50", "p95", "p99", "update p50", "p95", "p99",
             "RSS MiB temporal", "bench", "CPU s temporal", "bench", "load"],
            [
                [str(b.concurrency), str(b.documents), str(b.completed), _f(b.seconds), _f(b.docs_per_second, 2),
                 *_p(b, "start"), *_p(b, "update"),
                 *(_f(b.rss_peak_mib.get(n), 0) for n in ("temporal", "bench")),
                 *(_f(b.cpu_seconds.get(n)) for n in ("temporal", "bench")), _f(b.load_avg_1m, 2)]
                for b in bare
            ],
        )  # fmt: skip
        lines += ["", "ratios ringi ÷ bare"]
        lines += table(
            ["C", "docs/s", "action p50 ÷ update p50", "action p99 ÷ update p99", "submit p50 ÷ start p50",
             "CPU/doc"],
            [
                [str(row["concurrency"]), _f(row["docs_per_second"], 2), _f(row["action_p50"], 2),
                 _f(row["action_p99"], 2), _f(row["submit_p50_vs_start_p50"], 2), _f(row["cpu_per_document"], 2)]
                for row in report["ratios"]
            ],
        )  # fmt: skip
    lines += [
        "",
        "CPU ms per decided document: ringi = API + worker + Temporal server + HR stub (the bench's HTTP client"
        " not counted); bare = Temporal server + bench (its client and in-process worker)",
    ]
    lines += table(
        ["C", "ringi api", "worker", "temporal", "hr", "total", "bare temporal", "bench", "total"],
        _cpu_rows(ringi, bare),
    )
    lines += ["", "targets (issue 11; stretch in brackets)"]
    for t in report["targets"]:
        stretch = "" if t["stretch"] is None else f" [{_mark(t['stretch']).strip()}]"
        lines.append(f"  {_mark(t['passed'])}{stretch:7} {t['name']:<62} {t['detail']}")
    lines += ["", "answers other than the expected status, retries (same Idempotency-Key), verification"]
    for r in ringi:
        v = r.verification
        lines.append(
            f"  ringi C={r.concurrency}: {_answers(r)}; retries {r.retries}; {v.get('approved')}/{v.get('documents')}"
            f" approved; audit sample {v.get('audit_ok')}/{v.get('audit_sample')} verified with exactly 3 approvals"
            f" -> {'OK' if r.ok() else 'FAILED'}"
        )
        lines += [f"      {n:4d} x {f}" for f, n in r.failures.items()]
    for b in bare:
        v = b.verification
        lines.append(
            f"  bare  C={b.concurrency}: {_answers(b)}; {b.completed}/{b.documents} completed; result sample"
            f" {v.get('completed_with_3_updates')}/{v.get('sample')} approved after 3 updates"
            f" -> {'OK' if b.ok() else 'FAILED'}"
        )
        lines += [f"      {n:4d} x {f}" for f, n in b.failures.items()]
    return "\n".join(lines)


def jsonable(value: Any) -> Any:
    """NaN -> None, dataclasses -> dicts, so the output is strict JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    return value
