"""Demo case sources: a few days of alarms and complaints taken in through the real intake code, then walked
through the lifecycle at their own (past) times, so every list, the map and the timelines have something true
to show — some merged, some overdue and under 督办, one outside every grid; plus live officer and vehicle positions
and example intake rules."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shapely.geometry import shape
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.principals import Actor
from chengguan.core.progress import SILENT, Stage
from chengguan.demo.places import street_address
from chengguan.dispatching import repository as dispatch_tasks
from chengguan.dispatching.models import DutyStatus, Position, SubjectKind, TaskStatus
from chengguan.identity.models import User
from chengguan.intake.enums import Outcome, SourceAction, SourceStatus, TimeUnit
from chengguan.intake.ingest import ingest
from chengguan.intake.models import CaseSource, DedupRule, TimeLimitRule
from chengguan.intake.service import transition
from chengguan.intake.supervision import sweep
from chengguan.intake.workflow import ActionInput, Capabilities
from chengguan.org.enums import ActiveStatus, DeviceKind
from chengguan.org.models import Device, Grid, Officer, OrgUnit, Vehicle

COMMAND = Actor("staff", None, "指挥中心值班员")
ALL = Capabilities(manage=True, dispatch=True, assignee=True)


@dataclass(frozen=True)
class Kind:
    channel: str
    category: str
    text: str


KINDS = (
    Kind("ai_video", "09006", "视频识别：水果摊占道经营，占用人行道约 6 平方米"),
    Kind("ai_video", "09005", "视频识别：餐馆桌椅摆放至店外人行道"),
    Kind("ai_video", "06036", "视频识别：路边堆放建筑材料"),
    Kind("ai_video", "09009", "视频识别：机动车停放在人行道上"),
    Kind("iot", "08004", "扬尘监测：PM10 超过阈值 3 倍，持续 20 分钟"),
    Kind("iot", "06042", "满溢传感器：垃圾箱满溢率 100%"),
    Kind("complaint", "06027", "市民投诉：楼下烧烤店油烟直排，窗户都不敢开"),
    Kind("complaint", "08001", "市民投诉：工地夜间施工，噪音扰民"),
    Kind("hotline", "07001", "12345 转办：小区门口电线杆贴满小广告"),
    Kind("hotline", "06029", "12345 转办：夜市露天烧烤，烟雾很大"),
    Kind("patrol", "07006", "巡查发现：商铺牌匾破损，存在坠落隐患"),
    Kind("assignment", "06001", "上级交办：群众反映屋顶私搭乱建"),
    Kind("transfer", "08016", "住建部门移送：疑似无证建设"),
)


# How many sources end in each status (the rest stay 待受理).
PLAN: tuple[tuple[SourceStatus, int], ...] = (
    (SourceStatus.closed, 48),
    (SourceStatus.verifying, 12),
    (SourceStatus.handling, 10),
    (SourceStatus.dispatched, 10),
    (SourceStatus.routed, 10),
    (SourceStatus.accepted, 8),
    (SourceStatus.voided, 5),
    (SourceStatus.pending, 17),
)
PATH = {
    SourceStatus.pending: [],
    SourceStatus.accepted: [SourceAction.accept],
    SourceStatus.routed: [SourceAction.accept, SourceAction.route],
    SourceStatus.dispatched: [SourceAction.accept, SourceAction.route, SourceAction.dispatch],
    SourceStatus.handling: [SourceAction.accept, SourceAction.route, SourceAction.dispatch, SourceAction.arrive],
    SourceStatus.verifying: [
        SourceAction.accept,
        SourceAction.route,
        SourceAction.dispatch,
        SourceAction.arrive,
        SourceAction.record_outcome,
    ],
    SourceStatus.closed: [
        SourceAction.accept,
        SourceAction.route,
        SourceAction.dispatch,
        SourceAction.arrive,
        SourceAction.record_outcome,
        SourceAction.verify,
    ],
    SourceStatus.voided: [SourceAction.void],
}


def _rules(session: Session) -> None:
    now = clock.now()
    rows = [
        ("pending", None, "ai_video", 30, TimeUnit.minutes),
        ("dispatched", "09006", None, 30, TimeUnit.minutes),
        ("pending", None, "complaint", 1, TimeUnit.working_hours),
        ("handling", None, "hotline", 5, TimeUnit.working_days),
    ]
    session.execute(
        insert(TimeLimitRule),
        [
            {
                "id": uuid.uuid4(),
                "stage": s,
                "category_code": c,
                "channel": ch,
                "amount": a,
                "unit": u,
                "warn_percent": 20,
                "created_at": now,
                "updated_at": now,
            }
            for s, c, ch, a, u in rows
        ],
    )
    session.execute(
        insert(DedupRule),
        [
            {
                "id": uuid.uuid4(),
                "category_code": "08004",
                "radius_m": 200,
                "window_minutes": 240,
                "created_at": now,
                "updated_at": now,
            },
            {
                "id": uuid.uuid4(),
                "category_code": "06042",
                "radius_m": 30,
                "window_minutes": 720,
                "created_at": now,
                "updated_at": now,
            },
        ],
    )


def _positions(session: Session, rng: random.Random, points: dict[uuid.UUID, list[tuple[float, float]]]) -> None:
    now = clock.now()
    rows = []
    for kind, model in ((SubjectKind.officer, Officer), (SubjectKind.vehicle, Vehicle)):
        for subject in session.scalars(select(model)):
            spots = points.get(subject.unit_id)
            if not spots or (kind is SubjectKind.officer and subject.status is not ActiveStatus.active):
                continue
            lng, lat = rng.choice(spots)
            roll = rng.random()
            status = DutyStatus.available if roll < 0.8 else DutyStatus.off_duty
            rows.append(
                {
                    "subject_kind": kind,
                    "subject_id": subject.id,
                    "unit_id": subject.unit_id,
                    "lng": lng + rng.uniform(-0.0008, 0.0008),
                    "lat": lat + rng.uniform(-0.0006, 0.0006),
                    "accuracy_m": 8.0,
                    "speed_mps": rng.uniform(0, 1.5),
                    "heading": rng.uniform(0, 359),
                    "at": now,
                    "received_at": now,
                    "status": status,
                }
            )
    if rows:
        session.execute(insert(Position), rows)


def _params(
    action: SourceAction, officer_id: uuid.UUID | None, squad_id: uuid.UUID, rng: random.Random, today: date
) -> ActionInput:
    if action is SourceAction.route:
        return ActionInput(squad_id=squad_id)
    if action in (SourceAction.dispatch, SourceAction.reassign):
        return ActionInput(officer_id=officer_id)
    if action is SourceAction.void:
        return ActionInput(reason="重复上报，现场核实无此问题")
    if action is SourceAction.record_outcome:
        outcome = rng.choice(
            [Outcome.warning, Outcome.warning, Outcome.rectification, Outcome.no_violation, Outcome.case_opened]
        )
        due = today + timedelta(days=3) if outcome is Outcome.rectification else None
        notes = {
            Outcome.warning: "现场劝导，当事人已自行整改",
            Outcome.rectification: "下达责令限期整改通知，三日内整改完毕",
            Outcome.no_violation: "到场核实，未发现违法行为",
            Outcome.case_opened: "当事人拒不整改，转立案查处",
        }
        return ActionInput(outcome=outcome, rectification_due=due, note=notes[outcome])
    return ActionInput()


@dataclass(frozen=True)
class Town:
    """What a demo source is drawn from: grid points by squad, officers by squad, names, division codes, cameras."""

    points: dict[uuid.UUID, list[tuple[float, float]]]
    officers: dict[uuid.UUID, list[uuid.UUID]]
    names: dict[uuid.UUID, str]
    divisions: dict[uuid.UUID, str]
    cameras: list[Device]
    command: Actor


def load_town(session: Session) -> Town:
    points: dict[uuid.UUID, list[tuple[float, float]]] = {}
    for g in session.scalars(select(Grid).order_by(Grid.grid_code)):
        p = shape(g.geometry).representative_point()
        points.setdefault(g.squad_id, []).append((p.x, p.y))
    officers: dict[uuid.UUID, list[uuid.UUID]] = {}
    for o in session.scalars(select(Officer).where(Officer.status == ActiveStatus.active).order_by(Officer.name)):
        officers.setdefault(o.unit_id, []).append(o.id)
    cameras = list(session.scalars(select(Device).where(Device.kind == DeviceKind.camera).order_by(Device.code)))
    names = dict(session.execute(select(Officer.id, Officer.name)).tuples().all())
    divisions = dict(session.execute(select(OrgUnit.id, OrgUnit.division_code)).tuples().all())
    operator = session.execute(select(User.id, User.display_name).where(User.username == "command")).first()
    command = Actor("staff", operator[0], operator[1]) if operator else COMMAND
    return Town(points, officers, names, divisions, cameras, command)


def gaps_for(rng: random.Random, status: SourceStatus) -> list[timedelta]:
    return [
        timedelta(minutes=rng.uniform(60, 600) if a is SourceAction.verify else rng.uniform(3, 25))
        for a in PATH[status]
    ]


def take_in(
    session: Session,
    town: Town,
    rng: random.Random,
    key: str,
    status: SourceStatus,
    created: datetime,
    gaps: list[timedelta],
    now: datetime,
) -> int:
    """One report (repeated by 1–4 more people a quarter of the time) taken in at ``created`` through the real intake
    code and walked to ``status`` at its own times; 1 if it made a new source, 0 if it merged into an open one."""
    kind = rng.choice(KINDS)
    squad = rng.choice(sorted(town.points))
    lng, lat = rng.choice(town.points[squad])
    lng, lat = lng + rng.uniform(-0.0015, 0.0015), lat + rng.uniform(-0.0012, 0.0012)
    repeats = 1 + (rng.random() < 0.25) * rng.randint(1, 4)
    address = f"青岛市{street_address(rng, town.divisions.get(squad, ''))}附近"
    items = [
        {
            "idempotency_key": f"{key}:{r}",
            "channel": kind.channel,
            "category_code": kind.category,
            "lng": lng + rng.uniform(-0.0002, 0.0002),
            "lat": lat + rng.uniform(-0.0002, 0.0002),
            "occurred_at": (created - timedelta(minutes=3 * (repeats - r))).isoformat(),
            "description": kind.text,
            "address": address,
            "device_id": rng.choice(town.cameras).code if kind.channel == "ai_video" and town.cameras else None,
        }
        for r in range(repeats)
    ]
    with clock.frozen(created):
        results = ingest(session, items, town.command)
    source_id = results[0].case_source_id
    if source_id is None or results[0].merged:
        return 0
    source = session.get(CaseSource, source_id)
    assert source is not None
    moment = created
    crew = town.officers.get(source.squad_id or squad) or [o for ids in town.officers.values() for o in ids]
    officer_id = rng.choice(crew)
    for action, gap in zip(PATH[status], gaps, strict=True):
        moment = min(moment + gap, now - timedelta(minutes=1))
        actor = (
            Actor("staff", None, town.names.get(officer_id, "执法队员"))
            if action in (SourceAction.arrive, SourceAction.record_outcome)
            else town.command
        )
        with clock.frozen(moment):
            params = _params(action, officer_id, source.squad_id or squad, rng, moment.date())
            transition(session, source, action, actor, params, ALL, now=moment)
    task = dispatch_tasks.active(session, source.id)
    if task is not None and task.acknowledged_at is None:
        # Demo officers on a task have accepted it (otherwise the first sweep would re-dispatch them all).
        task.status, task.acknowledged_at = TaskStatus.acknowledged, task.dispatched_at + timedelta(minutes=2)
    return 1


def seed_intake(session: Session, seed: int = 2026, stage: Stage = SILENT) -> int:
    """Rules, positions and ~120 case sources with timelines; returns the number of sources."""
    rng = random.Random(seed)
    _rules(session)
    town = load_town(session)
    _positions(session, rng, town.points)
    now = clock.now()
    plan = [status for status, n in PLAN for _ in range(n)]
    rng.shuffle(plan)
    stage.start(len(plan))
    count = 0
    for n, status in enumerate(plan):
        stage.advance()
        gaps = gaps_for(rng, status)
        if status in (SourceStatus.closed, SourceStatus.voided):
            created = now - timedelta(hours=rng.uniform(12, 72))
        elif rng.random() < 0.25:  # slipped past its limit: 督办 shows it
            created = now - timedelta(hours=rng.uniform(4, 30))
        else:  # on time: the last step was taken a little while ago
            created = now - sum(gaps, timedelta()) - timedelta(minutes=rng.uniform(3, 25))
        count += take_in(session, town, rng, f"demo:{seed}:{n}", status, created, gaps, now)
    # One report from outside every grid, waiting for manual routing.
    with clock.frozen(now - timedelta(minutes=50)):
        ingest(
            session,
            [
                {
                    "idempotency_key": f"demo:{seed}:outside",
                    "channel": "complaint",
                    "category_code": "06010",
                    "lng": 120.52,
                    "lat": 36.02,
                    "occurred_at": (now - timedelta(minutes=55)).isoformat(),
                    "description": "市民投诉：海滨步道尽头垃圾暴露（位置不在现有网格内）",
                }
            ],
            town.command,
        )
    sweep(session, now)
    return count + 1
