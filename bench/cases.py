"""Penalty cases at scale: the case list, an action and the 督查 sweep with ``--cases`` (default 1,000,000) cases.

A freshly migrated demo database (temporary SQLite file, or a throwaway schema of ``--database-url``) gets
``--cases`` synthetic cases spread over the demo squads, three years and every state (most archived, ~15 % running,
~2 % of all overdue and not yet escalated), two handling officers each, inserted in bulk. Then, through the same
service code the API calls (``cases.read.list_cases``, ``cases.service.act``, ``cases.supervision.sweep``), each in
its own unit of work like a request:
  (a) the list page (filters + overdue-first sort + total) for the demo users of every data scope — city admin,
      district leader, squad leader, officer — unfiltered, by status, overdue only and by keyword: p50/p95/max;
  (b) an action: ``start_check`` then ``submit_filing`` on registered cases of the demo officer (commit included);
  (c) the 督查 sweep over all open cases, with its commit.
Targets: list p95 ≤ 200 ms, action p95 ≤ 50 ms, sweep ≤ 5 s, on SQLite and on PostgreSQL. Run:
    .venv/bin/python bench/cases.py [--cases 1000000] [--runs 30]
    .venv/bin/python bench/cases.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import contextlib
import math
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from chengguan import app  # noqa: F401  the modules above cases register their hooks (the gates' facts), as in the API
from chengguan.cases import read, service, supervision
from chengguan.cases.enums import FILED_UNDECIDED, CaseAction, CaseStatus, Procedure
from chengguan.cases.models import Case, CaseOfficer
from chengguan.cases.schemas import CaseActionIn, CaseFilter
from chengguan.core import clock
from chengguan.core.bulk import convert, insert_converted
from chengguan.core.db import Database
from chengguan.core.ids import uuid7_many
from chengguan.core.principals import StaffPrincipal
from chengguan.identity.auth import staff_principal
from chengguan.identity.models import AuthToken, User
from chengguan.kit.schemas import PageParams
from chengguan.law.models import EnforcementMatter
from chengguan.org.enums import OfficerKind, OrgLevel
from chengguan.org.models import Officer, OrgUnit
from intake import fresh_database  # bench/intake.py: a migrated demo database, temporary

TARGETS = {"list_p95_ms": 200, "action_p95_ms": 50, "sweep_s": 5}
# Share of cases per status (of 1,000): a city's multi-year caseload is mostly done.
MIX = {
    CaseStatus.archived: 700, CaseStatus.closed: 60, CaseStatus.execution: 40, CaseStatus.investigation: 60,
    CaseStatus.case_review: 20, CaseStatus.statement: 20, CaseStatus.preliminary_check: 15, CaseStatus.registered: 10,
    CaseStatus.filing_approval: 8, CaseStatus.decision_approval: 8, CaseStatus.service: 5, CaseStatus.hearing: 2,
    CaseStatus.legal_review: 3, CaseStatus.collective_discussion: 2, CaseStatus.prior_notice: 5,
    CaseStatus.closure_approval: 5, CaseStatus.declined: 5, CaseStatus.withdrawn: 5, CaseStatus.transferred: 4,
    CaseStatus.suspended: 3, CaseStatus.on_site: 0,
}  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲梅"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def principal(db: Database, username: str) -> StaffPrincipal:
    """The demo user's principal as the API builds it from a token."""
    with db.session() as s, s.begin():
        user = s.scalar(select(User).where(User.username == username))
        token = AuthToken(
            principal_type="staff", subject_id=user.id, token_hash=uuid.uuid4().hex, issued_at=clock.now(),
            expires_at=clock.now() + timedelta(hours=1), last_used_at=clock.now(),
        )  # fmt: skip
        s.add(token)
        s.flush()
        return staff_principal(s, token, "127.0.0.1")


