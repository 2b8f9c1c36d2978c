"""Demo merchants: ~30 synthetic shops per street squad, placed at grid centres along the squad's streets.

Individual businesses (个体工商户) answer through their operator's ID number, companies through their USCC; the
demo cases pick many of their parties from here, so shop pages and case pages show a real record.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.enums import MerchantKind, MerchantStatus
from chengguan.core.idnumbers import ric_check_digit, uscc_check_char
from chengguan.core.progress import SILENT, Stage
from chengguan.demo.cases import GIVEN, SURNAMES
from chengguan.demo.places import street_address
from chengguan.merchants.models import Merchant
from chengguan.merchants.service import next_code
from chengguan.org.models import Grid, OrgUnit

TRADES = (  # (经营类别, 店名后缀)
    ("餐饮", ("饭店", "烧烤", "面馆", "海鲜酒家", "水饺馆")),
    ("零售", ("便利店", "水果店", "百货商店", "烟酒店", "超市")),
    ("建材装饰", ("建材商行", "装饰工程部", "五金店")),
    ("汽车服务", ("汽车美容店", "洗车行", "汽修厂")),
    ("广告", ("广告设计部", "图文快印店")),
    ("物流", ("快递驿站", "物流配送站")),
)
FIRM_WORDS = "鑫盛顺达恒兴海润福瑞嘉和宏远金利华泰"
PER_SQUAD = 30


def _ric(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
    body = f"370202{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + ric_check_digit(body)


def _uscc(rng: random.Random, individual: bool) -> str:
    # 92 = 个体工商户, 91 = 企业; then the registering authority's division code and a synthetic body
    body = f"{'92' if individual else '91'}370202MA{rng.randint(0, 10**7 - 1):07d}"[:17]
    return body + uscc_check_char(body)


def seed_merchants(session: Session, seed: int = 2026, stage: Stage = SILENT) -> list[Merchant]:
    """Add ``PER_SQUAD`` shops to every squad that has grids; returns them."""
    rng = random.Random(seed * 7 + 1)
    grids = list(session.scalars(select(Grid).order_by(Grid.grid_code)))
    by_squad: dict[object, list[Grid]] = {}
    for grid in grids:
        by_squad.setdefault(grid.squad_id, []).append(grid)
    out: list[Merchant] = []
    used: set[str] = set()
    divisions = dict(session.execute(select(OrgUnit.id, OrgUnit.division_code)).tuples().all())
    stage.start(PER_SQUAD * len(by_squad))
    for squad_id, own in by_squad.items():
        for _ in range(PER_SQUAD):
            grid = rng.choice(own)
            trade, suffixes = rng.choice(TRADES)
            operator = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            individual = rng.random() < 0.65
            uscc = _uscc(rng, individual)
            while uscc in used:
                uscc = _uscc(rng, individual)
            used.add(uscc)
            brand = operator[0] + rng.choice(FIRM_WORDS) if individual else "".join(rng.sample(FIRM_WORDS, 2))
            name = f"{brand}{rng.choice(suffixes)}" if individual else f"青岛{brand}{trade}有限公司"
            merchant = Merchant(
                code=next_code(session),
                name=name,
                kind=MerchantKind.individual_business if individual else MerchantKind.enterprise,
                uscc=uscc,
                operator_name=operator,
                operator_id_no=_ric(rng) if individual else None,
                phone=f"139{rng.randint(0, 10**8 - 1):08d}",
                business_type=trade,
                address=f"青岛市{street_address(rng, divisions[squad_id])}（{grid.name[:-6]}）",
                lng=grid.centroid_lng + rng.uniform(-0.0008, 0.0008),
                lat=grid.centroid_lat + rng.uniform(-0.0006, 0.0006),
                grid_code=grid.grid_code,
                unit_id=squad_id,
                status=MerchantStatus.closed if rng.random() < 0.04 else MerchantStatus.operating,
            )
            session.add(merchant)
            stage.advance()
            out.append(merchant)
    session.flush()
    return out
