"""Payment callback handling (码上付): p95 and throughput of ``--orders`` (default 1,000) gateway callbacks with
``--replays`` (default 10 %) replayed, on a migrated demo database (temporary SQLite file, or a throwaway schema
of ``--database-url``: bench/intake.py's; the demo loaded without its sealed documents).

Setup (not timed): ``--orders`` cases in 执行 owing their fine are cloned from the demo's, an order is opened for
each through ``payments.service.open_order``, and each is paid at the simulated gateway, which signs its callback
(RSA-SHA256 over timestamp, nonce and body; resource in AES-256-GCM). The callbacks, with the replays mixed in
shortly after their originals, are then delivered one by one, each in its own unit of work as the API route runs it:
  (a) ``service``: ``payments.notify.handle`` — verify, decrypt, check the order, record the payment on the case
      through the workflow, number the receipt, audit — then commit;
  (b) ``http``: the same callbacks POSTed to ``/api/v1/payments/notify/sim`` of the ASGI app in process (routing,
      body limits, problem+json), on a fresh set of orders.
Afterwards every order must be paid once, every case must owe nothing, and each replay must have been a duplicate.
Receipt files are sealed later by the minute job; one receipt's render + seal is timed apart. Run:
    .venv/bin/python bench/payments.py [--orders 1000] [--replays 0.1]
    .venv/bin/python bench/payments.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from chengguan.app import create_app
from chengguan.cases.enums import CaseStatus, DecisionKind
from chengguan.cases.models import Case
from chengguan.core.config import Settings
from chengguan.core.counters import reserve
from chengguan.core.db import Database
from chengguan.core.fieldkeys import load_keyring
from chengguan.core.fieldtypes import bind_keyring
from chengguan.core.principals import Actor
from chengguan.payments import notify, receipts, service
from chengguan.payments.enums import NotifyOutcome, OrderStatus
from chengguan.payments.models import PaymentNotification, PaymentOrder, PaymentReceipt
from chengguan.payments.simulated.gateway import Callback, SimulatedGateway
from intake import fresh_database, machine, percentile

# A gateway waits seconds (WeChat Pay: 5 s) before it retries, but a callback holds the case's row while it runs: it
# is one case action (bench/cases.py holds those to p95 50 ms) plus the order, the receipt number, the callback log
# and the audit entry — twice an action's budget.
TARGET_P95_MS = 100
PAYER = Actor("merchant", None, "压测当事人")


def clone_owing_cases(db: Database, n: int) -> list[uuid.UUID]:
    """``n`` copies of a demo case in 执行 whose fine is owed and not yet due (new ids and codes), in bulk."""
    with db.session() as s, s.begin():
        template = s.scalars(
            select(Case).where(Case.status == CaseStatus.execution, Case.decision_kind == DecisionKind.penalty,
                               Case.fine_fen > 0, Case.paid_fen == 0, Case.payment_due_on.is_not(None))
            .order_by(Case.payment_due_on.desc())
        ).first()  # fmt: skip
        assert template is not None, "the demo has a fine owed"
        columns = {c.key: getattr(template, c.key) for c in Case.__mapper__.column_attrs}
        first = reserve(s, "case:BENCH", n)
        ids = [uuid.uuid4() for _ in range(n)]
        s.execute(insert(Case), [columns | {"id": i, "code": f"BP{first + k:010d}", "version": 1}
                                 for k, i in enumerate(ids)])  # fmt: skip
    return ids


def opened_and_paid(db: Database, settings: Settings, case_ids: list[uuid.UUID]) -> list[Callback]:
    """An order per case, paid at the simulated gateway; its signed callback (not delivered)."""
    callbacks = []
    for case_id in case_ids:
        with db.session() as s, s.begin():
            case = s.get(Case, case_id)
            order = service.open_order(s, settings, case, PAYER).order
            gateway = SimulatedGateway(s, settings)
            callbacks.append(gateway.callback(gateway.pay(order.order_no)))
    return callbacks


def with_replays(callbacks: list[Callback], share: float, rng: random.Random) -> tuple[list[Callback], int]:
    """The callbacks in order, each replay (the exact same bytes and headers) a few places after its original."""
    stream = list(callbacks)
    replays = rng.sample(range(len(callbacks)), int(len(callbacks) * share))
    for offset, original in enumerate(sorted(replays)):
        position = min(len(stream), original + offset + 1 + rng.randint(0, 20))
        stream.insert(position, callbacks[original])
    return stream, len(replays)


@dataclass
class Run:
    label: str
    times_ms: list[float]
    wall_s: float

    def print(self) -> None:
        n = len(self.times_ms)
        print(f"  ({self.label}) {n:,} callbacks in {self.wall_s:.2f} s = {n / self.wall_s:,.0f} callbacks/s; "
              f"p50 {percentile(self.times_ms, 50):.1f} ms, p95 {percentile(self.times_ms, 95):.1f} ms, "
              f"max {max(self.times_ms):.1f} ms")  # fmt: skip


def deliver_service(db: Database, settings: Settings, stream: list[Callback]) -> Run:
    times, start = [], time.perf_counter()
    for cb in stream:
        t = time.perf_counter()
        with db.session() as s, s.begin():
            notify.handle(s, settings, "sim", cb.headers, cb.body, "127.0.0.1")
        times.append((time.perf_counter() - t) * 1000)
    return Run("service", times, time.perf_counter() - start)


def deliver_http(client: TestClient, stream: list[Callback]) -> Run:
    times, start = [], time.perf_counter()
    for cb in stream:
        t = time.perf_counter()
        response = client.post("/api/v1/payments/notify/sim", content=cb.body, headers=cb.headers)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.text
    return Run("http", times, time.perf_counter() - start)


def check(db: Database, case_ids: list[uuid.UUID], replays: int) -> str:
    """Every order paid once, every case settled, each replay a duplicate."""
    with db.session(write=False) as s:
        orders = s.scalars(select(PaymentOrder).where(PaymentOrder.case_id.in_(case_ids))).all()
        assert len(orders) == len(case_ids) and all(o.status is OrderStatus.paid for o in orders)
        owed = s.scalars(select(Case).where(Case.id.in_(case_ids), Case.paid_fen < Case.fine_fen)).all()
        assert not owed, f"{len(owed)} cases still owe"
        nos = [o.order_no for o in orders]
        counts = dict(s.execute(select(PaymentNotification.outcome, func.count())
                                .where(PaymentNotification.order_no.in_(nos))
                                .group_by(PaymentNotification.outcome)).all())  # fmt: skip
        assert counts.get(NotifyOutcome.accepted) == len(case_ids) and counts.get(NotifyOutcome.duplicate) == replays
        receipts_made = s.scalar(select(func.count()).where(PaymentReceipt.order_id.in_([o.id for o in orders])))
    return (f"checked: {len(case_ids):,} orders paid once, {receipts_made:,} receipts numbered, "
            f"{replays} replays ignored")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000)
    parser.add_argument("--replays", type=float, default=0.10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=72)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with (
        tempfile.TemporaryDirectory(prefix="bench-payments-") as tmp,
        fresh_database(args.database_url, Path(tmp), documents=False, data_dir=Path(tmp) / "data") as url,
    ):
        settings = Settings(env="dev", database_url=url, data_dir=Path(tmp) / "data", run_jobs=False)
        db = Database(url)
        bind_keyring(db.engine, load_keyring(settings))  # the demo's personal data is sealed with its data dir's keys
        print(f"payment callbacks: {args.orders:,} orders, {args.replays:.0%} replayed, on {db.dialect}")
        print("  " + machine())
        runs = []
        for label in ("service", "http"):
            case_ids = clone_owing_cases(db, args.orders)
            t = time.perf_counter()
            stream, replays = with_replays(opened_and_paid(db, settings, case_ids), args.replays, rng)
            print(f"  setup ({label}): {args.orders:,} orders opened and paid at the gateway in "
                  f"{time.perf_counter() - t:.1f} s")  # fmt: skip
            if label == "service":
                run = deliver_service(db, settings, stream)
            else:
                with TestClient(create_app(settings, db)) as client:
                    run = deliver_http(client, stream)
            run.print()
            print("  " + check(db, case_ids, replays))
            runs.append(run)
        with db.session() as s, s.begin():
            samples = s.scalars(select(PaymentReceipt).limit(10)).all()
            took = []
            for receipt in samples:
                t = time.perf_counter()
                receipts.ensure_pdf(s, settings, receipt)
                took.append((time.perf_counter() - t) * 1000)
        print(f"  receipt render + seal (minute job, not in the callback): p50 {percentile(took, 50):.0f} ms, "
              f"max {max(took):.0f} ms over {len(took)}")  # fmt: skip
        worst = max(percentile(r.times_ms, 95) for r in runs)
        verdict = "met" if worst <= TARGET_P95_MS else "MISSED"
        print(f"  target: callback p95 <= {TARGET_P95_MS} ms: {verdict} (worst p95 {worst:.1f} ms)")
        db.dispose()


if __name__ == "__main__":
    main()
