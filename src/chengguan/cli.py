"""The ``chengguan`` command: serve, iot-bridge, video-worker, migrate, demo, simulate, sweep, create-admin,
verify-audit, verify-evidence, seal-evidence, export-anchors, backup, restore, init-keys, rotate-field-key, pay-sim
(and the audit log's audit-export, audit-archive: audit.commands)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from chengguan.audit import commands as audit_commands
from chengguan.core.config import Environment, get_settings

EX_CONFIG = 78  # sysexits.h: configuration error
app = typer.Typer(help="城管综合执法平台 Chengguan 命令行", no_args_is_help=True, add_completion=False)


@app.command()
def migrate() -> None:
    """Bring the database (CHENGGUAN_DATABASE_URL) to the latest schema."""
    from chengguan.core.db import Database
    from chengguan.core.migrate import upgrade
    from chengguan.law.seed import seed_knowledge_base

    settings = get_settings()
    url = settings.database_url
    keyring = _keyring(settings)
    upgrade(url, keyring=keyring)
    typer.echo(f"数据库已迁移到最新版本：{_safe(url)}")
    _protect_signing_keys(settings)
    db = Database(url, keyring=keyring)
    with db.session() as session, session.begin():
        added = seed_knowledge_base(session)
    db.dispose()
    if added.laws or added.matters or added.standards:
        typer.echo(
            f"法律知识库：新增法律法规 {added.laws} 部（{added.articles} 条）、"
            f"执法事项 {added.matters} 项、裁量基准 {added.standards} 套"
        )


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
    simulate: bool = typer.Option(False, "--simulate", help="同时运行模拟器（演示：人员定位与告警实时流入）"),
) -> None:
    """Serve the API and the web app (``--workers N``: N processes on one port, sharing the database; background
    jobs, caches and the live map stay correct across them — docs/operations.md)."""
    import uvicorn

    from chengguan.core.logs import config as log_config

    _refuse_unsafe_production()
    settings = get_settings()
    typer.echo(f"城管综合执法平台：http://{host}:{port}/   接口文档：http://{host}:{port}/api/docs")
    metrics_dir = _metrics_dir() if workers > 1 else None
    simulator = _start_simulator(f"http://{host}:{port}") if simulate else None
    bridge = _start_bridge() if get_settings().mqtt_url else None  # CHENGGUAN_MQTT_URL set: the IoT bridge too
    try:
        uvicorn.run(
            "chengguan.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_config=log_config(settings.log_format),
            access_log=settings.log_format != "json",  # JSON: core.observe writes one line per request instead
            # uvicorn's own X-Forwarded-For handling would rewrite the peer before the app sees it (and trusts
            # 127.0.0.1 by default): the app decides itself, from CHENGGUAN_TRUSTED_PROXIES (core.clientaddr).
            proxy_headers=False,
        )
    finally:
        if simulator is not None:
            simulator.terminate()
        if bridge is not None:
            bridge.terminate()
        if metrics_dir is not None:
            metrics_dir.cleanup()


def _metrics_dir():  # type: ignore[no-untyped-def]
    """prometheus_client's multiprocess mode: the workers write their samples to files in one directory that
    /metrics sums (set before the workers start, which inherit it); a fresh one per run unless the operator set it."""
    import os
    import tempfile

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    folder = tempfile.TemporaryDirectory(prefix="chengguan-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder.name
    return folder


def _refuse_unsafe_production() -> None:
    """Say plainly why production will not start (the app factory refuses too, with a traceback); exit 78
    (EX_CONFIG), which the systemd unit does not restart on."""
    from pydantic import ValidationError

    from chengguan.core.db import Database
    from chengguan.demo.guard import ProductionRefused, refuse_demo_logins

    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"配置错误：{error['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(EX_CONFIG) from exc
    if settings.env is not Environment.production:
        return
    from chengguan.ops.keys import key_problems

    for problem in key_problems(settings):
        typer.echo(problem, err=True)
        raise typer.Exit(EX_CONFIG)
    db = Database(settings.database_url)
    try:
        refuse_demo_logins(db)
    except ProductionRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EX_CONFIG) from exc
    finally:
        db.dispose()


def _start_simulator(url: str):  # type: ignore[no-untyped-def]
    """The demo simulator as a child process; it waits for the server and retries, so it can start first."""
    import subprocess

    return subprocess.Popen(
        [sys.executable, "-m", "chengguan", "simulate", "--url", url, "--alarms-per-minute", "3"],
        stdout=subprocess.DEVNULL,
    )


def _start_bridge():  # type: ignore[no-untyped-def]
    """The IoT bridge as a child process: one MQTT session however many API workers serve (its own process, as
    ``chengguan iot-bridge`` runs it when scaled out)."""
    import subprocess

    return subprocess.Popen([sys.executable, "-m", "chengguan", "iot-bridge"])


@app.command("iot-bridge")
def iot_bridge() -> None:
    """Run the IoT bridge alone: MQTT (CHENGGUAN_MQTT_URL, default mqtt://127.0.0.1:1883) → readings → rules →
    alarms."""
    import logging
    import signal

    import chengguan.models  # noqa: F401  every table: evidence rows refer to cases the bridge never loads
    from chengguan.core.db import Database
    from chengguan.iot.bridge import DEFAULT_URL, Bridge

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    db = Database(settings.database_url)
    bridge = Bridge(settings, db)
    signal.signal(signal.SIGTERM, lambda *_: bridge.request_stop())
    typer.echo(f"物联网桥接：{settings.mqtt_url or DEFAULT_URL}，主题根 {settings.mqtt_topic_root}/")
    try:
        bridge.run()
    finally:
        db.dispose()


@app.command("iot-maintain")
def iot_maintain() -> None:
    """IoT readings upkeep (the bridge runs it hourly; this is for cron): month partitions ahead (PostgreSQL), the
    hourly history, readings past CHENGGUAN_IOT_RETENTION_MONTHS archived to data_dir/iot-archive and dropped."""
    import chengguan.models  # noqa: F401
    from chengguan.core import clock
    from chengguan.core.db import Database
    from chengguan.iot.retention import maintain

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        report = maintain(db, settings, clock.now())
    finally:
        db.dispose()
    typer.echo(
        f"小时历史 {report.hours} 条；新建分区 {len(report.partitions_made)} 个；"
        f"归档 {sum(report.archived.values())} 条"
        f"（{', '.join(report.archived) or '无'}）；删除分区 {len(report.dropped)} 个、读数 {report.deleted} 条"
    )


@app.command()
def demo(
    reset: bool = typer.Option(False, "--reset", help="先清空已有数据再载入"),
    if_empty: bool = typer.Option(False, "--if-empty", help="数据库已有数据时什么都不做"),
) -> None:
    """Load the demo city (deterministic) and print its logins."""
    from chengguan.core.db import Database
    from chengguan.core.migrate import upgrade
    from chengguan.core.progress import Bars
    from chengguan.demo.loader import load_demo, print_logins

    if get_settings().env is Environment.production:
        typer.echo("生产环境（CHENGGUAN_ENV=production）禁止载入或重置示范数据：它会清空真实数据，"
                   "并建立密码公开的示范账号。", err=True)  # fmt: skip
        raise typer.Exit(1)
    url = get_settings().database_url
    keyring = _keyring(get_settings())
    upgrade(url, keyring=keyring)  # a fresh database needs no separate `chengguan migrate`
    db = Database(url, keyring=keyring)
    try:
        with Bars() as bars:
            result = load_demo(db, reset=reset, if_empty=not reset, progress=bars)
    finally:
        db.dispose()
    if result is None:
        typer.echo("数据库中已有数据，跳过示范城市载入（使用 chengguan demo --reset 重新载入）。")
    else:
        typer.echo(result.summary())
    print_logins()


@app.command()
def simulate(
    url: str = typer.Option("http://127.0.0.1:8000", help="运行中的服务地址"),
    username: str = typer.Option("command", help="有 signal:write 权限的账号"),
    password: str = typer.Option("Command@2026", help="密码"),
    seconds: float = typer.Option(0, help="运行秒数，0 表示一直运行直到 Ctrl-C"),
    interval: float = typer.Option(2.0, help="定位上报间隔（秒）"),
    alarms_per_minute: float = typer.Option(6.0, help="每分钟告警与投诉数"),
    seed: int = typer.Option(0, help="随机种子（0 为随机）"),
) -> None:
    """Stream officer GPS and a realistic mix of alarms and complaints into a running server (demo map)."""
    from chengguan.simulate import run

    run(
        url=url,
        username=username,
        password=password,
        seconds=seconds,
        interval=interval,
        alarms_per_minute=alarms_per_minute,
        seed=seed or None,
        echo=typer.echo,
    )


@app.command()
def sweep() -> None:
    """Run the background jobs once: 督办 of overdue case sources, 督查 of overdue cases, re-dispatch of tasks."""
    from chengguan.core.db import Database
    from chengguan.jobs import run_once

    db = Database(get_settings().database_url)
    try:
        result = run_once(db)
    finally:
        db.dispose()
    typer.echo(
        f"案源超期督办 {result['supervised']} 件，案件超期转督查 {result['cases_supervised']} 件，"
        f"派遣超时改派 {result['redispatched']} 件，证据账本封存 {result['evidence_sealed']} 批"
    )


@app.command("pay-sim")
def pay_sim(
    order_no: str = typer.Argument(..., help="缴款单号（POST /api/v1/cases/{id}/payment-orders 返回的 order_no）"),
    url: str = typer.Option("http://127.0.0.1:8000", "--url", help="运行中的服务器地址"),
) -> None:
    """Pay an order at the simulated gateway of a running server and send its signed callback (dev/test only)."""
    from chengguan.payments.simulated.paysim import pay_and_notify

    outcome = pay_and_notify(url, order_no)
    if outcome.ok:
        amount = f"{outcome.amount_fen / 100:.2f}"
        typer.echo(f"{order_no}：{outcome.message}，金额 {amount} 元，交易号 {outcome.transaction_id}")
        return
    typer.echo(f"{order_no}：{outcome.message}", err=True)
    raise typer.Exit(1)


@app.command("analytics-snapshot")
def analytics_snapshot(
    full: bool = typer.Option(False, "--full", help="全量重建（默认只重导有新增或变更的月份）"),
) -> None:
    """Write the analytics snapshot: the case sources and cases as Parquet under data_dir/analytics (DuckDB reads it
    for the analytics page and the big screen; docs/analytics.md)."""
    import chengguan.models  # noqa: F401  every table: the case rows refer to merchants, matters, units
    from chengguan.analytics.snapshot import take
    from chengguan.core.db import Database

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session(write=False) as session:
            manifest = take(session, settings.data_dir, full=full)
    finally:
        db.dispose()
    if manifest is None:
        typer.echo("另一个进程正在生成统计快照，本次跳过")
        return
    rows = "，".join(f"{name} {n} 行" for name, n in manifest.rows.items())
    typer.echo(f"统计快照已生成（{manifest.generation}，{rows}，用时 {manifest.seconds:.1f} 秒）")


@app.command("create-admin")
def create_admin(
    username: str = typer.Option(..., "--username"),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True),
    duty: str = typer.Option(
        "system", "--duty", help="三员之一：system 系统管理员 / security 安全管理员 / audit 安全审计员"
    ),
) -> None:
    """Create (or reset) one of the three administrators (三员分立): system, security or audit."""
    from chengguan.core.db import Database
    from chengguan.core.errors import DomainError
    from chengguan.identity.bootstrap import ensure_admin
    from chengguan.identity.separation import DUTY_LABELS, Duty

    if duty not in Duty.__members__:
        typer.echo("--duty 须为 system、security 或 audit", err=True)
        raise typer.Exit(2)
    db = Database(get_settings().database_url)
    try:
        with db.session() as session, session.begin():
            created = ensure_admin(session, get_settings(), username=username, password=password, duty=Duty(duty))
    except DomainError as exc:
        typer.echo(f"失败：{exc.detail}", err=True)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    typer.echo(f"{DUTY_LABELS[Duty(duty)]} {username} 已{'创建' if created else '更新'}。")


@app.command("verify-audit")
def verify_audit(
    archives: Path | None = typer.Option(
        None, "--archives", help="同时校验此目录中的审计归档文件（audit-archive 写出）"
    ),
) -> None:
    """Verify the audit hash chain (from the archive checkpoint, if any); exit 1 naming the first broken entry."""
    from chengguan.core.db import Database
    from chengguan.ops.checks import audit_check

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        check = audit_check(db)
        if check.ok and archives is not None:
            from chengguan.audit.retention import verify_archives

            with db.session(write=False) as session:
                files = verify_archives(session, settings, archives)
            for message in files.messages:
                typer.echo(message, err=not files.ok)
            if not files.ok:
                raise typer.Exit(1)
    finally:
        db.dispose()
    typer.echo(check.message, err=not check.ok)
    if not check.ok:
        raise typer.Exit(1)


@app.command("verify-evidence")
def verify_evidence(
    item: str | None = typer.Option(None, "--item", help="只校验这一件证据（证据 id）"),
    files: bool = typer.Option(True, "--files/--no-files", help="重新计算每个证据文件的 SHA-256 与 SM3"),
    anchors: Path | None = typer.Option(None, "--anchors", help="同时与此公证锚定文件（export-anchors 写出）比对"),
) -> None:
    """Verify the evidence ledger and store; exit 1 naming the first broken item (seq, item id, reason)."""
    import uuid

    from chengguan.core.db import Database
    from chengguan.evidence import ledger_db, service
    from chengguan.evidence.anchors import FileAnchorSink, check_anchors
    from chengguan.evidence.models import EvidenceItem
    from chengguan.ops.checks import evidence_break

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session(write=False) as session:
            if item:
                try:
                    found = session.get(EvidenceItem, uuid.UUID(item))
                except ValueError:
                    found = None
                if found is None:
                    typer.echo(f"证据不存在：{item}", err=True)
                    raise typer.Exit(2)
                report = service.verify_one(session, settings, found)
                checked, seconds = f"证据 {item}（存证序号 {found.ledger_seq}）", None
            else:
                check = service.verify_all(session, settings, files=files)
                report, seconds = check.report, check.seconds
                checked = f"{report.checked} 条账本记录、{report.blobs_checked} 个文件、{report.batches_checked} 个批次"
            brk = report.first_break
            if brk is None and anchors is not None:
                brk = check_anchors(ledger_db.batches(session), FileAnchorSink(anchors).records())
    finally:
        db.dispose()
    if brk is None:
        took = f"，用时 {seconds:.2f} 秒" if seconds is not None else ""
        typer.echo(f"证据存证完整：已校验 {checked}{took}。")
        return
    typer.echo(evidence_break(brk), err=True)
    raise typer.Exit(1)


@app.command("seal-evidence")
def seal_evidence() -> None:
    """Seal the evidence ledger's unsealed entries under Merkle roots now (the served app does it every minute)."""
    from chengguan.core.db import Database
    from chengguan.evidence import ledger_db

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session, session.begin():
            sealed = ledger_db.seal_pending(session, batch_size=settings.evidence_batch_size)
    except ledger_db.LedgerBroken as exc:
        typer.echo(f"未封存：{exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    last = f"，封存至序号 {sealed[-1].last_seq}" if sealed else ""
    typer.echo(f"证据账本已封存 {len(sealed)} 个批次{last}。")


@app.command("export-anchors")
def export_anchors_command(path: Path = typer.Argument(..., help="公证锚定文件（JSON Lines，追加写入）")) -> None:
    """Append every sealed batch root of the evidence ledger to PATH (for a notary / blockchain service)."""
    from chengguan.core.db import Database
    from chengguan.evidence.tasks import export_anchors

    db = Database(get_settings().database_url)
    try:
        with db.session() as session, session.begin():
            result = export_anchors(session, path)
    finally:
        db.dispose()
    if result.conflict is not None:
        brk = result.conflict
        typer.echo(f"与已公证记录不符：批次自序号 {brk.seq} 起，原因 {brk.reason.value}：{brk.message}", err=True)
        raise typer.Exit(1)
    typer.echo(f"已写出 {result.published} 个批次根（{result.already} 个此前已公证）：{path}")


@app.command("video-worker")
def video_worker(
    config: Path = typer.Argument(..., help="分析进程配置文件（TOML：模型、类别映射、摄像机，见 docs/api-video.md）"),
) -> None:
    """Analyse camera streams (RTSP or files): motion gating, the operator's ONNX detector, tracking, the event
    engine; a bad model, class map or camera code is refused at start (exit 78)."""
    import logging

    from chengguan.core.db import Database
    from chengguan.video.worker import ConfigError, ModelError, Worker, load_config

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(threadName)s %(levelname)s %(message)s")
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        worker = Worker(load_config(config), db, settings)
    except (ConfigError, ModelError) as exc:
        db.dispose()
        typer.echo(f"视频分析进程未启动：{exc}", err=True)
        raise typer.Exit(EX_CONFIG) from None
    try:
        stats = worker.run()
    finally:
        db.dispose()
    for loop, s in zip(worker.loops, stats, strict=True):
        counts = f"抽帧 {s.frames}，检测 {s.detections_run} 次，告警 {s.alarms} 条，重连 {s.reconnects} 次"
        typer.echo(f"{loop.camera.code}：{counts}")


@app.command()
def backup(
    directory: Path | None = typer.Argument(
        None,
        help="备份目录（新目录或空目录）；省略时写入 CHENGGUAN_BACKUP_DIR 下带时间戳的子目录并清理超出保留份数的旧备份",
    ),
) -> None:
    """Back up the database, the stored files and keys, with a manifest of SHA-256 digests (server may keep running)."""
    from chengguan.core.progress import Bars
    from chengguan.ops.backup import create_backup
    from chengguan.ops.manifest import BackupError
    from chengguan.ops.scheduled import run_backup

    settings = get_settings()
    try:
        with Bars() as bars:
            if directory is None:
                result = run_backup(settings, only_if_due=False, progress=bars)
            else:
                result = create_backup(settings, directory, bars)
    except BackupError as exc:
        typer.echo(f"备份失败：{exc}", err=True)
        raise typer.Exit(1) from exc
    if result is None:
        typer.echo(f"另一个进程正在备份到 {settings.backup_dir}，本次未执行。", err=True)
        raise typer.Exit(1)
    m = result.manifest
    typer.echo(f"备份完成：{result.path}（{m.database_kind} 数据库版本 {m.alembic_revision}，{len(m.files)} 个文件，"
               f"{m.total_bytes / 1e6:.1f} MB，用时 {result.seconds:.1f} 秒）")  # fmt: skip


@app.command()
def restore(
    directory: Path = typer.Argument(..., help="chengguan backup 写出的备份目录"),
    force: bool = typer.Option(False, "--force", help="覆盖已有数据（数据库与数据目录）"),
) -> None:
    """Check a backup against its manifest, restore it, then verify the audit chain and the evidence ledger.

    Stop the service first; exit 1 naming the first problem (nothing is changed when the backup is damaged)."""
    from chengguan.core.clock import SHANGHAI
    from chengguan.core.progress import Bars
    from chengguan.ops.manifest import BackupError
    from chengguan.ops.restore import restore_backup

    try:
        with Bars() as bars:
            result = restore_backup(get_settings(), directory, force=force, progress=bars)
    except BackupError as exc:
        typer.echo(f"恢复失败：{exc}", err=True)
        raise typer.Exit(1) from exc
    m = result.manifest
    typer.echo(
        f"已恢复 {m.finished_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S} 的备份"
        f"（{len(m.files)} 个文件，用时 {result.seconds:.1f} 秒）。"
    )
    if result.migrated_from:
        typer.echo(f"数据库已从版本 {result.migrated_from} 迁移到当前版本。")
    for check in result.checks:
        typer.echo(check.message)


audit_commands.register(app)  # audit-export, audit-archive


@app.command("init-keys")
def init_keys() -> None:
    """Create the personal-data keyring and the seal-key passphrase where the settings say, if missing (production
    installs run this once, then keep both as the operations guide says; dev gets them from `chengguan migrate`)."""
    from chengguan.models import Base
    from chengguan.ops.keys import KeyRefused
    from chengguan.ops.keys import init_keys as create

    try:
        lines = create(get_settings(), Base.metadata)
    except KeyRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    for line in lines:
        typer.echo(line)


@app.command("rotate-field-key")
def rotate_field_key(
    retire: bool = typer.Option(False, "--retire", help="完成后移除不再被任何数据使用的旧密钥"),
) -> None:
    """Add a new personal-data key, make it current and re-encrypt every value with it (the service may keep running:
    it reads the new key when it first meets it; restart it so that new values use it too)."""
    from chengguan.core.fieldkeys import FieldKeyMissing
    from chengguan.core.progress import Bars
    from chengguan.models import Base
    from chengguan.ops.keys import rotate

    try:
        with Bars() as bars:
            report = rotate(get_settings(), Base.metadata, retire=retire, progress=bars)
    except FieldKeyMissing as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EX_CONFIG) from exc
    for line in report:
        typer.echo(line)


def _keyring(settings):  # type: ignore[no-untyped-def]
    """The personal-data keyring (created outside production when missing); exit 78 naming what is missing."""
    from chengguan.core.fieldkeys import FieldKeyMissing, load_keyring

    try:
        return load_keyring(settings, create=True)
    except FieldKeyMissing as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EX_CONFIG) from exc


def _protect_signing_keys(settings) -> None:  # type: ignore[no-untyped-def]
    from chengguan.ops.keys import protect_signing_keys

    protected = protect_signing_keys(settings)
    if protected:
        typer.echo(f"已用口令加密 {protected} 个明文签章私钥文件（{settings.data_dir}/keys）。")


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:  # pragma: no cover
    sys.exit(app())
