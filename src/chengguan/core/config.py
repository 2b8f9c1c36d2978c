"""Process configuration: one pydantic-settings class, every variable prefixed ``CHENGGUAN_``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chengguan.core.clientaddr import Network, parse_proxies

DEV_SECRET = "dev-insecure-secret-change-me"
DEMO_OPEN311_KEY = "demo-open311-key"
AUDIT_RETENTION_MIN_DAYS = 180  # 网络安全法 第二十一条（三）: 网络日志留存不少于六个月


class FieldCipher(StrEnum):
    """The cipher new personal-data values are encrypted with (core.fieldcrypt); stored values name their own."""

    sm4 = "sm4"  # SM4-GCM, or SM4-CTR + HMAC-SM3 where the OpenSSL lacks SM4-GCM
    aes = "aes-256-gcm"


class Environment(StrEnum):
    dev = "dev"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    """Every knob of the platform; read once per process from the environment (and ``.env``)."""

    model_config = SettingsConfigDict(env_prefix="CHENGGUAN_", env_file=".env", extra="ignore")

    env: Environment = Environment.dev
    database_url: str = ""  # empty: an SQLite file in data_dir
    secret_key: str = DEV_SECRET
    data_dir: Path = Path("./data")
    now: datetime | None = None
    web_dist: Path | None = None

    token_ttl_minutes: int = 12 * 60
    token_idle_minutes: int = 30
    # Login throttle (identity.throttle): an account's failures before its back-off, the longest back-off, the
    # first back-off step; failures per client address in its window; how long failures are remembered.
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    login_backoff_seconds: int = 2
    login_address_failures: int = 10
    login_address_window_seconds: int = 60
    login_failure_memory_hours: int = 24
    # Passwords: length, zxcvbn score (0–4) at least, earlier passwords that may not be chosen again.
    password_min_length: int = 8
    password_min_score: int = 3
    password_history: int = 5

    # Request bodies (core.limits): JSON behind a login, public routes, multipart uploads; larger per route there.
    max_body_kb: int = 1024
    max_public_body_kb: int = 64
    max_upload_mb: int = 32

    dedup_radius_m: int = 50
    dedup_window_minutes: int = 60
    dispatch_ack_minutes: int = 5
    position_stale_minutes: int = 10
    arrival_radius_m: int = 200  # 到场 is accepted within this distance of the source (farther: a stated reason)
    # 轨迹回放 (dispatching.tracks_upkeep): every accepted fix is kept this many days, then deleted by the jobs.
    track_retention_days: int = Field(default=90, ge=1, le=3650)
    # Online base maps of the command map (mapping.tiles, docs/maps.md); none set: the offline base alone.
    # 天地图 key (vec_w + cva_w, WGS-84/CGCS2000 on Web Mercator); an AMap/Tencent-style GCJ-02 XYZ template (the
    # overlays are shifted to GCJ-02 while it shows); an intranet XYZ template ({z}/{x}/{y}) or WMTS KVP URL.
    tianditu_key: str = ""
    gcj02_tile_url: str = ""
    gcj02_tile_name: str = "高德地图"
    intranet_tile_url: str = ""
    intranet_tile_name: str = "内网底图"
    intranet_wmts_layer: str = ""  # set for a WMTS KVP endpoint (then intranet_tile_url is its base URL)
    device_fix_priority_minutes: int = 10  # a simulated fix is refused while the officer's phone reported this recently
    open311_api_keys: str = DEMO_OPEN311_KEY
    public_base_url: str = "http://127.0.0.1:8000"  # printed in the QR code of every document (核验地址)
    # Remedy periods printed on decisions (art. 59 (五)): set by the deployment from the Administrative
    # Reconsideration and Administrative Litigation Laws in force (not among the shipped reference texts).
    review_days: int = 60
    litigation_months: int = 6
    payment_account: str = "指定代收银行的非税收入汇缴专户，或扫描缴款码通过电子支付系统缴纳"
    evidence_batch_size: int = 64  # evidence ledger entries sealed under one Merkle root (the job seals the rest)
    evidence_max_upload_mb: int = 200  # largest evidence file accepted (body-camera video included)
    # 码上付 (payments): the channel orders go to (payments.gateway; "sim" is the local simulated gateway, refused in
    # production) and how long an order may be paid (never past the local midnight: the late fee grows then)
    payment_provider: str = "sim"
    payment_order_minutes: int = Field(default=120, ge=5, le=24 * 60)
    sms_adapter: str = "outbox"  # notify.sms.GATEWAYS: the local outbox unless a carrier gateway is plugged in
    sms_unreachable: str = ""  # outbox adapter: numbers that fail (comma-separated), to exercise the paper fallback
    # IoT bridge (iot.bridge): the broker (unset: `chengguan serve` runs no bridge; `chengguan iot-bridge` uses
    # mqtt://127.0.0.1:1883), the topics' root, the persistent session's client id, how long a reading may wait for
    # its batch, and how often the watchdog looks for silent devices.
    mqtt_url: str = ""
    mqtt_topic_root: str = "chengguan"
    mqtt_client_id: str = "chengguan-iot-bridge"
    iot_batch_ms: int = Field(default=20, ge=1, le=5000)
    iot_watchdog_s: float = Field(default=1.0, gt=0, le=600)
    # Readings kept raw this many months (iot.retention: older month partitions are archived to
    # ``data_dir/iot-archive`` as gzipped JSON lines and dropped; their hourly means stay in iot_reading_hourly),
    # and the months of partitions made ready ahead.
    iot_retention_months: int = Field(default=13, ge=1, le=120)
    iot_partitions_ahead: int = Field(default=3, ge=1, le=24)
    # Video patrol (video.alarms): a camera raising more alarms than this within an hour is throttled — the rest
    # of the hour's alarms are counted, not raised (a mis-drawn zone must not flood the command center).
    video_alarms_per_hour: int = Field(default=20, ge=1, le=10_000)
    # Proxies whose X-Forwarded-For / X-Real-IP are believed (core.clientaddr): comma-separated addresses or CIDR
    # networks, e.g. "127.0.0.1,::1" for nginx on the same machine. Empty: the direct peer is the client, always.
    trusted_proxies: str = ""
    # Audit log (audit.retention, audit.forward): entries younger than this are never archived out of the database
    # (网络安全法 第二十一条: network logs kept ≥ six months — lower values are refused); where each entry is also
    # sent as an RFC 5424 syslog message once committed ("host:port" UDP, or udp:// / tcp://host:port; empty: none).
    audit_retention_days: int = AUDIT_RETENTION_MIN_DAYS
    audit_syslog: str = ""
    run_jobs: bool = True  # the served app runs the background jobs (督办, dispatch timeouts) every minute
    jobs_interval_s: float = Field(default=60.0, gt=0)  # their interval (one process per interval runs them)
    # The analytics snapshot (analytics.snapshot, docs/analytics.md): how often the served app refreshes it (each
    # machine its own, under its data_dir; 0: never — then `chengguan analytics-snapshot` from cron, or live only).
    analytics_snapshot_s: float = Field(default=900.0, ge=0)
    # The big screen (analytics.screen): its bundle is recomputed at most this often per scope, and pushed to the
    # walls by server-sent events at this pace.
    analytics_screen_s: float = Field(default=15.0, gt=0, le=3600)
    # Operations (core.observe, core.logs): who may read /metrics (addresses or networks, or this bearer token),
    # and the log format (text for people, json for a log collector).
    metrics_allow: str = "127.0.0.1,::1"
    metrics_token: str = ""
    log_format: Literal["text", "json"] = "text"
    # Wake-ups between processes (core.bus): Redis pub/sub when set (e.g. redis://127.0.0.1:6379/0), else
    # PostgreSQL LISTEN/NOTIFY on PostgreSQL, else none (SQLite: one machine, polling).
    redis_url: str = ""
    # Scheduled backups (ops.scheduled): where (unset: none), how many to keep, from what local time each day, and
    # whether the served app takes them (off when a systemd timer or cron runs `chengguan backup` instead).
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1)
    backup_at: time = time(2, 30)
    backup_by_app: bool = True
    # Personal data at rest (core.fieldkeys, docs/operations.md「个人信息保护」): the cipher of new values, and
    # where the keyring is — inline JSON (a secret manager's variable) or a file, by default
    # data_dir/keys/field-keys.json (created by `chengguan migrate` outside production; production refuses to start
    # without it).
    field_cipher: FieldCipher = FieldCipher.sm4
    field_key: SecretStr | None = None
    field_key_file: Path | None = None
    # Seal and CA private keys (documents.signer): encrypted PKCS#8 under this passphrase (inline, or a file; by
    # default data_dir/keys/signing-passphrase outside production), or held by an external signer (密码机).
    signing_passphrase: SecretStr | None = None
    signing_passphrase_file: Path | None = None
    signer: str = "local"  # local | hsm
    signer_url: str = ""  # hsm: base URL of the signing service (POST {url}/sign, {url}/sm2-sign)
    signer_token: SecretStr | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_proxies(value)  # a typo must stop the start, not silently trust nobody (or everybody)
        return value

    @field_validator("audit_retention_days")
    @classmethod
    def _six_months_at_least(cls, value: int) -> int:
        if value < AUDIT_RETENTION_MIN_DAYS:
            raise ValueError(
                f"CHENGGUAN_AUDIT_RETENTION_DAYS 不得少于 {AUDIT_RETENTION_MIN_DAYS} 天"
                "（《网络安全法》第二十一条：网络日志留存不少于六个月）"
            )
        return value

    @field_validator("audit_syslog")
    @classmethod
    def _syslog_target(cls, value: str) -> str:
        syslog_target(value)  # a typo must stop the start, not silently send the log nowhere
        return value

    @field_validator("now")
    @classmethod
    def _now_has_offset(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("CHENGGUAN_NOW must carry a UTC offset, e.g. 2026-10-01T09:00:00+08:00")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # A forged token is a forged officer: production must never run on the published dev secret,
        # and a frozen clock would silently break every statutory deadline.
        if self.env is not Environment.dev and self.secret_key == DEV_SECRET:
            raise ValueError(f"CHENGGUAN_SECRET_KEY must be set outside dev (CHENGGUAN_ENV={self.env})")
        if self.env is Environment.production:
            if len(self.secret_key) < 32:
                raise ValueError("CHENGGUAN_SECRET_KEY must be a random value of ≥ 32 characters in production")
            if self.now is not None:
                raise ValueError("CHENGGUAN_NOW is refused in production")
            if "open311_api_keys" not in self.model_fields_set:
                self.open311_api_keys = ""  # the demo key is a dev default: production accepts only keys it was given
            if self.signer == "hsm" and not self.signer_url:
                raise ValueError("CHENGGUAN_SIGNER=hsm 须同时设置 CHENGGUAN_SIGNER_URL（签名服务器/密码机地址）")
            if DEMO_OPEN311_KEY in (key.strip() for key in self.open311_api_keys.split(",")):
                raise ValueError(
                    f"生产环境不得使用示范 Open311 密钥 {DEMO_OPEN311_KEY}："
                    "请在 CHENGGUAN_OPEN311_API_KEYS 中设置自己的密钥"
                )
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'chengguan.db').as_posix()}"
        return self

    @property
    def syslog(self) -> SyslogTarget | None:
        return syslog_target(self.audit_syslog)

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        return parse_proxies(self.trusted_proxies)

    @property
    def field_key_path(self) -> Path:
        return self.field_key_file or Path(self.data_dir) / "keys" / "field-keys.json"

    @property
    def signing_passphrase_path(self) -> Path:
        return self.signing_passphrase_file or Path(self.data_dir) / "keys" / "signing-passphrase"

    @property
    def dialect(self) -> str:
        return self.database_url.split(":", 1)[0].split("+", 1)[0]


@dataclass(frozen=True)
class SyslogTarget:
    host: str
    port: int
    tcp: bool


def syslog_target(value: str) -> SyslogTarget | None:
    """``host:port`` (UDP), ``udp://host:port`` or ``tcp://host:port`` → the target; empty → None; else ValueError."""
    text = value.strip()
    if not text:
        return None
    scheme, _, rest = text.rpartition("://")
    if scheme not in ("", "udp", "tcp"):
        raise ValueError(f"CHENGGUAN_AUDIT_SYSLOG：不支持的协议 {scheme!r}（udp 或 tcp）")
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"CHENGGUAN_AUDIT_SYSLOG：{value!r} 须为 主机:端口，例如 10.0.0.5:514")
    return SyslogTarget(host, int(port), scheme == "tcp")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()`` after changing the env)."""
    return Settings()
