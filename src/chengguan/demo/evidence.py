"""Demo evidence: two or three synthetic scene photos for every case past filing (and every on-the-spot case),
recorded through the real evidence service, so the ledger, its batches and the gallery hold real files.

Photos are taken by the case's lead officer with the squad's body camera at the case's own past times; a share of
cases also carries an AI-camera frame (电子技术监控设备, 第四十一条) in a review state that fits the case: decided
cases only on evidence that passed both levels, undecided ones pending, half-way, passed or rejected (a few of the
八大关 squad's open cases are pending on purpose, so the demo logins have something to review). Deterministic
content; recorded in time order, so the ledger reads like the months it covers.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chengguan.cases.enums import CaseStatus, Procedure
from chengguan.cases.models import Case, CaseOfficer
from chengguan.cases.service import add_event
from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.demo.scenes import SCENE_OF_CATEGORY, Shot, render
from chengguan.evidence import ledger_db, service
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.evidence.models import EvidenceItem, EvidenceReview
from chengguan.evidence.review import LEVEL_LABELS
from chengguan.evidence.store import LocalBlobStore
from chengguan.identity.principals import Actor
from chengguan.law.models import EnforcementMatter
from chengguan.org.enums import DeviceKind, OrgLevel
from chengguan.org.models import Device, Grid, Officer, OrgUnit

S = CaseStatus
DECIDED = frozenset({S.decision_approval, S.service, S.execution, S.closure_approval, S.closed, S.archived})
SHOWCASE_SQUAD = "370202003"  # 八大关 (the demo officer's and squad leader's squad)
MACHINE_SHARE = 0.12
TITLES = {
    "stall": ("占道经营现场全景", "摊位近景（占用人行道）", "责令改正后复查"),
    "street": ("乱堆物料现场全景", "堆放物料近景", "清理后复查"),
    "site": ("施工现场扬尘", "未采取防尘措施的裸土", "整改后复查"),
    "billboard": ("户外广告设施全景", "广告设施近景", "拆除后复查"),
}
DETECTIONS = {"stall": "占道经营", "street": "乱堆物料", "site": "工地扬尘", "billboard": "违规广告"}
PLATFORM = Actor("system", None, "视频智能分析平台")


@dataclass
class _Plan:
    case: Case
    shot: Shot
    at: datetime
    title: str
    origin: EvidenceOrigin
    officer: Officer | None
    review: ReviewStatus | None = None  # machine items: the state the demo leaves them in
    checker: str = ""


def seed_evidence(session: Session, data_dir: Path | str | None = None, seed: int = 2026) -> int:
    """Record the demo photos of every case past filing into the store under ``data_dir/blobs`` and the ledger;
    seal the ledger; returns the number of items."""
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    # Not durable: a demo load that is cut off is redone from scratch, and fsyncing each photo would triple its time.
    store = LocalBlobStore(Path(settings.data_dir) / "blobs", durable=False)
    now = clock.now()
    plans = _plan(session, seed, now)
    plans.sort(key=lambda p: (p.at, p.case.code, p.title))
    for p in plans:
        officer = p.officer.name if p.officer else "执法队员"
        who = PLATFORM if p.origin is EvidenceOrigin.machine else Actor("staff", None, officer)
        item = service.record(
            session,
            settings,
            who,
            p.case.id,
            render(p.shot),
            filename=f"{p.shot.device}_{p.shot.captured_at.astimezone(clock.SHANGHAI):%Y%m%d_%H%M%S}.jpg",
            mime="image/jpeg",
            kind=EvidenceKind.photo,
            origin=p.origin,
            captured_at=p.shot.captured_at,
            lng=p.shot.lng,
            lat=p.shot.lat,
            address=p.shot.address,
            device=p.shot.device,
            officer_id=p.officer.id if p.officer else None,
            title=p.title,
            store=store,
            at=p.at,
        )
        if p.review is not None:
            _review(session, p, item, now)
    session.flush()
    ledger_db.seal_pending(session, batch_size=settings.evidence_batch_size)
    return len(plans)


def _plan(session: Session, seed: int, now: datetime) -> list[_Plan]:
    cases = session.scalars(
        select(Case).where(or_(Case.filed_on.is_not(None), Case.procedure == Procedure.simple)).order_by(Case.code)
    ).all()
    categories = dict(session.execute(select(EnforcementMatter.code, EnforcementMatter.category_code)).tuples().all())
    leads = _officers(session)
    places = _places(session)
    cameras, body_cams = _devices(session)
    squads = {u.id: u.division_code for u in session.scalars(select(OrgUnit).where(OrgUnit.level == OrgLevel.squad))}
    showcase = iter([ReviewStatus.pending, ReviewStatus.pending, ReviewStatus.first_passed, ReviewStatus.rejected])
    plans: list[_Plan] = []
    for case in cases:
        rng = random.Random(f"{seed}:evidence:{case.code}")
        lead, partner = leads.get(case.id, (None, None))
        scene = SCENE_OF_CATEGORY.get((categories.get(case.matter_code) or "")[:2], "street")
        lng, lat = rng.choice(places.get(case.unit_id) or [(120.38, 36.07)])
        lng, lat = round(lng + rng.uniform(-4e-4, 4e-4), 6), round(lat + rng.uniform(-4e-4, 4e-4), 6)
        address = case.address or "—"
        caption = case.matter_name[:14]
        device = rng.choice(body_cams.get(case.unit_id) or ["执法记录仪"])
        start = case.created_at
        decided = case.status in DECIDED or case.procedure is Procedure.simple
        count = 3 if decided and rng.random() < 0.35 else 2  # a follow-up visit on some decided cases
        for i in range(count):
            if i < 2:
                captured = start - timedelta(minutes=rng.randint(5, 25)) + timedelta(minutes=4 * i)
            else:  # the follow-up visit after the decision (or on the filing day when there is none yet)
                day = case.decided_on or case.filed_on or start.astimezone(clock.SHANGHAI).date()
                captured = _on(day + timedelta(days=rng.randint(1, 5)), rng)
            captured = min(captured, now - timedelta(minutes=30))
            # Photos taken at the scene are added to the case once it is opened (its timeline starts with 立案登记).
            at = min(max(captured + timedelta(minutes=rng.randint(3, 40)), start + timedelta(minutes=1)),
                     now - timedelta(minutes=5))  # fmt: skip
            shot = Shot(scene, captured, address, caption, lng, lat, device, rng.getrandbits(32))
            plans.append(_Plan(case, shot, at, TITLES[scene][i], EvidenceOrigin.officer, lead))
        undecided = case.status not in DECIDED and case.procedure is Procedure.ordinary
        forced = None
        if undecided and squads.get(case.unit_id) == SHOWCASE_SQUAD:
            forced = next(showcase, None)
        if forced is None and rng.random() > MACHINE_SHARE:
            continue
        if forced is not None:
            review = forced
        elif undecided:
            review = rng.choice([ReviewStatus.pending, ReviewStatus.first_passed, ReviewStatus.passed,
                                 ReviewStatus.rejected])  # fmt: skip
        else:
            review = ReviewStatus.passed
        camera = rng.choice(cameras.get(case.unit_id) or cameras.get(None) or ["CAM-0000"])
        captured = start - timedelta(minutes=rng.randint(30, 120))  # the alarm that led to the case
        shot = Shot(scene, captured, address, "AI 智能识别", lng, lat, camera, rng.getrandbits(32),
                    detection=f"{DETECTIONS[scene]} 0.{rng.randint(80, 97)}")  # fmt: skip
        at = max(captured + timedelta(seconds=rng.randint(5, 50)), start + timedelta(seconds=30))
        plans.append(_Plan(case, shot, at, f"视频抓拍：{DETECTIONS[scene]}", EvidenceOrigin.machine, None, review,
                           partner.name if partner else "执法队员"))  # fmt: skip
    return plans


def _on(day: date, rng: random.Random) -> datetime:
    local = datetime.combine(day, time(9, 0), clock.SHANGHAI) + timedelta(minutes=rng.randint(0, 480))
    return local.astimezone(UTC)


def _review(session: Session, p: _Plan, item: EvidenceItem, now: datetime) -> None:
    """The reviews the demo state implies (level 1 by the lead's colleague, level 2 by the legal office)."""
    assert p.review is not None
    steps: list[tuple[int, bool, str, str | None]] = []
    if p.review in (ReviewStatus.first_passed, ReviewStatus.passed):
        steps.append((1, True, p.checker, "画面清晰，时间、地点、设备编号完整，记录真实准确"))
    if p.review is ReviewStatus.passed:
        steps.append((2, True, "法制科审核员", "设备经法制和技术审核、设置地点已公布，记录可作为证据"))
    if p.review is ReviewStatus.rejected:
        steps.append((1, False, p.checker, "画面被遮挡，无法辨认违法主体，记录不完整"))
    at = p.at
    for level, passed, name, opinion in steps:
        at = min(at + timedelta(hours=2 if level == 1 else 20), now)
        session.add(EvidenceReview(evidence_id=item.id, level=level, passed=passed, opinion=opinion, user_id=None,
                                   user_name=name, at=at))  # fmt: skip
        verdict = "通过" if passed else "不通过"
        add_event(session, p.case, "review_evidence", Actor("staff", None, name), at,
                  data={"note": f"《{item.title}》{LEVEL_LABELS[level]}{verdict}：{opinion}",
                        "evidence_id": str(item.id), "level": level, "passed": passed})  # fmt: skip
    item.review_status = p.review


def _officers(session: Session) -> dict[uuid.UUID, tuple[Officer, Officer | None]]:
    """Each case's lead officer and a colleague on it."""
    rows = session.execute(
        select(CaseOfficer.case_id, CaseOfficer.lead, Officer).join(Officer, Officer.id == CaseOfficer.officer_id)
    ).all()
    out: dict[uuid.UUID, list[Officer | None]] = {}
    for case_id, lead, officer in rows:
        pair = out.setdefault(case_id, [None, None])
        pair[0 if lead else 1] = officer
    return {k: (v[0] or v[1], v[1]) for k, v in out.items() if v[0] or v[1]}  # type: ignore[misc]


def _places(session: Session) -> dict[uuid.UUID, list[tuple[float, float]]]:
    out: dict[uuid.UUID, list[tuple[float, float]]] = {}
    for squad_id, lng, lat in session.execute(
        select(Grid.squad_id, Grid.centroid_lng, Grid.centroid_lat).order_by(Grid.grid_code)
    ):
        out.setdefault(squad_id, []).append((lng, lat))
    return out


def _devices(session: Session) -> tuple[dict[uuid.UUID | None, list[str]], dict[uuid.UUID, list[str]]]:
    cameras: dict[uuid.UUID | None, list[str]] = {}
    body: dict[uuid.UUID, list[str]] = {}
    for unit_id, kind, code in session.execute(select(Device.unit_id, Device.kind, Device.code).order_by(Device.code)):
        if kind is DeviceKind.camera:
            cameras.setdefault(unit_id, []).append(code)
            cameras.setdefault(None, []).append(code)
        elif kind is DeviceKind.body_camera:
            body.setdefault(unit_id, []).append(code)
    return cameras, body
