"""docker-compose.yml and the Dockerfile stay consistent with Settings (no Docker needed: YAML only)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RINGI_SERVICES = ("ringi-migrate", "ringi-seed", "ringi-worker", "ringi-api", "hr-stub", "finance-stub")
EXPECTED_SERVICES = {
    "postgresql",
    "postgres-init",
    "temporal-schema",
    "temporal",
    "temporal-namespace",
    "temporal-ui",
    *RINGI_SERVICES,
}
#: ``${NAME:-default}``, ``${NAME:?message}`` or ``${NAME}`` (compose interpolation).
_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
_REQUIRED_PLACEHOLDER = "set-by-the-operator-0123456789abcdef"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def interpolate(value: str) -> str:
    """What compose would substitute with nothing set: defaults, or a placeholder for required variables."""

    def substitute(match: re.Match[str]) -> str:
        return match["arg"] if match["op"] in (":-", "-") else _REQUIRED_PLACEHOLDER

    return _INTERPOLATION.sub(substitute, value).replace("$$", "$")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): interpolate(str(value)) for key, value in env.items()}


def ringi_values(service: dict[str, Any]) -> dict[str, str]:
    """The service's RINGI_* variables as Settings keyword arguments."""
    return {key.removeprefix("RINGI_").lower(): value for key, value in environment(service).items()
            if key.startswith("RINGI_")}  # fmt: skip


def settings_of(service: dict[str, Any]) -> Settings:
    values: dict[str, Any] = ringi_values(service)
    return Settings(_env_file=None, **values)


def dependencies(service: dict[str, Any]) -> dict[str, str]:
    depends = service.get("depends_on", {})
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in depends.items()}


def test_expected_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert services.keys() >= EXPECTED_SERVICES


def test_every_image_is_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service.get("image")
        assert image, f"{name} has no image (ringi services name the image they build)"
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: image {image!r} has no tag"
        assert tag != "latest" and re.search(r"\d", tag), f"{name}: image {image!r} is not pinned"


def test_ringi_services_build_the_one_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    images = {services[name]["image"] for name in RINGI_SERVICES}
    assert len(images) == 1
    for name in RINGI_SERVICES:
        assert services[name]["build"]["dockerfile"] == "Dockerfile"


