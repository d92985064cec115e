"""The ``ringi`` command.

Every subcommand builds ``Settings()`` (``RINGI_*`` environment variables or ``.env``) and configures logging
when it starts; nothing happens at import, and the heavy modules are imported inside the commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections.abc import Coroutine
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from core.logging import configure_logging, get_logger
from core.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

app = typer.Typer(
    name="ringi",
    help="稟議: durable electronic approval for municipalities, on Temporal.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"ringi {version('ringi')}")
        raise typer.Exit()


@app.callback()
def main(
    _: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print ringi's version and exit.")
    ] = False,
) -> None:
    """稟議: durable electronic approval for municipalities, on Temporal."""


class StubName(StrEnum):
    """The systems we stand in for."""

    hr = "hr"
    finance = "finance"


def _settings(*, serving: bool = False) -> Settings:
    """The settings, or exit 2 with one line per missing or invalid setting (no traceback).

    ``serving`` (``ringi api``, ``ringi worker``): also refuse what is unfit to serve, the shipped JWT secret or
    a short one, a missing TOTP key (``Settings.production_problems``).  ``ringi dev`` gives its children
    secrets of its own (cli/dev.py ``dev_secrets``)."""
    try:
        settings = Settings()
    except ValidationError as exc:
        for line in setting_errors(exc):
            typer.echo(f"ringi: {line}", err=True)
        raise typer.Exit(code=2) from None
    problems = settings.production_problems() if serving else []
    for line in problems:
        typer.echo(f"ringi: {line}", err=True)
    if problems:
        raise typer.Exit(code=2)
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


#: Settings whose value an error message never repeats.
SECRET = re.compile(r"secret|password|token|key", re.IGNORECASE)


def setting_errors(exc: ValidationError) -> list[str]:
    """``RINGI_API_PORT: Input should be a valid integer (got 'abc')`` for each error, by environment name."""
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = f"RINGI_{field.upper()}"
        shown = field and not isinstance(error["input"], dict) and not SECRET.search(field)
        got = f" (got {error['input']!r})" if shown else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{name}: {message}{got}" if field else message)
    return lines


def _serve(fastapi_app: FastAPI, host: str, port: int, settings: Settings) -> None:
    """Serve with uvicorn, logging through our root logger; access lines only at DEBUG (they cost CPU)."""
    import uvicorn

    from core.serve import server_config

    config = server_config(
        fastapi_app,
        host=host,
        port=port,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=settings.log_level.upper() == "DEBUG",
        server_header=False,
    )
    uvicorn.Server(config).run()


def _run_until_signalled(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` and cancel it on SIGINT/SIGTERM, so it can shut down gracefully."""

    async def runner() -> None:
        task = asyncio.ensure_future(main)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(runner())


@app.command()
def dev() -> None:
    """Everything embedded: Temporal dev server, stubs, worker and API (what `make run` calls)."""
    from cli.dev import run_dev

    raise typer.Exit(run_dev(_settings(), echo=typer.echo))


@app.command()
def worker() -> None:
    """Run the Temporal worker until Ctrl-C or SIGTERM."""
    settings = _settings(serving=True)  # refuse bad settings before the seconds of importing the worker
    from core.telemetry import forward_temporal_core_logs
    from worker.main import run_worker

    forward_temporal_core_logs()
    get_logger("ringi.cli").info("worker.starting", task_queue=settings.temporal_task_queue)
    _run_until_signalled(run_worker(settings))


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Bind address [default: RINGI_API_HOST]")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port [default: RINGI_API_PORT]")] = None,
) -> None:
    """Serve the HTTP API and web inbox on RINGI_API_HOST:RINGI_API_PORT (or --host/--port)."""
    settings = _settings(serving=True)  # refuse bad settings before the seconds of importing the app
    _refuse_demo_accounts(settings)
    from api.app import create_app

    _serve(create_app(settings), host or settings.api_host, port or settings.api_port, settings)


