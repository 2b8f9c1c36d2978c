"""Demo penalty cases: ~560 cases of both procedures, each generated from the scenario of its matter and walked
through the real workflow at its own past dates.

A case's matter is one in force where its squad is (national, 山东省 or 青岛市 law: 立法法 第八十条、第八十一条), and
its scenario (``scenarios.toml``) decides who the party is, where the act happened (a street of the squad's area, on
a grid of the squad), what the facts say and what the photos show — so facts, place, evidence, documents and the
disclosure all describe the same act. The fine lies in the matter's range for the party type (and under 第五十一条's
caps on the spot). Every step goes through ``cases.workflow.decide`` and the service's lawfulness checks on the day
it happens (see ``walk``); the walk of each case stops at a target state spread over every state, so every list has
something true to show. Parties are synthetic with valid check digits; nothing is dated after now.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.cases.enums import FILED_UNDECIDED, CaseAction, CaseStatus, MerchantKind, Procedure
from chengguan.cases.models import Case, CaseOfficer
from chengguan.cases.supervision import sweep
from chengguan.cases.timeline import add_event
from chengguan.cases.workflow import decision_kind_for
from chengguan.core import clock
from chengguan.core.idnumbers import ric_check_digit, uscc_check_char
from chengguan.core.principals import Actor
from chengguan.core.progress import SILENT, Stage
from chengguan.demo.places import street_address
from chengguan.demo.scenarios import Scenario, scenarios
from chengguan.demo.walk import Crew, walk
from chengguan.law.applicability import applicable_codes
from chengguan.law.assess import SIMPLE_PROCEDURE_CAP_FEN
from chengguan.law.enums import PartyType, PenaltyKind
from chengguan.law.models import EnforcementMatter, HearingThreshold
from chengguan.merchants.models import Merchant
from chengguan.org.models import Grid

A, S = CaseAction, CaseStatus
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲梅"
FIRM_WORDS = "鑫盛顺达恒兴海润福瑞嘉和宏远金利华泰"
FIRM_KINDS = {
    "company": ("商贸", "实业", "置业", "贸易发展"),
    "builder": ("建设工程", "建筑安装", "土石方工程", "渣土运输"),
    "property": ("物业服务", "物业管理"),
}
# Where walks stop (weights): every state has cases, most are done or well on their way.
TARGETS = {
    S.registered: 3, S.preliminary_check: 4, S.filing_approval: 4, S.investigation: 10, S.case_review: 4,
    S.legal_review: 2, S.collective_discussion: 2, S.prior_notice: 3, S.statement: 5, S.hearing: 2,
    S.decision_approval: 4, S.service: 3, S.execution: 8, S.closure_approval: 3, S.closed: 8, S.archived: 25,
    S.declined: 2, S.withdrawn: 2, S.transferred: 2, S.suspended: 2,
}  # fmt: skip
SIMPLE_TARGETS = {S.on_site: 1, S.execution: 2, S.closed: 2, S.archived: 5}
SHOP_WEIGHT = 4


@dataclass(frozen=True)
class Party:
    type: PartyType
    name: str
    id_no: str
    address: str
    representative: str | None = None
    shop: Merchant | None = None


def seed_cases(
    session: Session, seed: int = 2026, count: int = 560, merchants: Sequence[Merchant] = (), stage: Stage = SILENT
) -> int:
    """Add ``count`` walked cases (ordinary ~80 %, simple ~20 %) and run the 督查 sweep; returns the number added."""
    rng = random.Random(seed)
    cal = work_calendar(session)
    crews = Crew.all(session)
    hearing = session.scalar(select(HearingThreshold).where(HearingThreshold.region_code.is_(None)))
    by_code = {m.code: m for m in session.scalars(select(EnforcementMatter).order_by(EnforcementMatter.code))}
    plays = scenarios()
    grids: dict[uuid.UUID, list[Grid]] = {}
    for grid in session.scalars(select(Grid).order_by(Grid.grid_code)):
        grids.setdefault(grid.squad_id, []).append(grid)
    shops: dict[uuid.UUID, list[Merchant]] = {}
    for m in merchants:
        shops.setdefault(m.unit_id, []).append(m)
    today = clock.local_now().date()
    in_force = {crew.region: applicable_codes(session, crew.region) for crew in crews}
    repeat: list[Party] = []
    stage.start(count)
    added = 0
    for n in range(count):
        crew = rng.choice(crews)
        simple = rng.random() < 0.2
        target = _target(rng, simple)
        choices = [
            plays[c] for c in sorted(in_force[crew.region] & plays.keys()) if _usable(by_code[c], plays[c], simple)
        ]
        if target is S.hearing:  # a hearing needs a fine of 较大数额 (第六十三条): a matter whose range reaches it
            choices = [p for p in choices if _reaches(by_code[p.matter], _party_type(by_code[p.matter], p), hearing)]
        # shops' street-order matters are most of a squad's daily cases (and give the shop register its records)
        play = rng.choices(choices, weights=[SHOP_WEIGHT if p.party == "shop" else 1 for p in choices])[0]
        matter = by_code[play.matter]
        party = _party(rng, n, play, matter, shops.get(crew.unit.id, []), repeat)
        repeat.append(party)
        overdue = not simple and target in (S.investigation, S.case_review) and rng.random() < 0.35
        undecided = target in FILED_UNDECIDED or target in (S.registered, S.preliminary_check, S.filing_approval)
        span = (100, 130) if overdue else (3, 60) if undecided else (20, 150)
        start = today - timedelta(days=rng.randint(*span))
        case = _open(session, rng, n, crew, matter, play, party, simple, start, hearing, target, grids)
        walk(session, rng, case, crew, target, start, today, cal)
        added += 1
        stage.advance()
    session.flush()
    sweep(session)
    return added


def _target(rng: random.Random, simple: bool) -> CaseStatus:
    targets = SIMPLE_TARGETS if simple else TARGETS
    return rng.choices(list(targets), weights=list(targets.values()))[0]


def _party_type(matter: EnforcementMatter, play: Scenario) -> PartyType:
    """Who the scenario's offender is in law: a person (shop owner, driver, passer-by) or an organisation; a matter
    that fines only organisations (or only persons) decides it."""
    if matter.individual_max_fen is None and matter.organization_max_fen is not None:
        return PartyType.organization
    if matter.organization_max_fen is None and matter.individual_max_fen is not None:
        return PartyType.individual
    return PartyType.individual if play.party in ("individual", "driver", "shop") else PartyType.organization


def _bounds(matter: EnforcementMatter, party: PartyType) -> tuple[int | None, int | None]:
    if party is PartyType.individual:
        return matter.individual_min_fen, matter.individual_max_fen
    return matter.organization_min_fen, matter.organization_max_fen


def _usable(matter: EnforcementMatter, play: Scenario, simple: bool) -> bool:
    """A fine can be decided on the matter for the scenario's party (a fixed statutory range), within 第五十一条's cap
    on the spot; or, failing a fine, the matter names a warning."""
    party = _party_type(matter, play)
    low, high = _bounds(matter, party)
    if low is None or high is None:
        return PenaltyKind.warning.value in matter.penalty_kinds and matter.status == "active"
    if simple:
        return low <= SIMPLE_PROCEDURE_CAP_FEN[party] and matter.status == "active"
    return matter.status == "active"


def _reaches(matter: EnforcementMatter, party: PartyType, hearing: HearingThreshold | None) -> bool:
    """Whether a fine of 较大数额 (第六十三条) is possible under this matter for this party."""
    high = _bounds(matter, party)[1]
    threshold = None if hearing is None else (
        hearing.individual_fen if party is PartyType.individual else hearing.organization_fen
    )  # fmt: skip
    return threshold is not None and high is not None and high >= threshold


def _fine(rng: random.Random, matter: EnforcementMatter, party: PartyType, simple: bool) -> int | None:
    """A fine in the statutory range (under 第五十一条's cap on the spot), mostly near its lower end as a first
    offence corrected in time is, in round figures."""
    low, high = _bounds(matter, party)
    if low is None or high is None:
        return None
    if simple:
        high = min(high, SIMPLE_PROCEDURE_CAP_FEN[party])
    step = 50_00 if high - low <= 2_000_00 else 500_00 if high - low <= 50_000_00 else 1_000_00
    value = low + int((high - low) * rng.random() ** 3 * 0.6)
    value = max(low, min(high, (value // step) * step))
    return value or min(high, step)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _ric(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
    body = f"370202{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric_check_digit(body)


def _party(
    rng: random.Random, n: int, play: Scenario, matter: EnforcementMatter, shops: list[Merchant], earlier: list[Party]
) -> Party:
    """The offender the scenario names; a registered shop of the squad for shop scenarios (an individual business
    answers through its operator, a company as itself), now and then someone who offended before (repeat)."""
    kind = _party_type(matter, play)
    again = [p for p in earlier if p.type is kind and (p.shop is not None) == (play.party == "shop")]
    if again and rng.random() < 0.06:
        return rng.choice(again)
    if play.party == "shop" and shops:
        regulars = [p for p in earlier if p.shop is not None and p.shop.unit_id == shops[0].unit_id and p.type is kind]
        if regulars and rng.random() < 0.3:  # shops that offend again: their record shows on the shop's page
            return rng.choice(regulars)
        shop = rng.choice(shops)
        address = shop.address.split("（")[0]
        if kind is PartyType.individual and shop.kind is MerchantKind.individual_business and shop.operator_id_no:
            return Party(kind, shop.operator_name, shop.operator_id_no, address, shop=shop)
        if kind is PartyType.organization and shop.uscc:
            return Party(kind, shop.name, shop.uscc, address, shop.operator_name, shop=shop)
    if kind is PartyType.individual:
        return Party(kind, _name(rng), _ric(rng), f"青岛市{street_address(rng, '370202003')}")
    words = FIRM_KINDS.get(play.party, FIRM_KINDS["company"])
    body = f"91370202MA{rng.randint(0, 10**7 - 1):07d}"[:17]
    name = f"青岛{''.join(rng.sample(FIRM_WORDS, 2))}{rng.choice(words)}有限公司"
    return Party(kind, name, body + uscc_check_char(body), f"青岛市{street_address(rng, '370203001')}", _name(rng))


def _act_time(rng: random.Random, day: date, play: Scenario) -> datetime:
    """When the act was seen: evenings for night scenes (噪声、烧烤), working hours otherwise."""
    start, span = (time(20, 0), 200) if play.at_night else (time(8, 30), 540)
    local = datetime.combine(day, start, clock.SHANGHAI) + timedelta(minutes=rng.randint(0, span))
    return local.astimezone(UTC)


def _open(
    session: Session,
    rng: random.Random,
    n: int,
    crew: Crew,
    matter: EnforcementMatter,
    play: Scenario,
    party: Party,
    simple: bool,
    start: date,
    hearing: HearingThreshold | None,
    target: CaseStatus,
    grids: dict[uuid.UUID, list[Grid]],
) -> Case:
    fine = _fine(rng, matter, party.type, simple)
    if target is S.hearing and hearing is not None and party.type is PartyType.individual:
        fine = max(hearing.individual_fen, matter.individual_min_fen or 0)
    elif target is S.hearing and hearing is not None:
        fine = max(hearing.organization_fen, matter.organization_min_fen or 0)
    kinds = [PenaltyKind.fine.value] if fine is not None else [PenaltyKind.warning.value]
    threshold = None if hearing is None else (
        hearing.individual_fen if party.type is PartyType.individual else hearing.organization_fen
    )  # fmt: skip
    if party.shop is not None and play.party == "shop":
        where, grid_code = party.address, party.shop.grid_code
        lng, lat = round(party.shop.lng or 0, 6), round(party.shop.lat or 0, 6)
    else:
        grid = rng.choice(grids[crew.unit.id])
        where = f"青岛市{street_address(rng, crew.unit.division_code)}"
        lng = round(grid.centroid_lng + rng.uniform(-4e-4, 4e-4), 6)
        lat = round(grid.centroid_lat + rng.uniform(-3e-4, 3e-4), 6)
        grid_code = grid.grid_code
    addr = f"{where}{play.place}"
    act_day = start - timedelta(days=0 if simple else rng.randint(0, 3))
    act_at = _act_time(rng, act_day, play)
    local = act_at.astimezone(clock.SHANGHAI)
    facts = f"当事人{party.name}于{local:%Y年%-m月%-d日%-H时%M分}许，{play.facts_at(rng, addr)}"
    opened = max(act_at + timedelta(minutes=rng.randint(20, 90)), _office_hours(rng, start))
    case = Case(
        id=uuid.uuid4(),
        code=f"{'JY' if simple else 'AJ'}{start.year}D{n:06d}",
        procedure=Procedure.simple if simple else Procedure.ordinary,
        status=S.on_site if simple else S.registered,
        unit_id=crew.unit.id,
        district_id=crew.unit.parent_id,
        matter_code=matter.code,
        matter_name=matter.name,
        knowledge_version=f"{matter.code}@{matter.version}",
        party_type=party.type,
        party_name=party.name,
        party_id_no=party.id_no,
        party_phone=(party.shop.phone if party.shop else None) or f"170{rng.randint(0, 10**8 - 1):08d}",
        party_address=party.address,
        party_representative=party.representative,
        merchant_id=party.shop.id if party.shop else None,
        facts=facts,
        address=addr,
        lng=lng,
        lat=lat,
        grid_code=grid_code,
        act_on=local.date(),
        act_at=act_at,
        penalty_kinds=kinds,
        fine_fen=fine,
        penalty_reasoning=_reasoning(matter, party.type, fine, facts),
        hearing_right=bool(fine is not None and threshold is not None and fine >= threshold),
        legal_review_grounds=["complex"] if target is S.legal_review or (not simple and rng.random() < 0.15) else [],
        discussion_required=target is S.collective_discussion or (not simple and rng.random() < 0.08),
        statement_days=rng.choice((3, 5)),
        decision_kind=decision_kind_for(A.submit_decision) if simple else None,
        remedy_periods=[],
        created_at=opened,
        updated_at=opened,
    )
    session.add(case)
    session.flush()  # the column defaults (counters, flags) are on the object from here on
    lead, partner = crew.pair(rng)
    session.add_all([CaseOfficer(case_id=case.id, officer_id=lead.id, lead=True),
                     CaseOfficer(case_id=case.id, officer_id=partner.id, lead=False)])  # fmt: skip
    add_event(session, case, "create", Actor("staff", lead.user_id, lead.name), opened, to_status=case.status,
                      data={"procedure": case.procedure.value, "matter": case.knowledge_version})  # fmt: skip
    return case


def _office_hours(rng: random.Random, day: date) -> datetime:
    local = datetime.combine(day, time(9, 0), clock.SHANGHAI) + timedelta(minutes=rng.randint(0, 420))
    return local.astimezone(UTC)


# Facts that say the party did not put it right: the reasoning must not say it did.
_NOT_RECTIFIED = ("未改正", "拒不", "仍未", "逾期")


def _reasoning(matter: EnforcementMatter, party: PartyType, fine: int | None, facts: str) -> str:
    """The discretion reasoning, consistent with the facts it follows (a reviewer reads both)."""
    if fine is None:
        return "违法情节轻微，依法给予警告并责令改正"
    low, high = _bounds(matter, party)
    if any(word in facts for word in _NOT_RECTIFIED):
        circumstances = "经责令改正未改正，但未造成其他危害后果"
    else:
        circumstances = "经责令已改正，危害后果一般"
    return (f"当事人{circumstances}，依据自由裁量基准“一般”阶次，在法定幅度"
            f"{(low or 0) // 100}元至{(high or 0) // 100}元内确定罚款{fine // 100}元")  # fmt: skip
