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
from chengguan.cases.timeline import add_event
from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.principals import Actor
from chengguan.core.progress import SILENT, Stage
from chengguan.demo.scenarios import scenarios
from chengguan.demo.scenes import Shot, render
from chengguan.evidence import ledger_db, service
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.evidence.models import EvidenceItem, EvidenceReview
from chengguan.evidence.review import LEVEL_LABELS
from chengguan.evidence.store import LocalBlobStore
from chengguan.identity.models import Role as RoleRow
from chengguan.identity.models import User, UserRole
from chengguan.org.enums import DeviceKind, OrgLevel
from chengguan.org.models import Device, Officer, OrgUnit

S = CaseStatus
DECIDED = frozenset({S.decision_approval, S.service, S.execution, S.closure_approval, S.closed, S.archived})
SHOWCASE_SQUAD = "370202003"  # 八大关 (the demo officer's and squad leader's squad)
MACHINE_SHARE = 0.12
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
    checker: str = ""  # level 1: a colleague of the lead officer
    legal: str = ""  # level 2: the district's 法制审核员


def seed_evidence(session: Session, data_dir: Path | str | None = None, seed: int = 2026, stage: Stage = SILENT) -> int:
    """Record the demo photos of every case past filing into the store under ``data_dir/blobs`` and the ledger
    (the loader seals it once every stage has recorded its evidence); returns the number of items."""
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    # Not durable: a demo load that is cut off is redone from scratch, and fsyncing each photo would triple its time.
    store = LocalBlobStore(Path(settings.data_dir) / "blobs", durable=False)
    now = clock.now()
    plans = _plan(session, seed, now)
    plans.sort(key=lambda p: (p.at, p.case.code, p.title))
    stage.start(len(plans))
    for p in plans:
        stage.advance()
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
    return len(plans)


def seal_demo_ledger(session: Session) -> int:
    """Seal every entry the demo recorded (case photos, shop photos, video and IoT machine evidence) into batches."""
    return len(ledger_db.seal_pending(session, batch_size=get_settings().evidence_batch_size))


def _plan(session: Session, seed: int, now: datetime) -> list[_Plan]:
    """The photos of every case: two or three taken by the lead officer when the act was seen (and a re-inspection
    after the decision on some), and on some cases the AI camera's frame that raised the alarm — all of the place
    and act the case's scenario describes."""
    cases = session.scalars(
        select(Case).where(or_(Case.filed_on.is_not(None), Case.procedure == Procedure.simple)).order_by(Case.code)
    ).all()
    plays = scenarios()
    leads = _officers(session)
    cameras, body_cams = _devices(session)
    reviewers = _reviewers(session)
    squads = {u.id: u.division_code for u in session.scalars(select(OrgUnit).where(OrgUnit.level == OrgLevel.squad))}
    showcase = iter([ReviewStatus.pending, ReviewStatus.pending, ReviewStatus.first_passed, ReviewStatus.rejected])
    plans: list[_Plan] = []
    for case in cases:
        play = plays.get(case.matter_code)
        if play is None or case.act_at is None:
            continue
        rng = random.Random(f"{seed}:evidence:{case.code}")
        lead, partner = leads.get(case.id, (None, None))
        address = case.address or "—"
        device = rng.choice(body_cams.get(case.unit_id) or ["执法记录仪"])
        seen = clock.as_utc(case.act_at)
        decided = case.status in DECIDED or case.procedure is Procedure.simple
        count = 3 if decided and case.decided_on and rng.random() < 0.35 else 2  # a re-inspection on some
        opened = clock.as_utc(case.created_at)
        simple = case.procedure is Procedure.simple
        closed = clock.as_utc(case.closed_at) if case.closed_at else now
        for i in range(count):
            if i < 2:  # taken when the act was seen, attached once the case is registered (on the spot: at once)
                captured = seen + timedelta(minutes=rng.randint(2, 12) + 4 * i)
                at = max(captured, opened) + timedelta(minutes=1 + i if simple else rng.randint(3, 40))
            else:  # the re-inspection after the decision, before the case is closed
                assert case.decided_on is not None
                captured = _on(case.decided_on + timedelta(days=rng.randint(1, 5)), rng)
                at = captured + timedelta(minutes=rng.randint(10, 60))
                if at >= closed - timedelta(hours=1):
                    continue
            if at > now - timedelta(minutes=5):
                continue
            shot = Shot(play.scene, captured, address, play.photos[i][:16], case.lng, case.lat, device,
                        rng.getrandbits(32))  # fmt: skip
            plans.append(_Plan(case, shot, at, play.photos[i], EvidenceOrigin.officer, lead))
        if play.detection is None:
            continue
        undecided = case.status not in DECIDED and case.procedure is Procedure.ordinary
        forced = next(showcase, None) if undecided and squads.get(case.unit_id) == SHOWCASE_SQUAD else None
        if forced is None and rng.random() > MACHINE_SHARE:
            continue
        review = forced or (
            rng.choice([ReviewStatus.pending, ReviewStatus.first_passed, ReviewStatus.passed, ReviewStatus.rejected])
            if undecided else ReviewStatus.passed
        )  # fmt: skip
        camera = rng.choice(cameras.get(case.unit_id) or cameras.get(None) or ["CAM-0000"])
        captured = seen - timedelta(minutes=rng.randint(1, 8))  # the frame that raised the alarm
        shot = Shot(play.scene, captured, address, "AI 智能识别", case.lng, case.lat, camera, rng.getrandbits(32),
                    detection=f"{play.detection} 0.{rng.randint(80, 97)}")  # fmt: skip
        at = clock.as_utc(case.created_at) + timedelta(minutes=rng.randint(1, 20))  # pulled from the platform
        checker = partner.name if partner else "执法队员"
        plans.append(_Plan(case, shot, at, f"视频抓拍：{play.detection}", EvidenceOrigin.machine, None, review, checker,
                           reviewers.get(case.district_id, "法制审核员")))  # fmt: skip
    return plans


def _reviewers(session: Session) -> dict[uuid.UUID | None, str]:
    """Each district's 法制审核员 (who takes the second level of the review of machine-recorded evidence)."""
    rows = session.execute(
        select(User.unit_id, User.display_name).join(UserRole, UserRole.user_id == User.id)
        .join(RoleRow, RoleRow.id == UserRole.role_id).where(RoleRow.code == "legal_reviewer").order_by(User.username)
    )  # fmt: skip
    out: dict[uuid.UUID | None, str] = {}
    for unit_id, name in rows:
        out.setdefault(unit_id, name)
    return out


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
        steps.append((2, True, p.legal, "设备经法制和技术审核、设置地点已公布，记录可作为证据"))
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