def _refuse_demo_accounts(settings: Settings) -> None:
    """Exit 2 with one line while an active account still has the demo password (unless RINGI_ALLOW_DEMO)."""
    if settings.allow_demo:
        return
    from db.seed import accounts_with_demo_password

    try:
        found = asyncio.run(accounts_with_demo_password(settings))
    except Exception as exc:  # fail closed: an unreadable database is no proof that no demo password is left
        typer.echo(
            f"ringi: RINGI_DATABASE_URL: cannot check the accounts for demo passwords ({type(exc).__name__});"
            " is the database up and migrated (`ringi migrate`)?",
            err=True,
        )
        raise typer.Exit(code=2) from None
    if found:
        typer.echo(
            f"ringi: RINGI_ALLOW_DEMO: {found} active account(s) still have the demo password; reset or deactivate"
            " them (POST /v1/admin/staff/{id}/password-reset), or set RINGI_ALLOW_DEMO=1 for a trial run",
            err=True,
        )
        raise typer.Exit(code=2)


@app.command()
def migrate() -> None:
    """Bring ringi's database (RINGI_DATABASE_URL) up to the latest schema."""
    from db.migrate import upgrade
    from db.seed import sync_rulebooks

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    added = asyncio.run(sync_rulebooks(settings))  # the rulebook versions shipped in rules/rulebook/
    get_logger("ringi.cli").info("db.migrated", rulebooks_added=added)


@app.command()
def seed(
    staff: Annotated[
        int | None, typer.Option(min=1, help="Generate a city of at least this many staff [default: ~190]")
    ] = None,
    if_requested: Annotated[
        bool, typer.Option("--if-requested", help="Seed only when RINGI_SEED_DEMO=1 (docker-compose); else no-op.")
    ] = False,
) -> None:
    """Load the demo city (org, staff, demo accounts) into an empty database; no-op when already seeded."""
    from db.seed import seed_demo

    settings = _settings()
    if if_requested and not settings.seed_demo:
        get_logger("ringi.cli").info("db.seed_not_requested")
        return
    seeded = asyncio.run(seed_demo(settings, staff=staff))
    get_logger("ringi.cli").info("db.seeded" if seeded else "db.seed_skipped_already_seeded")


