"""Background jobs of one process: the 督办 sweep of case sources, the 督查 sweep of overdue penalty cases, the
dispatch-acknowledgement timeout, the sealing of the evidence ledger's tail, the purge of spent portal login codes,
the escalation of overdue rectifications to case sources and the payments' (late callbacks queried, receipts sealed,
yesterday reconciled once), every minute; and, when ``CHENGGUAN_BACKUP_DIR`` is set, the daily backup with its
retention (ops.scheduled); and the analytics snapshot every ``CHENGGUAN_ANALYTICS_SNAPSHOT_S`` (analytics.snapshot:
Parquet files for DuckDB, each machine its own).

Every worker of every machine schedules them; each minute's pass runs in the one process that claims that minute
(``core.lease``: a conditional UPDATE in the database), so the sweeps run once per minute however many workers
serve. Each job also opens its own unit of work and stays safe when several processes do run it at once
(``chengguan sweep`` from cron beside a server; conditional updates decide who acts, see ``intake.supervision`` and
``dispatching.assignments``)."""

from __future__ import annotations

import logging
import threading
import time

from chengguan.core import lease, observe
from chengguan.core.config import Settings
from chengguan.core.db import Database

log = logging.getLogger(__name__)
INTERVAL_S = 60.0
BACKUP_RETRY_S = 15 * 60.0
JOBS = "sweeps"
SLOT_EPOCH = 1_735_689_600  # 2025-01-01T00:00:00Z


def run_once(db: Database, settings: Settings | None = None) -> dict[str, int]:
    """One pass of every job, each in its own transaction."""
    from chengguan.cases.supervision import sweep as sweep_cases
    from chengguan.core.config import get_settings
    from chengguan.dispatching.assignments import sweep_timeouts
    from chengguan.dispatching.tracks_upkeep import purge_tracks
    from chengguan.evidence.tasks import seal_job
    from chengguan.intake.supervision import sweep
    from chengguan.payments import tasks as payments
    from chengguan.portal.service import purge_codes
    from chengguan.rectification.tasks import escalate_due

    settings = settings or get_settings()

    with db.session() as session, session.begin():
        redispatched = sweep_timeouts(session)
    with db.session() as session, session.begin():
        supervised = sweep(session).supervised
    with db.session() as session, session.begin():
        cases_supervised = sweep_cases(session)
    with db.session() as session, session.begin():
        evidence_sealed = seal_job(session)
    with db.session() as session, session.begin():
        codes_purged = purge_codes(session)
    with db.session() as session, session.begin():
        escalated = escalate_due(session)
    with db.session() as session, session.begin():
        tracks_purged = purge_tracks(session, settings.track_retention_days)
    return {"supervised": supervised, "redispatched": redispatched, "cases_supervised": cases_supervised,
            "evidence_sealed": evidence_sealed, "portal_codes_purged": codes_purged,
            "rectifications_escalated": escalated, "tracks_purged": tracks_purged,
            **payments.run(db, settings)}  # fmt: skip


class Scheduler:
    """Runs :func:`run_once` every ``interval`` seconds in a daemon thread until stopped; with a backup directory in
    ``settings``, a second thread checks as often whether the day's backup is due (a backup takes minutes on a big
    deployment and must not hold up the 督办 sweeps)."""

    def __init__(self, db: Database, settings: Settings | None = None, interval: float | None = None) -> None:
        if interval is None:
            interval = settings.jobs_interval_s if settings is not None else INTERVAL_S
        self.db, self.settings, self.interval = db, settings, interval
        self.runs = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, name="chengguan-jobs", daemon=True)]
        if settings is not None and settings.backup_dir is not None and settings.backup_by_app:
            self._threads.append(threading.Thread(target=self._backup_loop, name="chengguan-backup", daemon=True))
        if settings is not None and settings.analytics_snapshot_s > 0:
            self._threads.append(threading.Thread(target=self._snapshot_loop, name="chengguan-analytics", daemon=True))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            # Wall time (the business clock may be frozen: demo, tests), counted from 2025 so that the slot fits the
            # counter's 32-bit column for decades even with sub-second test intervals.
            slot = int((time.time() - SLOT_EPOCH) // self.interval)
            try:
                if not lease.claim(self.db, JOBS, slot):
                    continue  # another worker or machine runs this interval's pass
                done = run_once(self.db, self.settings)
                self.runs += 1
                observe.JOB_RUNS.labels(JOBS, "ok").inc()
                log.info("background jobs ran (slot %d): %s", slot, done)
            except Exception:  # a failed pass must not kill the loop; the next pass retries
                observe.JOB_RUNS.labels(JOBS, "failed").inc()
                log.exception("background jobs failed")

    def _snapshot_loop(self) -> None:
        """The analytics snapshot, every ``analytics_snapshot_s``: one writer per data_dir at a time (a file lock,
        analytics.snapshot), so each machine keeps its own copy however many workers it runs."""
        from chengguan.analytics.snapshot import take

        assert self.settings is not None
        delay = min(self.interval, self.settings.analytics_snapshot_s)  # the first soon after start
        while not self._stop.wait(delay):
            delay = self.settings.analytics_snapshot_s
            try:
                with self.db.session(write=False) as session:
                    done = take(session, self.settings.data_dir)
                if done is not None:
                    log.info("analytics snapshot %s written in %.1f s: %s", done.generation, done.seconds, done.rows)
            except Exception:  # a full disk: logged, tried again at the next interval
                log.exception("analytics snapshot failed")

    def _backup_loop(self) -> None:
        from chengguan.ops.scheduled import run_backup

        assert self.settings is not None
        while not self._stop.wait(self.interval):
            try:
                done = run_backup(self.settings)
            except Exception:  # a full disk or a missing pg_dump: logged, and tried again a while later
                log.exception("scheduled backup failed")
                self._stop.wait(BACKUP_RETRY_S)
                continue
            if done is not None:
                log.info("backup written to %s in %.1f s", done.path, done.seconds)
