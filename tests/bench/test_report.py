"""The bench's own arithmetic: CPU per decided document, the ratios and targets, and the profile's shares."""

from __future__ import annotations

from bench.measure import Latency, LevelResult
from bench.profile import load_collapsed
from bench.report import ratios, render_text, targets


def level(system: str, c: int, docs_per_second: float, p50: float, p99: float, cpu: dict[str, float]) -> LevelResult:
    kind = "action" if system == "ringi" else "update"
    latency = Latency(count=10, p50=p50, p95=p99, p99=p99, mean=p50, max=p99)
    return LevelResult(
        system=system,
        concurrency=c,
        documents=10,
        completed=10,
        seconds=10 / docs_per_second,
        docs_per_second=docs_per_second,
        latency_ms={kind: latency},
        unexpected={},
        retries=0,
        failures={},
        rss_peak_mib={},
        cpu_seconds=cpu,
        load_avg_1m=1.0,
        verification={"ok": True},
    )


def test_cpu_per_document_ratios_and_targets() -> None:
    ringi = [
        level("ringi", 1, 2.0, 20.0, 40.0, {"api": 1.0, "worker": 2.0, "temporal": 1.0, "hr": 0.5, "bench": 9.0}),
        level("ringi", 10, 5.0, 100.0, 300.0, {"api": 1.0, "worker": 2.0, "temporal": 1.0, "hr": 0.5}),
    ]
    bare = [
        level("bare", 1, 4.0, 10.0, 20.0, {"temporal": 0.5, "bench": 0.5}),
        level("bare", 10, 10.0, 50.0, 100.0, {"temporal": 0.5, "bench": 0.5}),
    ]
    assert ringi[0].cpu_ms_per_document(("api", "worker", "temporal", "hr"))["total"] == 450.0  # bench not counted
    rows = ratios(ringi, bare)
    assert [round(r["docs_per_second"], 2) for r in rows] == [0.5, 0.5]
    assert rows[1]["action_p99"] == 3.0 and rows[1]["cpu_per_document"] == 4.5
    by_name = {t.name.split(" ")[0] + t.name.split(" ")[1]: t for t in targets(ringi, bare)}
    assert by_name["docs/sat"].passed is False  # 0.5 < 0.6
    assert by_name["actionp50"].passed is True  # 20 ms <= 25 ms
    assert by_name["actionp99"].passed is False  # 3 x > 2 x
    report = {
        "started_at": "now",
        "machine": {k: "-" for k in ("cpu_count", "cpu_affinity", "cpu_model", "mem_total_gib", "load_avg_1m",
                                     "python", "temporalio", "temporal_cli")},
        "stack": {k: "-" for k in ("database", "data_dir", "api_url", "temporal_address", "action_timeout_seconds",
                                   "log_level")},
        "ratios": rows,
        "targets": [t.__dict__ for t in targets(ringi, bare)],
    }  # fmt: skip
    assert "CPU ms per decided document" in render_text(report, ringi, bare)


def test_profile_shares_count_each_function_once_per_stack() -> None:
    profile = load_collapsed(
        [
            "main (cli/main.py:1);run (activities/projection.py:10);execute (sqlalchemy/engine/base.py:5) 3\n",
            "main (cli/main.py:1);run (activities/projection.py:10);run (activities/projection.py:10) 1\n",
            "main (cli/main.py:1);select (selectors.py:1) 6\n",
        ]
    )
    assert profile.samples == 10
    ours = dict((f.label, n) for f, n in profile.ours())
    assert ours == {"run (activities/projection.py)": 4}  # main is in every sample: an entry point, left out
    assert profile.leaf_package["sqlalchemy"] == 3 and profile.leaf_package["selectors"] == 6
