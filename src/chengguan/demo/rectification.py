"""Demo notices and the merchant H5: the 八大关 squad's shops hold 温馨提醒 and 责令（限期）整改通知 at every stage —
waiting for the shop, photos awaiting the officer's confirmation, a re-inspection, a rejection, done, and one order
ignored past its due date that became a case source (channel rectification_overdue) — with the shops that received
them claimed in the portal, an agent's claim waiting for approval, and problems the shops reported (channel
merchant).

Everything goes through the real services at past instants (``clock.frozen``), in time order: the notices' numbers,
timelines, SMS, the photos in the evidence ledger (origin party), the case sources. Warning-first rules are set for
the shop matters, and every warning rests on a decision made from the shop's real history. Nothing is dated after
now; due dates may lie ahead (a deadline is not an event).
"""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.enums import MerchantStatus
from chengguan.cases.models import Case
from chengguan.core import clock
from chengguan.core.config import Settings, get_settings
from chengguan.core.principals import Actor
from chengguan.core.progress import SILENT, Stage
from chengguan.demo.scenes import Shot, render
from chengguan.evidence import service as evidence
from chengguan.identity.models import MerchantAccount, User
from chengguan.intake.enums import SourceAction
from chengguan.intake.models import CaseSource
from chengguan.intake.service import transition
from chengguan.intake.workflow import ActionInput, Capabilities
from chengguan.law.models import EnforcementMatter
from chengguan.merchants.models import Merchant
from chengguan.org.models import OrgUnit
from chengguan.rectification import actions, leniency, notices, repository, tasks
from chengguan.rectification.enums import Harm, NoticeKind, NoticeOrigin, RectAction, Suggestion
from chengguan.rectification.models import WarningDecision, WarningRule
from chengguan.rectification.schemas import NoticeCreate
from chengguan.shopfront import reports
from chengguan.shopfront.enums import ClaimMethod, ClaimStatus
from chengguan.shopfront.models import ShopClaim, ShopProfile
from chengguan.shopfront.schemas import ReportIn

SHOWCASE_SQUAD = "370202003"  # 八大关
STREET = "09005-QD-01"  # 店外经营
FRONTAGE = "06012-QD-01"  # 门前三包
OCCUPY = "09006-QD-01"  # 占道经营
RULES = {FRONTAGE: 365, STREET: 365, OCCUPY: 180}
TEXTS = {
    STREET: ("当事人在店门外人行道摆放货架和商品，占用人行道约{n}平方米", "将店外货架和商品移回店内，恢复人行道通行"),
    FRONTAGE: ("当事人门前责任区内堆放纸箱等杂物，地面有污水，未保持责任区整洁", "清理门前杂物和污水，保持责任区整洁"),
    OCCUPY: ("当事人在店铺东侧人行道上摆设摊位销售商品，占用人行道约{n}平方米", "撤除摊位，停止占道经营"),
}


@dataclass(frozen=True)
class Plan:
    """One notice of the demo: what, how long ago, how long to comply, and how far it has got."""

    kind: NoticeKind
    matter: str
    days_ago: int
    days_to_comply: int
    end: str  # pending | submitted | reinspection | rejected | confirmed | escalated


PLANS = (
    Plan(NoticeKind.rectification_order, STREET, 30, 5, "confirmed"),
    Plan(NoticeKind.warning, FRONTAGE, 21, 3, "confirmed"),
    Plan(NoticeKind.rectification_order, STREET, 12, 5, "escalated"),
    Plan(NoticeKind.rectification_order, FRONTAGE, 6, 7, "rejected"),
    Plan(NoticeKind.rectification_order, OCCUPY, 4, 3, "reinspection"),
    Plan(NoticeKind.rectification_order, STREET, 3, 5, "submitted"),
    Plan(NoticeKind.warning, FRONTAGE, 2, 3, "submitted"),
    Plan(NoticeKind.rectification_order, OCCUPY, 2, 4, "submitted"),
    Plan(NoticeKind.rectification_order, FRONTAGE, 1, 5, "pending"),
    Plan(NoticeKind.warning, STREET, 1, 3, "pending"),
)
REPORTS = (
    ("06010", "隔壁空置商铺门口堆放生活垃圾，已有三天无人清运，气味很大", "garbage", 3),
    ("06036", "人行道上有人长期堆放废旧家具，影响行人通行", "street", 2),
    ("09006", "每天傍晚店铺东侧路口有流动摊贩占道经营，堵塞人行道", "stall", 1),
)


def _at(days_ago: int, hour: int, now: datetime) -> datetime:
    local = datetime.combine(clock.local_now().date() - timedelta(days=days_ago), time(hour, 0), clock.SHANGHAI)
    return min(local, now - timedelta(minutes=30))


