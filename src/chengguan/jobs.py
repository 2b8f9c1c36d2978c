"""Background jobs of one process: the 督办 sweep of case sources, the 督查 sweep of overdue penalty cases, the
dispatch-acknowledgement timeout, the sealing of the evidence ledger's tail and the purge of spent portal login
codes, every minute.

Each job opens its own unit of work and is safe when several processes run it at once (conditional updates decide
who acts; see ``intake.supervision`` and ``dispatching.assignments``). ``chengguan sweep`` runs them once (cron)."""

from __future__ import annotations

import logging
import threading

from chengguan.core.db import Database

log = logging.getLogger(__name__)
INTERVAL_S = 60.0


def run_once(db: Database) -> dict[str, int]:
    """One pass of every job, each in its own transaction."""
    from chengguan.cases.supervision import sweep as sweep_cases
    from chengguan.dispatching.assignments import sweep_timeouts
    from chengguan.evidence.tasks import seal_job
    from chengguan.intake.supervision import sweep
    from chengguan.portal.service import purge_codes

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
    return {"supervised": supervised, "redispatched": redispatched, "cases_supervised": cases_supervised,
            "evidence_sealed": evidence_sealed, "portal_codes_purged": codes_purged}  # fmt: skip


class Scheduler:
    """Runs :func:`run_once` every ``interval`` seconds in a daemon thread until stopped."""

    def __init__(self, db: Database, interval: float = INTERVAL_S) -> None:
        self.db, self.interval = db, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="chengguan-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                run_once(self.db)
            except Exception:  # a failed pass must not kill the loop; the next pass retries
                log.exception("background jobs failed")