def test_every_ringi_variable_is_a_settings_field(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        unknown = set(ringi_values(service)) - set(Settings.model_fields)
        assert not unknown, f"{name}: RINGI_* variables that Settings ignores: {sorted(unknown)}"


@pytest.mark.parametrize("name", RINGI_SERVICES)
def test_ringi_variables_parse_as_settings(services: dict[str, dict[str, Any]], name: str) -> None:
    values = ringi_values(services[name])
    assert values, f"{name} sets no RINGI_* variable"
    settings = settings_of(services[name])
    for field, raw in values.items():
        parsed = getattr(settings, field)
        if isinstance(parsed, SecretStr):
            parsed = parsed.get_secret_value()
        assert str(parsed).lower() == raw.lower(), f"{name}: RINGI_{field.upper()}={raw!r} -> {parsed!r}"


def test_api_publishes_8000_on_all_interfaces(services: dict[str, dict[str, Any]]) -> None:
    api = services["ringi-api"]
    settings = settings_of(api)
    assert settings.api_host == "0.0.0.0"
    assert settings.api_port == 8000
    assert any(str(port).endswith(":8000") for port in api["ports"])


@pytest.mark.parametrize("name", ["ringi-worker", "ringi-api"])
def test_worker_and_api_wait_for_migrate_and_temporal(services: dict[str, dict[str, Any]], name: str) -> None:
    depends = dependencies(services[name])
    assert depends["ringi-migrate"] == "service_completed_successfully"
    assert depends["temporal"] == "service_healthy"
    assert depends["temporal-namespace"] == "service_completed_successfully"


def test_temporal_waits_for_its_schema(services: dict[str, dict[str, Any]]) -> None:
    assert dependencies(services["temporal"])["temporal-schema"] == "service_completed_successfully"
    assert "temporal-sql-tool" in str(services["temporal-schema"]["command"])


def test_ringi_database_is_not_temporals(services: dict[str, dict[str, Any]]) -> None:
    url = urlsplit(settings_of(services["ringi-api"]).database_url)
    assert url.scheme == "postgresql+asyncpg"
    temporal_env = environment(services["temporal"])
    temporal_databases = {temporal_env["DBNAME"], temporal_env["VISIBILITY_DBNAME"]}
    assert url.path.lstrip("/") not in temporal_databases
    assert url.username != temporal_env["POSTGRES_USER"]
    assert url.hostname == temporal_env["POSTGRES_SEEDS"]  # one server, separate databases


def test_all_ringi_services_agree(services: dict[str, dict[str, Any]]) -> None:
    shared = ("database_url", "temporal_address", "temporal_namespace", "hr_url", "finance_url")
    views = {name: settings_of(services[name]) for name in ("ringi-migrate", "ringi-worker", "ringi-api")}
    for field in shared:
        assert len({getattr(settings, field) for settings in views.values()}) == 1, field


def test_namespace_job_creates_ringis_namespace(services: dict[str, dict[str, Any]]) -> None:
    assert (
        environment(services["temporal-namespace"])["NAMESPACE"]
        == settings_of(services["ringi-worker"]).temporal_namespace
    )


def test_hosts_in_urls_are_services(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        values = ringi_values(service)
        hosts = {urlsplit(values[key]).hostname for key in ("database_url", "hr_url", "finance_url") if key in values}
        if "temporal_address" in values:
            hosts.add(values["temporal_address"].rpartition(":")[0])
        for key, value in environment(service).items():
            if key == "TEMPORAL_ADDRESS":
                hosts.add(value.rpartition(":")[0])
        assert hosts <= services.keys(), f"{name}: {hosts - services.keys()} are not services"


def test_stubs_listen_where_their_urls_point(services: dict[str, dict[str, Any]]) -> None:
    for name, url_field in (("hr-stub", "hr_url"), ("finance-stub", "finance_url")):
        service = services[name]
        url = urlsplit(getattr(settings_of(services["ringi-worker"]), url_field))
        assert url.hostname == name
        assert "0.0.0.0" in service["command"]
        assert str(url.port) in str(service["healthcheck"]["test"])


def test_ringi_commands_exist(services: dict[str, dict[str, Any]]) -> None:
    from cli.main import app

    commands = {command.name or command.callback.__name__ for command in app.registered_commands}  # type: ignore[union-attr]
    for name in RINGI_SERVICES:
        words = " ".join(services[name]["command"]).replace("&&", " ").split()
        used = {words[i + 1] for i, word in enumerate(words[:-1]) if word == "ringi"}
        assert used and used <= commands, f"{name} runs unknown ringi commands {used - commands}"


def ringi_commands(service: dict[str, Any]) -> set[str]:
    words = " ".join(service.get("command", [])).replace("&&", " ").split()
    return {words[i + 1] for i, word in enumerate(words[:-1]) if word == "ringi"}


def duration(text: str) -> timedelta:
    """A compose duration (``30s``, ``1m30s``)."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {text!r}"
    unit = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return timedelta(seconds=sum(float(n) * unit[u] for n, u in parts))


def test_temporal_images_are_the_server_the_tests_run_against(services: dict[str, dict[str, Any]]) -> None:
    """The dev server of the ``dev`` extra (what the suite runs) names its server and UI versions."""
    from cli.dev import find_temporal

    version = subprocess.run([str(find_temporal()), "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Server (?P<server>[\d.]+), UI (?P<ui>[\d.]+)", version)
    assert found, version
    for name, service in services.items():
        repository, _, tag = service["image"].rpartition(":")
        if repository in ("temporalio/server", "temporalio/admin-tools"):
            assert tag == found["server"], f"{name}: {service['image']}, the tests run server {found['server']}"
        elif repository == "temporalio/ui":
            assert tag == found["ui"], f"{name}: {service['image']}, the tests' CLI ships UI {found['ui']}"
    assert services["temporal"]["image"] == f"temporalio/server:{found['server']}"


def test_only_the_api_is_published_beyond_this_host(services: dict[str, dict[str, Any]]) -> None:
    """The Temporal UI has no sign-in: reachable from this host only."""
    assert services["temporal-ui"]["ports"], "the Temporal UI is published (on 127.0.0.1)"
    for name, service in services.items():
        if name == "ringi-api":
            continue
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"


def test_the_temporal_ui_is_read_only_and_on_this_host_only(services: dict[str, dict[str, Any]]) -> None:
    ui = services["temporal-ui"]
    assert environment(ui)["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert ui["ports"] and all(str(port).startswith("127.0.0.1:") for port in ui["ports"])


@pytest.mark.parametrize("name", ["ringi-worker", "ringi-api"])
def test_temporal_payloads_are_encrypted(services: dict[str, dict[str, Any]], name: str) -> None:
    """Every ringi service that talks to Temporal has the same required payload key."""
    raw = services[name].get("environment", {}).get("RINGI_TEMPORAL_PAYLOAD_KEY", "")
    assert ":?" in str(raw), f"{name}: RINGI_TEMPORAL_PAYLOAD_KEY must be required (${{...:?...}})"
    assert settings_of(services[name]).temporal_payload_keys(), name


def test_the_worker_reports_its_health_by_polling(services: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    test = services["ringi-worker"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1:] == ["python", "-m", "worker.health"]
    missing = subprocess.run([sys.executable, *test[2:], "--file", str(tmp_path / "none")], capture_output=True)
    assert missing.returncode == 1 and b"no heartbeat" in missing.stderr


def test_the_worker_is_given_time_to_finish_its_activities(services: dict[str, dict[str, Any]]) -> None:
    from worker.main import GRACEFUL_SHUTDOWN_TIMEOUT

    assert timedelta(0) < GRACEFUL_SHUTDOWN_TIMEOUT
    assert duration(services["ringi-worker"]["stop_grace_period"]) > GRACEFUL_SHUTDOWN_TIMEOUT


def test_the_demo_city_is_seeded_only_on_request(services: dict[str, dict[str, Any]]) -> None:
    """``ringi seed --if-requested`` does nothing unless RINGI_SEED_DEMO=1; unset, the API also refuses demo
    passwords (RINGI_ALLOW_DEMO follows RINGI_SEED_DEMO)."""
    seeding = [name for name, service in services.items() if "seed" in ringi_commands(service)]
    assert seeding == ["ringi-seed"]
    assert "--if-requested" in services["ringi-seed"]["command"]
    assert dependencies(services["ringi-seed"])["ringi-migrate"] == "service_completed_successfully"
    for name in ("ringi-seed", "ringi-api"):
        settings = settings_of(services[name])
        assert settings.seed_demo is False and settings.allow_demo is False, name
    raw = services["ringi-api"]["environment"]
    assert raw["RINGI_SEED_DEMO"] == raw["RINGI_ALLOW_DEMO"] == "${RINGI_SEED_DEMO:-false}"
    assert dependencies(services["ringi-api"])["ringi-seed"] == "service_completed_successfully"


def test_ringi_seed_if_requested_does_nothing_unless_asked(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    env = {"RINGI_DATA_DIR": str(tmp_path), "RINGI_SEED_DEMO": "false", "RINGI_LOG_JSON": "false"}
    result = CliRunner().invoke(app, ["seed", "--if-requested"], env=env)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "ringi.db").exists()


def test_migrations_run_before_anything_uses_ringis_database(services: dict[str, dict[str, Any]]) -> None:
    assert ringi_commands(services["ringi-migrate"]) == {"migrate"}
    users = [name for name, service in services.items() if "database_url" in ringi_values(service)]
    assert {"ringi-worker", "ringi-api", "ringi-seed"} <= set(users)
    for name in users:
        if name != "ringi-migrate":
            assert dependencies(services[name]).get("ringi-migrate") == "service_completed_successfully", name