def fill(db: Database, n: int, seed: int, officer_id: uuid.UUID) -> tuple[int, float]:
    """Insert ``n`` cases (+2 officers each) in bulk; returns (how many are overdue and unescalated, seconds)."""
    rng = random.Random(seed)
    began = time.perf_counter()
    with db.session(write=False) as s:
        squads = s.execute(select(OrgUnit.id, OrgUnit.parent_id).where(OrgUnit.level == OrgLevel.squad)).all()
        officers: dict[uuid.UUID, list[uuid.UUID]] = {}
        for oid, unit in s.execute(select(Officer.id, Officer.unit_id).where(Officer.kind == OfficerKind.certified)):
            officers.setdefault(unit, []).append(oid)
        matters = s.execute(select(EnforcementMatter.code, EnforcementMatter.name)).all()
    statuses = [st for st, w in MIX.items() for _ in range(w)]
    today = clock.local_now().date()
    overdue = 0
    chunk = 10_000
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        cols: dict[str, list] = {k: [] for k in (
            "id", "code", "procedure", "status", "approval_step", "approval_steps", "unit_id", "district_id",
            "matter_code", "matter_name", "party_type", "party_name", "party_id_no", "facts", "act_on",
            "limitation_extended", "penalty_kinds", "fine_fen", "hearing_right", "statement_days", "statement_waived",
            "defense_recorded", "hearing_requested", "hearing_held", "hearing_closed", "legal_review_grounds",
            "legal_review_passed", "discussion_required", "discussion_done", "filed_on", "extension_days",
            "extensions", "decision_due_on", "paid_fen", "remedy_periods", "created_at", "updated_at", "version",
        )}  # fmt: skip
        officer_rows: tuple[list, list, list] = ([], [], [])
        ids = uuid7_many(size)
        for k in range(size):
            unit, district = rng.choice(squads)
            status = rng.choice(statuses)
            created = today - timedelta(days=int(rng.random() ** 0.7 * 1095))
            filed = created + timedelta(days=rng.randint(1, 5))
            running = status in FILED_UNDECIDED
            if running:  # running cases are recent; ~2 % of all cases are past their 90 days
                late = rng.random() < 0.13
                filed = today - timedelta(days=rng.randint(91, 140) if late else rng.randint(0, 85))
                created = filed - timedelta(days=rng.randint(1, 5))
                overdue += late
            at = datetime(created.year, created.month, created.day, 2, tzinfo=UTC) + timedelta(minutes=k % 600)
            code, name = rng.choice(matters)
            filed_on = filed if status not in (CaseStatus.registered, CaseStatus.preliminary_check,
                                                CaseStatus.filing_approval, CaseStatus.declined) else None  # fmt: skip
            values = {
                "id": ids[k], "code": f"AJB{start + k:09d}", "procedure": Procedure.ordinary, "status": status,
                "approval_step": 0, "approval_steps": 2 if status.value.endswith("approval") else 0,
                "unit_id": unit, "district_id": district, "matter_code": code, "matter_name": name,
                "party_type": "individual", "party_name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "party_id_no": None, "facts": "占道经营", "act_on": created, "limitation_extended": False,
                "penalty_kinds": ["fine"], "fine_fen": rng.randint(1, 50) * 100_00, "hearing_right": False,
                "statement_days": 3, "statement_waived": False, "defense_recorded": False,
                "hearing_requested": False, "hearing_held": False, "hearing_closed": False,
                "legal_review_grounds": [], "legal_review_passed": False, "discussion_required": False,
                "discussion_done": False, "filed_on": filed_on, "extension_days": 0, "extensions": 0,
                "decision_due_on": filed_on + timedelta(days=90) if filed_on else None, "paid_fen": 0,
                "remedy_periods": [], "created_at": at, "updated_at": at, "version": 1,
            }  # fmt: skip
            for key, value in values.items():
                cols[key].append(value)
            pool = officers.get(unit) or [officer_id]
            for lead, oid in ((True, rng.choice(pool)), (False, rng.choice(pool))):
                if oid in officer_rows[1][-1:] and not lead:
                    continue
                officer_rows[0].append(ids[k])
                officer_rows[1].append(oid)
                officer_rows[2].append(lead)
        with db.session() as s, s.begin():
            d = s.get_bind().dialect
            if d.name == "postgresql":
                # Bulk load of synthetic rows that are consistent by construction: without the per-row foreign-key
                # triggers, whose plans a fresh backend caches while the tables are still empty (then seq scans).
                s.execute(text("SET LOCAL session_replication_role = replica"))
            table = Case.__table__
            insert_converted(s.connection(), table, {k: convert(d, table, k, v, repeated=k not in ("id", "code",
                             "party_name")) if k not in ("penalty_kinds", "legal_review_grounds", "remedy_periods")
                             else convert(d, table, k, v) for k, v in cols.items()})  # fmt: skip
            link = CaseOfficer.__table__
            insert_converted(s.connection(), link, {
                "case_id": convert(d, link, "case_id", officer_rows[0]),
                "officer_id": convert(d, link, "officer_id", officer_rows[1], repeated=True),
                "lead": convert(d, link, "lead", officer_rows[2], repeated=True),
            })  # fmt: skip
        print(f"\r  inserted {start + size:,} cases", end="", flush=True)
    print()
    return overdue, time.perf_counter() - began


def actionable(db: Database, me: StaffPrincipal, count: int) -> list[uuid.UUID]:
    """``count`` registered cases handled by the demo officer and a certified colleague (for the action bench)."""
    with db.session(write=False) as s:
        unit = s.scalar(select(Officer.unit_id).where(Officer.id == me.officer_id))
        colleague = s.scalars(
            select(Officer.id).where(
                Officer.unit_id == unit, Officer.kind == OfficerKind.certified, Officer.id != me.officer_id
            )
        ).first()
        code = s.scalars(select(EnforcementMatter.code)).first()
    from chengguan.cases.schemas import CaseCreate

    ids = []
    for n in range(count):
        with db.session() as s, s.begin():
            data = CaseCreate(
                procedure=Procedure.ordinary, matter_code=code, party={"type": "individual", "name": f"当事人{n}"},
                act_on=date.today(), officer_ids=[me.officer_id, colleague],
            )  # fmt: skip
            ids.append(service.create(s, me, data).id)
    return ids