audit_app = typer.Typer(help="The audit trail (改ざん検知).", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Verify every document's audit hash chain; exit 1 and name each altered, missing or inserted event."""
    from db.repositories.audit import AuditRepository
    from db.session import create_engine, create_sessionmaker

    settings = _settings()

    async def verify() -> list[tuple[str, str | None]]:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return [(doc, check.problem) for doc, check in await AuditRepository(session).verify_all()]
        finally:
            await engine.dispose()

    results = asyncio.run(verify())
    broken = [(doc, problem) for doc, problem in results if problem is not None]
    for doc, problem in broken:
        typer.echo(f"TAMPERED  document {doc}: {problem}")
    typer.echo(f"{len(results)} chains checked, {len(results) - len(broken)} intact, {len(broken)} broken")
    if broken:
        raise typer.Exit(code=1)


@app.command()
def backup(
    directory: Annotated[Path, typer.Argument(help="A new (or empty) directory to write the backup into.")],
) -> None:
    """Back up ringi's database, the attachments and the 移管 archives, with a manifest and SHA-256 sums."""
    from datetime import UTC, datetime

    from cli.backup import BackupRefused, Places, create_backup, summary

    settings = _settings()
    try:
        manifest = create_backup(Places.of(settings), directory, now=datetime.now(UTC))
    except BackupRefused as exc:
        typer.echo(f"backup refused: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"backup written to {directory}: {summary(manifest)}")


@app.command()
def restore(
    directory: Annotated[Path, typer.Argument(help="A directory `ringi backup` wrote.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a database or files that hold data.")] = False,
) -> None:
    """Restore a backup (API and worker stopped); checks every file first; then run `ringi migrate`."""
    from cli.backup import BackupRefused, Places, restore_backup, summary

    settings = _settings()
    try:
        manifest = restore_backup(Places.of(settings), directory, force=force)
    except BackupRefused as exc:
        typer.echo(f"restore refused: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"restored from {directory}: {summary(manifest)}")


org_app = typer.Typer(help="The organisation (組織): 人事異動.", no_args_is_help=True)
app.add_typer(org_app, name="org")


@org_app.command("apply-transfer")
def apply_transfer(
    transfer_id: Annotated[str, typer.Argument(help="The transfer's id (POST /v1/org/transfers answered it).")],
    concurrency: Annotated[int, typer.Option(min=1, max=200, help="Documents updated at once.")] = 24,
) -> None:
    """Apply a 人事異動 now: new assignments into HR and ringi, pending steps to the new holders (idempotent)."""
    import time

    from activities.transfers import TransferApplier
    from core.errors import RingiError
    from core.temporal import connect_client
    from db.session import create_engine, create_sessionmaker
    from integrations.hr import HttpHrClient

    settings = _settings()

    async def run() -> None:
        engine = create_engine(settings.database_url)
        client = await connect_client(
            settings.temporal_address, settings.temporal_namespace, payload_keys=settings.temporal_payload_keys()
        )
        started = time.monotonic()
        try:
            async with HttpHrClient(settings.hr_url) as hr:
                applier = TransferApplier(create_sessionmaker(engine), hr, client, concurrency=concurrency)
                with typer.progressbar(length=1, label="reassigning documents") as bar:

                    def progress(done: int, total: int) -> None:
                        bar.length = max(total, 1)
                        bar.update(1)

                    result = await applier.apply(transfer_id, progress=progress)
        finally:
            await engine.dispose()
        typer.echo(
            f"transfer {result.transfer_id}: {result.status}; {result.reassigned_documents} documents reassigned, "
            f"{result.skipped_documents} skipped (finished meanwhile), {result.needs_decision} steps need a "
            f"decision by the records office; {time.monotonic() - started:.1f} s"
        )

    try:
        asyncio.run(run())
    except RingiError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(code=1) from exc


records_app = typer.Typer(
    help="Records (文書管理): the yearly disposal review (廃棄・移管の審査).", no_args_is_help=True
)
app.add_typer(records_app, name="records")


@records_app.command("schedule")
def records_schedule() -> None:
    """Create the yearly disposal review schedule (February 1, 09:00 JST) and the daily application of what has
    come due (00:05 JST) unless they exist."""
    from core.temporal import connect_client
    from worker.schedule import ensure_apply_schedule, ensure_disposal_schedule

    settings = _settings()

    async def ensure() -> bool:
        client = await connect_client(
            settings.temporal_address, settings.temporal_namespace, payload_keys=settings.temporal_payload_keys()
        )
        await ensure_apply_schedule(client, settings.temporal_task_queue)
        return await ensure_disposal_schedule(client, settings.temporal_task_queue)

    typer.echo("schedule created" if asyncio.run(ensure()) else "schedule already exists")


@records_app.command("review-now")
def records_review_now(
    fiscal_year: Annotated[
        int | None, typer.Option(help="年度 whose March 31 expiries to review [default: now]")
    ] = None,
) -> None:
    """Open the fiscal year's disposal review now (no second one if it is already open)."""
    from datetime import UTC, datetime

    from db.disposal_opening import open_review_once
    from db.session import create_engine, create_sessionmaker
    from schemas.disposal import OpenReviewRequest

    settings = _settings()

    async def run() -> tuple[str, int, bool, int]:
        engine = create_engine(settings.database_url)
        try:
            request = OpenReviewRequest(fiscal_year=fiscal_year, at=datetime.now(UTC), opened_by="cli")
            opened = await open_review_once(create_sessionmaker(engine), request)
        finally:
            await engine.dispose()
        return opened.review_id, opened.fiscal_year, opened.created, opened.item_count

    review_id, year, created, count = asyncio.run(run())
    state = "opened" if created else "already open"
    typer.echo(f"disposal review {review_id} of FY{year}: {state}, {count} documents")


files_app = typer.Typer(help="簿冊 (行政文書ファイル): the 年度 change.", no_args_is_help=True)
app.add_typer(files_app, name="files")


@files_app.command("open-year")
def files_open_year(
    fiscal_year: Annotated[int, typer.Option(min=1989, max=2200, help="The new 年度 (2027 = 令和9年度).")],
    by: Annotated[str, typer.Option(help="The records-office member opening them (staff id, 作成者 of the files).")],
) -> None:
    """Open the new 年度's files from last year's list (idempotent: a second run opens nothing new)."""
    from core.clock import today_in_japan
    from db.file_opening import NoTable, YearOpened, open_year
    from db.models import StaffRow
    from db.session import create_engine, create_sessionmaker

    settings = _settings()

    async def run() -> YearOpened:
        engine = create_engine(settings.database_url)
        try:
            sessions = create_sessionmaker(engine)
            async with sessions() as session:
                if await session.get(StaffRow, by) is None:
                    raise NoTable(f"there is no staff member {by!r}")
            with typer.progressbar(length=1, label="opening files") as bar:

                def progress(done: int, total: int) -> None:
                    bar.length = max(total, 1)
                    bar.update(1)

                return await open_year(sessions, fiscal_year, by=by, today=today_in_japan(), progress=progress)
        finally:
            await engine.dispose()

    try:
        opened = asyncio.run(run())
    except NoTable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(
        f"FY{opened.fiscal_year} under {opened.classification_version}: {opened.created} files opened, "
        f"{opened.existing} opened before, {len(opened.skipped)} skipped"
    )
    for source, reason in opened.skipped:
        typer.echo(f"  skipped {source}: {reason}")


@app.command()
def stub(
    name: Annotated[StubName, typer.Argument(help="Which system to stand in for.")],
    host: Annotated[str | None, typer.Option(help="Bind address [default: host of its RINGI_*_URL]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: port of its RINGI_*_URL]")] = None,
    staff: Annotated[
        int | None, typer.Option(min=1, help="HR: seed a city of this many staff (as `ringi seed`)")
    ] = None,
) -> None:
    """Serve the HR (人事給与) or finance (財務会計) stub at RINGI_HR_URL / RINGI_FINANCE_URL."""
    from cli.dev import url_host_port

    settings = _settings()
    url_host, url_port = url_host_port(settings.hr_url if name is StubName.hr else settings.finance_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _serve(_stub_app(name, settings, staff=staff), host or url_host, port or url_port, settings)


def _stub_app(name: StubName, settings: Settings, *, staff: int | None = None) -> FastAPI:
    db_path = settings.stub_db_path(name.value)
    if name is StubName.hr:
        from core.demo_city import generate_city
        from stubs.hr.app import create_app as create_hr_app

        size = staff or settings.demo_staff
        return create_hr_app(db_path, city=generate_city(staff=size or None))
    from stubs.finance.app import create_app as create_finance_app

    return create_finance_app(db_path)


if __name__ == "__main__":
    app()


@app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(help="A new (or empty) directory to write the CSV files into.")],
    fiscal_year: Annotated[
        int | None, typer.Option(min=1989, max=2200, help="Only this 年度 (its files and what is filed in them).")
    ] = None,
) -> None:
    """データ移行: write the city (or a 年度) as documented CSV files + attachments + manifest.json (SHA-256)."""
    from cli.migration import MigrationRefused, export_directory

    settings = _settings()
    try:
        exported = asyncio.run(export_directory(settings, directory, fiscal_year=fiscal_year))
    except MigrationRefused as exc:
        typer.echo(f"export refused: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    counts = ", ".join(f"{name} {n}" for name, n in exported.rows.items() if n)
    typer.echo(f"exported to {directory}: {counts}; {exported.attachments} attachment files")


@app.command("import")
def import_command(
    directory: Annotated[Path, typer.Argument(help="A directory of migration CSV files (docs/data-migration.md).")],
) -> None:
    """データ移行: check every row, then import all in one transaction, or nothing and a report of every problem."""
    import sys
    from datetime import UTC, datetime

    from cli.migration import MigrationRefused, import_directory

    settings = _settings()
    with typer.progressbar(length=1, label="importing", file=sys.stderr) as bar:  # the report alone on stdout

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(1)

        try:
            result = asyncio.run(import_directory(settings, directory, now=datetime.now(UTC), progress=progress))
        except MigrationRefused as exc:
            typer.echo(f"import refused: {exc}", err=True)
            raise typer.Exit(code=1) from exc
    if result.problems:
        for problem in result.problems:
            typer.echo(str(problem))
        typer.echo(f"{len(result.problems)} problem(s): nothing imported", err=True)
        raise typer.Exit(code=1)
    counts = ", ".join(f"{name} {n}" for name, n in result.written.items() if n)
    skipped = sum(result.skipped.values())
    typer.echo(f"imported from {directory}: {counts}; {skipped} rows already in ringi left as they were")