def _photo(shop: Merchant, at: datetime, caption: str, scene: str, seed: int) -> bytes:
    return render(Shot(scene=scene, captured_at=at, address=shop.address, caption=caption, lng=shop.lng,
                       lat=shop.lat, device="商户手机", seed=seed))  # fmt: skip


def _letter() -> bytes:
    image = Image.new("RGB", (600, 800), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 580, 780), outline=(0, 0, 0), width=3)
    for n in range(12):
        draw.line((60, 120 + n * 45, 540, 120 + n * 45), fill=(180, 180, 180), width=2)
    draw.ellipse((400, 620, 540, 760), outline=(200, 0, 0), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_rectification(
    session: Session, data_dir: Path | str | None = None, seed: int = 2026, stage: Stage = SILENT
) -> int:
    """Load the demo's notices, claims, profiles and merchant reports; returns the number of notices."""
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    rng = random.Random(seed + 19)
    now = clock.now()
    for code, days in RULES.items():
        session.add(WarningRule(matter_code=code, window_days=days, updated_by_name="八大关中队长",
                                note="门店类轻微违法：首次温馨提醒并责令限期改正"))  # fmt: skip
    squad = session.scalar(select(OrgUnit).where(OrgUnit.division_code == SHOWCASE_SQUAD))
    officer = session.scalar(select(User).where(User.username == "bdg_officer"))
    if squad is None or officer is None:
        return 0
    with_cases = set(session.scalars(select(Case.merchant_id).where(Case.merchant_id.is_not(None))))
    shops = [s for s in session.scalars(select(Merchant).where(Merchant.unit_id == squad.id,
                                                               Merchant.status == MerchantStatus.operating)
                                        .order_by(Merchant.code)) if s.id not in with_cases and s.phone]  # fmt: skip
    stage.start(len(PLANS) + len(REPORTS) + 1)
    matters = {m.code: m for m in session.scalars(select(EnforcementMatter).where(EnforcementMatter.code.in_(RULES)))}
    actor = Actor("staff", officer.id, officer.display_name)
    made = 0
    for n, (plan, shop) in enumerate(zip(PLANS, shops, strict=False)):
        stage.advance()
        _claim(session, shop, _at(plan.days_ago, 8, now))
        _notice(session, settings, rng, plan, shop, matters[plan.matter], officer, actor, now, n)
        made += 1
    claimed = shops[: len(PLANS)]
    _agent_claim(session, settings, shops[len(PLANS)] if len(shops) > len(PLANS) else None, now)
    stage.advance()
    for n, (category, text, scene, days_ago) in enumerate(REPORTS):
        stage.advance()
        if n < len(claimed):
            _report(session, settings, claimed[n], category, text, scene, _at(days_ago, 17, now), n)
    evidence.seal_pending(session, settings)  # the shops' photos sealed like the rest of the demo's ledger
    session.flush()
    return made


def _claim(session: Session, shop: Merchant, at: datetime) -> None:
    with clock.frozen(at):
        account = MerchantAccount(phone=shop.phone, display_name=shop.operator_name, password_hash="!")
        session.add(account)
        session.flush()
        shop.account_id = account.id
        session.add(ShopClaim(merchant_id=shop.id, account_id=account.id, method=ClaimMethod.licence,
                              status=ClaimStatus.approved, decided_at=at))  # fmt: skip
        hours = random.Random(shop.code).choice(("08:00-21:00", "09:00-22:00", "07:30-20:30", "10:00-23:00"))
        session.add(ShopProfile(merchant_id=shop.id, business_hours=hours, contact_name=shop.operator_name))


def _notice(session: Session, settings: Settings, rng: random.Random, plan: Plan, shop: Merchant,
            matter: EnforcementMatter, officer: User, actor: Actor, now: datetime, n: int) -> None:  # fmt: skip
    issued = _at(plan.days_ago, 9 + n % 5, now)
    facts, requirement = TEXTS[plan.matter]
    due = issued.astimezone(clock.SHANGHAI).date() + timedelta(days=plan.days_to_comply)
    data = NoticeCreate(kind=plan.kind, merchant_id=shop.id, matter_code=matter.code,
                        facts=facts.format(n=rng.randint(2, 8)), requirement=requirement, due_date=due,
                        origin=NoticeOrigin.patrol if n % 3 else NoticeOrigin.shop_page)  # fmt: skip
    with clock.frozen(issued):
        decision = _decision(session, shop, matter, officer, issued) if plan.kind is NoticeKind.warning else None
        by = (officer.id, officer.display_name, officer.officer_id)
        notice = notices.create(session, settings, actor, shop, matter, data, decision=decision, source=None,
                                issued_by=by, seal=False)  # fmt: skip
    owner = Actor("merchant", shop.account_id, shop.operator_name)
    steps = {"confirmed": 2, "rejected": 1, "reinspection": 1, "submitted": 1}.get(plan.end, 0)
    for step in range(steps):
        taken = min(issued + timedelta(hours=20 + 24 * step * 2), now - timedelta(minutes=20 - step))
        with clock.frozen(taken):
            photo = _photo(shop, taken - timedelta(minutes=3), "整改后现场", "tidy", n * 10 + step)
            photos = [actions.Photo(photo, "整改照片.jpg", "image/jpeg", taken - timedelta(minutes=3), shop.lng,
                                    shop.lat, "商户手机")]  # fmt: skip
            actions.submit(session, settings, owner, shop.account_id, notice, photos, "已按要求整改")
        later = min(taken + timedelta(hours=3), now - timedelta(minutes=10 - step))
        if plan.end == "submitted":
            break
        with clock.frozen(later):
            if plan.end == "reinspection":  # the visit is tomorrow (real time): a date still ahead in the demo
                visit = now.astimezone(clock.SHANGHAI).date() + timedelta(days=1)
                actions.officer_act(session, notice, RectAction.schedule_reinspection, actor, reinspection_on=visit)
            elif step == 0 and plan.kind is NoticeKind.rectification_order:
                actions.officer_act(session, notice, RectAction.reject, actor, reason="照片显示门前仍有货架未清理完毕")
            else:
                actions.officer_act(session, notice, RectAction.confirm, actor)
                break
    if plan.end == "escalated":
        overdue_day = min(_at(plan.days_ago - plan.days_to_comply - 1, 0, now) + timedelta(minutes=5), now)
        with clock.frozen(overdue_day):
            source = tasks.escalate_one(session, settings, notice, "overdue")
            if source is not None:
                caps = Capabilities(manage=True)
                transition(session, source, SourceAction.accept, actor, ActionInput(), caps)


def _decision(session: Session, shop: Merchant, matter: EnforcementMatter, officer: User,
              at: datetime) -> WarningDecision | None:  # fmt: skip
    """Warning first from the shop's real history (as ``rectification.warning.record`` decides)."""
    window = RULES[matter.code]
    since = at - timedelta(days=window)
    ids = [i for i in (shop.uscc, shop.operator_id_no) if i]
    history = leniency.History(repository.prior_notices(session, shop.id, matter.code, since),
                               repository.prior_cases(session, shop.id, ids, matter.code, since))  # fmt: skip
    rule = leniency.LeniencyRule(matter.code, True, window)
    decided = leniency.decide(rule, matter.first_offense_exempt_possible, Harm.minor, history)
    if decided.outcome is not Suggestion.warning:
        return None
    row = WarningDecision(matter_code=matter.code, merchant_id=shop.id, outcome=decided.outcome, rule=decided.rule,
                          reason=decided.reason, facts={"harm": "minor", "window_days": window,
                                                        "prior_notices": history.notices,
                                                        "prior_cases": history.cases},
                          decided_by_id=officer.id, decided_by_name=officer.display_name, decided_at=at)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _agent_claim(session: Session, settings: Settings, shop: Merchant | None, now: datetime) -> None:
    """A 委托人 waiting for the squad to approve the letter of authorisation."""
    if shop is None:
        return
    from chengguan.evidence.store import blob_store

    at = now - timedelta(hours=5)
    with clock.frozen(at):
        account = MerchantAccount(phone=f"137{uuid.uuid5(uuid.NAMESPACE_URL, shop.code).int % 10**8:08d}",
                                  display_name="赵受托", password_hash="!")  # fmt: skip
        session.add(account)
        session.flush()
        stored = blob_store(settings).put(_letter())
        session.add(ShopClaim(merchant_id=shop.id, account_id=account.id, method=ClaimMethod.agent,
                              status=ClaimStatus.pending, agent_name="赵受托", letter_sha256=stored.sha256,
                              letter_mime="image/png", letter_filename="授权委托书.png"))  # fmt: skip


def _report(session: Session, settings: Settings, shop: Merchant, category: str, text: str, scene: str,
            at: datetime, n: int) -> None:  # fmt: skip
    account = session.get(MerchantAccount, shop.account_id)
    assert account is not None
    with clock.frozen(at):
        photo = _photo(shop, at - timedelta(minutes=2), "商户随手拍", scene, 500 + n)
        data = ReportIn(category_code=category, description=text, address=f"{shop.address}附近",
                        lng=(shop.lng or 0) + 0.0004, lat=shop.lat)  # fmt: skip
        row = reports.submit(session, settings, Actor("merchant", account.id, shop.name), account, shop, data, photo,
                             "photo.jpg", "image/jpeg", key=f"demo-{shop.code}-{n}")  # fmt: skip
    if n == 0 and row.case_source_id is not None:
        source = session.get(CaseSource, row.case_source_id)
        with clock.frozen(at + timedelta(hours=1)):
            transition(session, source, SourceAction.accept, Actor("system", None, "指挥中心"), ActionInput(),
                       Capabilities(manage=True))  # fmt: skip
