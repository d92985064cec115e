"""Settings: every knob comes from the environment with the prefix ``RINGI_`` (or a ``.env`` file)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.throttle import BackOff, Lock, SignInRules

#: The JWT secret ringi ships with: public, so only in-process runs (tests) use it; the commands refuse it.
DEV_JWT_SECRET = "dev-only-change-me-0123456789abcdef"
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    """ringi's configuration.  Build one with ``Settings()``; nothing reads it at import time."""

    model_config = SettingsConfigDict(env_prefix="RINGI_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path(".ringi"), description="Where embedded state lives (SQLite files).")
    database_url: str = Field(
        "", description="SQLAlchemy async URL of ringi's own database; empty = SQLite file in data_dir."
    )
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "ringi"
    temporal_ui_port: int = 8233

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    jwt_secret: SecretStr = Field(
        SecretStr(DEV_JWT_SECRET),
        min_length=32,
        description="Signs bearer tokens and web session cookies (>= 32 random bytes, e.g. `openssl rand -hex 32`);"
        " `ringi api` and `ringi worker` refuse the shipped default and short ones.",
    )
    jwt_previous_secrets: SecretStr = Field(
        SecretStr(""),
        description="Comma-separated secrets of before a rotation: tokens and cookies they signed still verify"
        " (until they expire); new ones are signed with RINGI_JWT_SECRET only.",
    )
    jwt_ttl_seconds: int = Field(
        8 * 3600, gt=0, description="Absolute lifetime of a session (token or cookie), however active it is."
    )
    session_idle_minutes: int = Field(
        30, gt=0, description="A session unused this long ends (自動サインアウト); each request extends it."
    )
    demo_password: str = "demo"
    seed_demo: bool = Field(
        False, description="`ringi seed --if-requested` (docker-compose) loads the demo city only when this is set."
    )
    allow_demo: bool = Field(
        False,
        description="Let `ringi api` start although an active account still has the demo password (a trial run"
        " only; `ringi dev` never asks).",
    )
    password_min_length: int = Field(12, ge=8, le=128, description="Fewest characters of a new password.")
    common_passwords_file: Path | None = Field(
        None, description="The city's list of refused common passwords; empty = rules/passwords/common.txt."
    )
    demo_staff: int | None = Field(None, gt=0, description="Size of the generated demo city (default: ~190).")

    hr_url: str = "http://127.0.0.1:8101"
    finance_url: str = "http://127.0.0.1:8102"

    action_timeout_seconds: float = Field(
        2.0, gt=0, description="How long an action may wait for the workflow before the API answers 503."
    )
    max_inflight_updates: int = Field(
        32,
        ge=0,
        description="Admission control: updating requests (POST, PUT, PATCH, DELETE) one API process works on at"
        " once; beyond it the API answers 503 + Retry-After at once, before anything is written (0 = no cap).",
    )
    overload_retry_after_seconds: int = Field(
        1, ge=1, le=60, description="The Retry-After of a request shed by admission control."
    )
    worker_max_cached_workflows: int = Field(
        20_000,
        ge=0,
        description="Workflows the worker keeps in memory between tasks (about 0.1 MiB each); one evicted from the"
        " cache is replayed from its history on its next task (an 人事異動 touches every document in flight).",
    )
    max_title_chars: int = 200
    max_body_chars: int = 100_000

    attachment_max_bytes: int = Field(30 * 1024 * 1024, gt=0, description="Largest attachment accepted (413 above).")
    attachments_dir: Path | None = Field(None, description="Where attachment files live; empty = data_dir/attachments.")
    pdf_font_path: Path | None = Field(
        None, description="A Japanese TrueType font for the 原議 PDF; empty = the IPAex明朝 ringi ships (core/ipaex/)."
    )
    numbering: Literal["at_drafting", "at_decision"] = Field(
        "at_decision",
        description="When a document takes its 文書番号: at submit (at_drafting) or at its decision (at_decision).",
    )
    reply_takes_receipt_number: bool = Field(
        False,
        description="Whether a reply drafted from a receipt takes the receipt's 収受番号 as its 文書番号"
        " (収受番号＝文書番号, as many cities do) instead of a number of its own.",
    )
    circulation_remind_after_days: int = Field(
        2, ge=1, description="供覧 of a receipt: business days (開庁日) after its start before the first reminder."
    )
    circulation_remind_every_days: int = Field(
        2, ge=1, description="供覧 of a receipt: business days between reminders to readers who have not read."
    )
    circulation_reminders: int = Field(3, ge=0, description="供覧 of a receipt: how many reminders at most.")
    reply_remind_days_before: tuple[int, ...] = Field(
        (3, 1),
        description="回答期限: business days before a receipt's reply_by when its assigned unit is reminded (a JSON"
        " list); the 課長 is alerted on the first business day after it.",
    )
    retention_years_allowed: tuple[int, ...] = Field(
        (0, 1, 3, 5, 10, 30), description="保存期間 classes in years (0 = 1年未満); 永年 is retention_permanent."
    )
    retention_permanent_allowed: bool = Field(True, description="Whether 永年 (permanent retention) may be chosen.")
    seals: tuple[str, ...] = Field(
        ("市長印", "副市長印", "教育長印", "総務課長印"), description="公印 that issuance may record in the 公印使用簿."
    )

    log_level: str = "INFO"
    log_json: bool = True

    # --- operations: traces and the worker's Temporal metrics are off while unset ---
    otel_endpoint: str = Field(
        "",
        validation_alias=AliasChoices("RINGI_OTEL_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "otel_endpoint"),
        description="OTLP/gRPC collector for traces (e.g. http://otel-collector:4317); empty = no tracing.",
    )
    otel_service_name: str = Field("ringi", description="service.name of the exported spans.")
    worker_metrics_address: str = Field(
        "", description="host:port where the worker serves the Temporal SDK's Prometheus metrics; empty = off."
    )

    # --- notifications (通知): a channel is off while its address is unset ---
    public_url: str = Field("http://127.0.0.1:8000", description="Base of the links notices carry.")
    chat_base_url: str = Field("", description="Slack-compatible Web API base (chat.postMessage); empty = off.")
    chat_token: SecretStr = SecretStr("")
    chat_webhook_url: str = Field("", description="Incoming webhook, used when no Web API base is set.")
    chat_max_confidentiality: int = Field(3, ge=0, le=3, description="Above this level nothing goes to chat.")
    smtp_host: str = Field("", description="SMTP server for mail notices; empty = off.")
    smtp_port: int = 25
    smtp_from: str = "ringi@localhost"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    confidentiality_names: dict[int, str] = Field(
        default_factory=lambda: {1: "機密性1", 2: "機密性2", 3: "機密性3"},
        description='What notices call each level, e.g. {"2": "重要性II", "3": "重要性I"} (JSON).',
    )
    notify_poll_seconds: float = Field(5.0, gt=0, description="How often the worker's dispatcher looks for work.")
    notify_max_attempts: int = Field(8, ge=1, description="Sends per channel before a notice is given up.")
    notify_retry_seconds: float = Field(30.0, gt=0, description="First retry delay; doubles, capped at an hour.")
    # Sign-in for telework (see api/services/auth.py).
    office_networks: str = Field(
        "127.0.0.0/8,::1/128",
        description="Comma-separated CIDRs of the office network; sign-in from elsewhere needs a second factor (TOTP).",
    )
    trusted_proxies: str = Field(
        "", description="Comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed; empty = none."
    )
    totp_issuer: str = "ringi"
    totp_encryption_key: SecretStr = Field(
        SecretStr(""),
        description="Key that seals TOTP secrets and keys the recovery-code hashes (>= 32 random bytes, apart from"
        " the JWT secret); required by `ringi api` and `ringi worker` (empty is allowed only in-process, in tests).",
    )
    totp_previous_keys: SecretStr = Field(
        SecretStr(""),
        description="Comma-separated TOTP keys of before a rotation: secrets and recovery codes they sealed still"
        " open (a secret is resealed with RINGI_TOTP_ENCRYPTION_KEY at its next use).",
    )
    lockout_threshold: int = Field(
        5,
        gt=0,
        description="Failed sign-ins of one staff id from one client address that lock that (id, address) pair: a"
        " guesser locks out their own address, not the staff member.",
    )
    lockout_account_threshold: int = Field(
        50,
        gt=0,
        description="Failed sign-ins of one staff id from every address together (within"
        " RINGI_THROTTLE_WINDOW_SECONDS) that lock the id for password-only sign-ins from outside the office network"
        " (a distributed brute force); the office network and sign-ins with a right second factor are not held"
        " back.  Keep it well above RINGI_LOCKOUT_THRESHOLD.",
    )
    lockout_minutes: int = Field(15, gt=0, description="How long a lock lasts (either kind).")
    temporal_payload_key: SecretStr = Field(
        SecretStr(""),
        description="Key (>= 32 bytes) that encrypts every Temporal payload (AES-256-GCM, core/payload_codec.py);"
        " empty = payloads in plain text.  Client and worker must have the same keys.",
    )
    temporal_payload_previous_keys: SecretStr = Field(
        SecretStr(""),
        description="Comma-separated payload keys of before a rotation: histories they sealed still open (new"
        " payloads are sealed with RINGI_TEMPORAL_PAYLOAD_KEY).",
    )
    codec_endpoint_enabled: bool = Field(
        False,
        description="Serve the Temporal codec endpoint (POST /codec/decode, /codec/encode) so administrators can read"
        " the encrypted payloads in the Temporal UI or CLI; off by default (404).",
    )
    codec_cors_origin: str = Field(
        "",
        description="The one origin (scheme://host:port of the Temporal UI, e.g. http://127.0.0.1:8233) allowed to"
        " call the codec endpoint from a browser; empty = no cross-origin access (the CLI needs none).",
    )
    throttle_address_free: int = Field(
        10, ge=0, description="Failed sign-ins from one client address (any staff id) before its back-off begins."
    )
    throttle_base_seconds: float = Field(
        1.0, gt=0, description="The first back-off wait; each further failure doubles it (exponential back-off)."
    )
    throttle_max_seconds: float = Field(900.0, gt=0, description="The longest back-off wait (Retry-After).")
    throttle_window_seconds: float = Field(
        3600.0, gt=0, description="Failures older than this are forgotten by the back-off."
    )

    # --- intake of online applications (電子申請の収受): see api/services/intake.py ---
    intake_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Shared HMAC-SHA256 secret per sending system, JSON: {"e-shinsei": "…"}; a source without one'
        " cannot post applications (401).",
    )
    intake_max_age_seconds: int = Field(300, gt=0, description="Oldest X-Ringi-Timestamp accepted (replay window).")
    intake_clock_skew_seconds: int = Field(60, ge=0, description="How far ahead of our clock a timestamp may be.")
    intake_attachment_max_bytes: int = Field(
        10 * 1024 * 1024, gt=0, description="Largest attachment of an application, decoded (422 above)."
    )
    intake_max_body_bytes: int = Field(
        32 * 1024 * 1024, gt=0, description="Largest request body on /v1/intake (413 above): base64 attachments, CSV."
    )
    intake_registrar_id: str = Field(
        "intake", min_length=1, max_length=40, description="The staff id that registers signed applications."
    )
    intake_rules_dir: Path | None = Field(
        None, description="Directory of the per-form mapping versions (YAML); empty = rules/intake/ shipped."
    )

    @model_validator(mode="after")
    def _default_database_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'ringi.db'}"
        return self

    def jwt_signing_secret(self) -> str:
        """The one secret that signs new tokens and cookies."""
        return self.jwt_secret.get_secret_value()

    def jwt_verifying_secrets(self) -> tuple[str, ...]:
        """The secrets a token or cookie may be signed with: the current one first, then the previous ones."""
        return (self.jwt_signing_secret(), *split_codes(self.jwt_previous_secrets.get_secret_value()))

    def totp_keys(self) -> tuple[str, ...]:
        """The TOTP keys, the current one (which seals) first.  Unset (only in-process: the commands refuse it),
        the JWT secret stands in."""
        current = self.totp_encryption_key.get_secret_value() or self.jwt_signing_secret()
        return (current, *split_codes(self.totp_previous_keys.get_secret_value()))

    def temporal_payload_keys(self) -> tuple[str, ...]:
        """The payload keys, the current one (which seals) first; empty when encryption is off."""
        current = self.temporal_payload_key.get_secret_value()
        if not current:
            return ()
        return (current, *split_codes(self.temporal_payload_previous_keys.get_secret_value()))

    def sign_in_rules(self) -> SignInRules:
        """The back-off of a client address and the two locks of a staff id (domain/throttle.py)."""
        window = timedelta(seconds=self.throttle_window_seconds)
        lock = {
            "duration": timedelta(minutes=self.lockout_minutes),
            "window": max(window, timedelta(minutes=self.lockout_minutes)),
        }
        return SignInRules(
            address=BackOff(
                free=self.throttle_address_free,
                base=timedelta(seconds=self.throttle_base_seconds),
                ceiling=timedelta(seconds=max(self.throttle_max_seconds, self.throttle_base_seconds)),
                window=window,
            ),
            pair=Lock(threshold=self.lockout_threshold, **lock),
            account=Lock(threshold=self.lockout_account_threshold, **lock),
        )

    def production_problems(self) -> list[str]:
        """What makes these settings unfit to serve (`ringi api`, `ringi worker`): one line per setting."""
        problems = []
        jwt_secret = self.jwt_signing_secret()
        if jwt_secret == DEV_JWT_SECRET:
            problems.append("RINGI_JWT_SECRET: the shipped default is public; set >= 32 random bytes")
        elif len(jwt_secret.encode()) < MIN_SECRET_BYTES:
            problems.append(f"RINGI_JWT_SECRET: shorter than {MIN_SECRET_BYTES} bytes")
        totp_key = self.totp_encryption_key.get_secret_value()
        if not totp_key:
            problems.append("RINGI_TOTP_ENCRYPTION_KEY: required (>= 32 random bytes, apart from RINGI_JWT_SECRET)")
        elif len(totp_key.encode()) < MIN_SECRET_BYTES:
            problems.append(f"RINGI_TOTP_ENCRYPTION_KEY: shorter than {MIN_SECRET_BYTES} bytes")
        elif totp_key in (jwt_secret, DEV_JWT_SECRET):
            problems.append("RINGI_TOTP_ENCRYPTION_KEY: must differ from RINGI_JWT_SECRET")
        payload_key = self.temporal_payload_key.get_secret_value()
        if payload_key and len(payload_key.encode()) < MIN_SECRET_BYTES:
            problems.append(f"RINGI_TEMPORAL_PAYLOAD_KEY: shorter than {MIN_SECRET_BYTES} bytes")
        if self.codec_endpoint_enabled and not payload_key:
            problems.append("RINGI_CODEC_ENDPOINT_ENABLED: needs RINGI_TEMPORAL_PAYLOAD_KEY (nothing to decode)")
        return problems

    def attachment_root(self) -> Path:
        return self.attachments_dir or self.data_dir / "attachments"

    @field_validator("codec_cors_origin")
    @classmethod
    def _an_origin(cls, value: str) -> str:
        if value and not _is_origin(value):
            raise ValueError("RINGI_CODEC_CORS_ORIGIN: not an origin (scheme://host[:port], no path)")
        return value

    @model_validator(mode="after")
    def _networks_parse(self) -> Settings:
        for name in ("office_networks", "trusted_proxies"):
            try:
                parse_networks(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"RINGI_{name.upper()}: {exc}") from exc
        return self

    def stub_db_path(self, name: str) -> Path:
        """Each stub keeps its own SQLite state beside ringi's."""
        return self.data_dir / f"stub-{name}.db"


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1/32"`` -> networks; a malformed entry is a configuration error (ValueError)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def split_codes(spec: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in spec.split(",") if part.strip())


def _is_origin(value: str) -> bool:
    """``scheme://host[:port]``, as a browser sends it in ``Origin`` (no path, query or trailing slash)."""
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https") and bool(parts.netloc) and not (parts.path or parts.query or parts.fragment)
    )
