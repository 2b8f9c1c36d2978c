"""The public shop page behind the door sign: the shop, its squad, and its obligations — 门前三包 as the local
regulation words it, its business hours, and the enforcement matters of the knowledge base that apply to its trade
where it is (the law module's recommendation, limited to the shop's region).

门前三包 in Qingdao: 《青岛市市容和环境卫生管理条例》第十一条第一款第（四）项 (临街门店由经营者负责), 第十二条第一款
(the duties), 第十二条第二款 (dissuade and report), 第十二条第三款 (责令改正；拒不改正的，罚款) and 第二十四条第一款
(no business beyond the doors and windows). The texts are read from the knowledge base, never retyped here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.core.config import Settings
from chengguan.core.errors import NotFound
from chengguan.documents.numbering import issuing_bureau
from chengguan.law.jurisdiction import region_applies, region_of
from chengguan.law.models import EnforcementMatter
from chengguan.law.schemas import RecommendRequest
from chengguan.law.service import Provisions, recommend
from chengguan.merchants.enums import STATUS_LABELS
from chengguan.merchants.models import Merchant
from chengguan.org.models import OrgUnit
from chengguan.shopfront.models import ShopProfile
from chengguan.shopfront.schemas import MatterBrief, Obligations, Provision

MATTER_LIMIT = 6


@dataclass(frozen=True)
class Frontage:
    """The 门前三包 provisions of one region's regulation, and a plain summary of them."""

    region: str
    refs: tuple[dict[str, str | None], ...]
    summary: str


QINGDAO = Frontage(
    region="370200",
    refs=(
        {"law": "qingdao-srhw", "article": "第十一条", "clause": "第一款第（四）项"},
        {"law": "qingdao-srhw", "article": "第十二条", "clause": "第一款"},
        {"law": "qingdao-srhw", "article": "第十二条", "clause": "第二款"},
        {"law": "qingdao-srhw", "article": "第十二条", "clause": "第三款"},
        {"law": "qingdao-srhw", "article": "第二十四条", "clause": "第一款"},
    ),
    summary="临街门店的经营者是门前市容和环境卫生责任区的责任人：保持责任区整洁，无乱堆乱放、无暴露垃圾和污水，"
    "按规定扫雪除冰；劝阻责任区内的违法行为，劝阻不听的及时报告；不得超出门、窗外墙经营、作业或者展示商品。",
)
FRONTAGES = (QINGDAO,)

# The words a trade's matters are found by (the recommendation scores them like an officer's description).
TRADE_WORDS = {
    "餐饮": "饭店 餐馆 店外经营 门口摆桌子 油烟 露天烧烤 餐厨垃圾 门前三包",
    "零售": "门店 店外经营 门口摆 展示商品 门前三包 乱堆乱放",
    "建材装饰": "建材 门口堆货 装修垃圾 建筑垃圾 店外经营 门前三包",
    "汽车服务": "洗车 汽修 门口修车 污水 店外经营 门前三包",
    "广告": "广告 招牌 牌匾 条幅 户外广告 门前三包",
    "物流": "快递 门口堆货 占道 店外经营 门前三包",
}
DEFAULT_WORDS = "临街门店 店外经营 门前三包 乱堆乱放"


def load_shop(session: Session, code: str) -> Merchant:
    """The shop of a door sign (404 for a code the register does not know)."""
    shop = session.scalar(select(Merchant).where(Merchant.code == code.strip().upper()))
    if shop is None:
        raise NotFound("没有这个店铺编码，请核对提示牌上的编码", code="portal.shop_not_found")
    return shop


def region(session: Session, shop: Merchant) -> str | None:
    return region_of(session.scalar(select(OrgUnit.division_code).where(OrgUnit.id == shop.unit_id)))


def obligations(session: Session, shop: Merchant, profile: ShopProfile | None) -> Obligations:
    """门前三包, business hours and the matters of the shop's trade where the shop is."""
    place = region(session, shop)
    provisions = Provisions(session)
    frontage = next((f for f in FRONTAGES if place and region_applies(f.region, place)), None)
    quoted = []
    if frontage is not None:
        for ref in frontage.refs:
            p = provisions.resolve(ref)
            quoted.append(Provision(citation=f"《{p.law}》{p.article}{p.clause or ''}", text=p.text))
    words = TRADE_WORDS.get(shop.business_type, DEFAULT_WORDS)
    ranked = recommend(session, RecommendRequest(text=words, region=place, limit=MATTER_LIMIT)).items
    matters = {
        m.code: m
        for m in session.scalars(select(EnforcementMatter).where(EnforcementMatter.code.in_([r.matter_code
                                                                                           for r in ranked])))
    }  # fmt: skip
    briefs = []
    for item in ranked:
        cited = "、".join(f"《{p.law}》{p.article}{p.clause or ''}" for p in item.violated_articles)
        briefs.append(MatterBrief(code=item.matter_code, name=item.name, citation=cited,
                                  description=matters[item.matter_code].description))  # fmt: skip
    return Obligations(
        frontage=quoted,
        frontage_summary=frontage.summary if frontage else "请遵守所在地市容和环境卫生责任区的规定。",
        business_hours=profile.business_hours if profile else None,
        matters=briefs,
    )


def storefront_url(shop: Merchant, profile: ShopProfile | None) -> str | None:
    if profile is None or profile.storefront_sha256 is None:
        return None
    return f"/api/v1/portal/shops/{shop.code}/storefront?v={profile.storefront_sha256[:12]}"


def squad_of(session: Session, shop: Merchant) -> tuple[str, str | None, str]:
    """(squad name, its phone, the bureau) printed on the page."""
    squad = session.get(OrgUnit, shop.unit_id)
    bureau = issuing_bureau(session, shop.unit_id)
    return (squad.name if squad else "", squad.phone if squad else None, bureau.name)


def status_label(shop: Merchant) -> str:
    return STATUS_LABELS[shop.status]


def profile_of(session: Session, shop: Merchant) -> ShopProfile | None:
    return session.scalar(select(ShopProfile).where(ShopProfile.merchant_id == shop.id))


def public_url(settings: Settings, shop: Merchant) -> str:
    return f"{settings.public_base_url.rstrip('/')}/portal/shop/{shop.code}"