def time_list(db: Database, who: StaffPrincipal, filters: CaseFilter, runs: int) -> tuple[list[float], int]:
    times, total = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        with db.session(write=False) as s:
            page = read.list_cases(s, who, filters, PageParams(page=1, page_size=20))
        times.append(time.perf_counter() - t)
        total = page.total
    return times, total


@contextlib.contextmanager
def _database(args: argparse.Namespace, work: Path) -> Iterator[tuple[str, bool]]:
    if args.keep:
        keep = Path(args.keep)
        if keep.exists():
            yield f"sqlite:///{keep}", True
            return
        with fresh_database(None, work) as url:
            yield url, False
        return
    with fresh_database(args.database_url, work) as url:
        yield url, False


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--actions", type=int, default=100)
    ap.add_argument("--seed", type=int, default=60)
    ap.add_argument("--database-url", help="PostgreSQL base URL: run in a throwaway schema (default: SQLite file)")
    ap.add_argument(
        "--keep", help="SQLite file to fill once and measure again on later runs (indexes brought up to date)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cg-cases-") as tmp, _database(args, Path(tmp)) as (url, filled):
        db = Database(url)
        users = {u: principal(db, u) for u in ("admin", "shinan_leader", "bdg_leader", "bdg_officer")}
        me = users["bdg_officer"]
        if filled:
            for table in (Case.__table__, CaseOfficer.__table__):
                for index in table.indexes:
                    index.create(db.engine, checkfirst=True)
            print(f"database={db.dialect}  reusing {args.keep}")
        else:
            overdue, took = fill(db, args.cases, args.seed, me.officer_id)
            print(f"database={db.dialect}  cases={args.cases:,} (+560 demo)  overdue & unescalated={overdue:,}  "
                  f"inserted in {took:.0f} s")  # fmt: skip
            if args.keep:  # a copy before anything below changes it (the sweep, the actions)
                db.dispose()
                with sqlite3.connect(make_url(url).database) as source, sqlite3.connect(args.keep) as target:
                    source.backup(target)
        # Statistics for the planner and (PostgreSQL) the visibility map for index-only counts: what autovacuum keeps
        # on a database that grew to this size, which a bulk load a second ago has not had yet.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE")
        with db.session(write=False) as s:  # a party name that exists (the keyword users type: a full name)
            name = s.scalar(select(Case.party_name).where(Case.code.like("AJB%")).order_by(Case.code).limit(1))
        print("(a) case list, first page of 20 with total (ms):")
        worst = 0.0
        for username, who in users.items():
            for label, filters in (
                ("all", CaseFilter()),
                ("status=investigation", CaseFilter(status=[CaseStatus.investigation])),
                ("overdue", CaseFilter(overdue=True)),
                (f"q={name}", CaseFilter(q=name)),
            ):
                times, total = time_list(db, who, filters, args.runs)
                p95 = percentile(times, 95) * 1e3
                worst = max(worst, p95)
                print(f"    {username:<14} {label:<22} total {total:>9,}  p50 {percentile(times, 50) * 1e3:7.1f}  "
                      f"p95 {p95:7.1f}  max {max(times) * 1e3:7.1f}")  # fmt: skip
        print(f"    worst p95 {worst:.1f} ms — target ≤ {TARGETS['list_p95_ms']} ms: "
              f"{'met' if worst <= TARGETS['list_p95_ms'] else 'MISSED'}")  # fmt: skip
        ids = actionable(db, me, args.actions)
        times = []
        for case_id in ids:
            for action in (CaseAction.start_check, CaseAction.submit_filing):
                t = time.perf_counter()
                with db.session() as s, s.begin():
                    version = s.scalar(select(Case.version).where(Case.id == case_id))
                    service.act(s, me, case_id, action, CaseActionIn(version=version))
                times.append(time.perf_counter() - t)
        p95 = percentile(times, 95) * 1e3
        verdict = "met" if p95 <= TARGETS["action_p95_ms"] else "MISSED"
        print(f"(b) action (start_check, submit_filing; {len(times)} actions, commit included): "
              f"p50 {percentile(times, 50) * 1e3:.1f} ms  p95 {p95:.1f} ms  max {max(times) * 1e3:.1f} ms — "
              f"target ≤ {TARGETS['action_p95_ms']} ms: {verdict}")  # fmt: skip
        t = time.perf_counter()
        with db.session() as s, s.begin():
            moved = supervision.sweep(s)
        took = time.perf_counter() - t
        print(f"(c) 督查 sweep over all open cases: moved {moved:,} in {took:.2f} s — target ≤ {TARGETS['sweep_s']} s: "
              f"{'met' if took <= TARGETS['sweep_s'] else 'MISSED'}")  # fmt: skip
        t = time.perf_counter()
        with db.session() as s, s.begin():
            again = supervision.sweep(s)
        print(f"    again (nothing new): moved {again} in {time.perf_counter() - t:.2f} s")
        db.dispose()


if __name__ == "__main__":
    main()
