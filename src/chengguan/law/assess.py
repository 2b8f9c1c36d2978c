"""The penalty calculator: matter + party + circumstances → tier, fine range, suggestion and procedural flags.

Pure rules; every threshold names its article of 《中华人民共和国行政处罚法》(2021):
- 第三十条/第三十一条/第三十二条 — no penalty for under-14s and for persons unable to recognise their acts;
  应当从轻或者减轻 for 14–18 and the five circumstances of 第三十二条; 可以从轻或者减轻 for partial incapacity;
- 第三十三条 — 轻微并及时改正、没有造成危害后果的，不予行政处罚 (mandatory); 初次违法且危害后果轻微并及时改正的，
  可以不予行政处罚 (the discretion standard decides); 没有主观过错的，不予行政处罚; and in every case of no penalty
  行政机关应当对当事人进行教育;
- 第五十一条 — on-the-spot decision only for 公民二百元以下、法人或者其他组织三千元以下罚款或者警告;
- 第五十八条 — 法制审核 before the decision for 重大公共利益, 经过听证程序, 疑难复杂/多个法律关系;
- 第六十三条 — hearing right for 较大数额罚款 (threshold set per province) and for 责令停产停业、责令关闭、吊销许可证件.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chengguan.law.enums import PENALTY_KIND_LABELS, TIER_LABELS, PartyType, PenaltyKind, Tier

# 第五十一条: 公民二百元以下、法人或者其他组织三千元以下 (fen)
SIMPLE_PROCEDURE_CAP_FEN = {PartyType.individual: 200_00, PartyType.organization: 3_000_00}

# 第三十二条 (应当从轻或者减轻) and 第三十条 second half (已满十四周岁不满十八周岁)
MANDATORY_MITIGATION = {
    "minor_14_to_18": "已满十四周岁不满十八周岁（第三十条）",
    "eliminated_harm": "主动消除或者减轻违法行为危害后果（第三十二条第（一）项）",
    "coerced_or_induced": "受他人胁迫或者诱骗实施违法行为（第三十二条第（二）项）",
    "confessed_unknown": "主动供述行政机关尚未掌握的违法行为（第三十二条第（三）项）",
    "meritorious": "配合行政机关查处违法行为有立功表现（第三十二条第（四）项）",
    "other_mitigating_by_law": "法律、法规、规章规定的其他应当从轻或者减轻情形（第三十二条第（五）项）",
}
# 第三十一条 third sentence: 可以从轻或者减轻
OPTIONAL_MITIGATION = {"partial_incapacity": "尚未完全丧失辨认或者控制自己行为能力（第三十一条）"}
# Aggravating circumstances recognised by discretion standards (not statutory kinds; each weighs one step).
AGGRAVATING = {
    "refused_correction": "拒不改正或者整改不到位",
    "obstructed_enforcement": "阻碍、抗拒执法或者隐匿、销毁证据",
    "major_event_period": "在重大活动保障期间或者重点区域实施",
    "public_complaints": "造成恶劣社会影响或者被群众多次投诉",
    "vulnerable_victims": "危害未成年人、老年人等群体",
}
HARM_LABELS = {"none": "无危害后果", "minor": "轻微", "general": "一般", "serious": "严重"}
HARM_LEVELS = tuple(HARM_LABELS)
TIER_ORDER = (Tier.general, Tier.serious, Tier.severe)


@dataclass(frozen=True)
class Circumstances:
    """What the officer found; ``repeat_count`` counts earlier violations of the same matter within the window."""

    first_offense: bool = True
    corrected_in_time: bool = False
    harm: str = "none"
    no_fault_proven: bool = False
    under_14: bool = False
    unable_to_recognise: bool = False
    repeat_count: int = 0
    mitigating: tuple[str, ...] = ()
    aggravating: tuple[str, ...] = ()
    base_amount_fen: int | None = None  # 工程造价 etc. for proportional fines
    major_public_interest: bool = False
    complex_case: bool = False


@dataclass(frozen=True)
class TierBand:
    """A tier's fine sub-range, as explicit fen or as percentages of the statutory range."""

    tier: Tier
    circumstances: str = ""
    lower_pct: int | None = None
    upper_pct: int | None = None
    min_fen: int | None = None
    max_fen: int | None = None

    def bounds(self, low: int, high: int) -> tuple[int, int]:
        if self.min_fen is not None and self.max_fen is not None:
            lower = min(max(low, self.min_fen), high)
            return lower, max(lower, min(high, self.max_fen))
        span = high - low
        lower = low + span * (self.lower_pct or 0) // 100
        upper = low + span * (self.upper_pct if self.upper_pct is not None else 100) // 100
        return lower, upper


DEFAULT_BANDS = (
    TierBand(Tier.minor, "违法行为轻微并及时改正，没有造成危害后果；或者初次违法且危害后果轻微并及时改正", 0, 0),
    TierBand(Tier.general, "初次违法，危害后果一般，或者具有从轻情节", 0, 30),
    TierBand(Tier.serious, "危害后果较重，或者一定期间内再次违法，或者具有一项从重情节", 30, 70),
    TierBand(Tier.severe, "危害后果严重，或者一定期间内多次违法，或者具有两项以上从重情节", 70, 100),
)


@dataclass(frozen=True)
class MatterFacts:
    """The parts of a matter the calculator reads (from the current row or a kept version)."""

    code: str
    name: str
    penalty_kinds: tuple[str, ...]
    penalty_citations: tuple[str, ...]
    fine_fen: dict[PartyType, tuple[int, int] | None]
    ratio_pct: tuple[int, int] | None = None
    ratio_base: str = ""
    first_offense_exempt_possible: bool = True
    fine_note: str = ""


@dataclass(frozen=True)
class HearingRule:
    individual_fen: int
    organization_fen: int
    basis: str = ""


@dataclass
class Assessment:
    tier: Tier
    statutory_min_fen: int | None
    statutory_max_fen: int | None
    fine_min_fen: int | None
    fine_max_fen: int | None
    suggested_fen: int | None
    exempt: bool
    exemption_basis: str | None
    education_required: bool
    simple_procedure_allowed: bool
    hearing_right: bool
    legal_review_required: bool
    reasoning: str
    steps: list[str] = field(default_factory=list)


class AssessError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def statutory_range(matter: MatterFacts, party: PartyType, circumstances: Circumstances) -> tuple[int, int] | None:
    """The fine range the law sets for this party (fen); proportional fines need ``base_amount_fen``."""
    if matter.ratio_pct is not None:
        if circumstances.base_amount_fen is None or circumstances.base_amount_fen <= 0:
            raise AssessError(
                "circumstances.base_amount_fen",
                f"该事项按{matter.ratio_base or '基数'}比例处罚，请填写{matter.ratio_base or '基数'}（分）",
            )
        low_pct, high_pct = matter.ratio_pct
        return circumstances.base_amount_fen * low_pct // 100, circumstances.base_amount_fen * high_pct // 100
    return matter.fine_fen.get(party)


def choose_tier(circumstances: Circumstances) -> tuple[Tier, list[str]]:
    """一般 by default; harm, repetition and aggravating circumstances raise it, mitigation lowers it one step."""
    steps: list[str] = []
    level = 0
    if circumstances.harm == "general":
        level = max(level, 1)
        steps.append("危害后果一般以上：较重")
    if circumstances.harm == "serious":
        level = 2
        steps.append("危害后果严重：严重")
    if circumstances.repeat_count == 1:
        level = max(level, 1)
        steps.append("一定期间内再次违法：较重")
    elif circumstances.repeat_count >= 2:
        level = 2
        steps.append(f"一定期间内第{circumstances.repeat_count + 1}次违法：严重")
    aggravating = [AGGRAVATING[key] for key in circumstances.aggravating]
    if len(aggravating) == 1:
        level = max(level, 1) if level < 1 else min(2, level + 1)
        steps.append(f"从重情节：{aggravating[0]}")
    elif len(aggravating) >= 2:
        level = 2
        steps.append("两项以上从重情节：" + "、".join(aggravating))
    mitigating = [MANDATORY_MITIGATION.get(k) or OPTIONAL_MITIGATION[k] for k in circumstances.mitigating]
    if mitigating:
        level = max(0, level - 1)
        steps.append("从轻情节：" + "、".join(mitigating))
    return TIER_ORDER[level], steps


def _exemption(matter: MatterFacts, c: Circumstances) -> str | None:
    if c.under_14:
        return "不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教（行政处罚法第三十条）"
    if c.unable_to_recognise:
        return "在不能辨认或者不能控制自己行为时有违法行为的，不予行政处罚（行政处罚法第三十一条）"
    if c.no_fault_proven:
        return "当事人有证据足以证明没有主观过错的，不予行政处罚（行政处罚法第三十三条第二款）"
    if c.corrected_in_time and c.harm == "none" and c.repeat_count == 0:
        return "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚（行政处罚法第三十三条第一款）"
    if (
        matter.first_offense_exempt_possible
        and c.first_offense
        and c.repeat_count == 0
        and c.corrected_in_time
        and c.harm == "minor"
    ):
        return (
            "初次违法且危害后果轻微并及时改正的，可以不予行政处罚（行政处罚法第三十三条第一款，裁量基准适用首违不罚）"
        )
    return None


def _yuan(fen: int) -> str:
    yuan, rest = divmod(fen, 100)
    return f"{yuan:,}元" if rest == 0 else f"{fen / 100:,.2f}元"


def assess(
    matter: MatterFacts,
    party: PartyType,
    circumstances: Circumstances,
    bands: tuple[TierBand, ...] = DEFAULT_BANDS,
    hearing: HearingRule | None = None,
    standard_name: str = "",
) -> Assessment:
    """Apply the law and the discretion standard; amounts are integer fen."""
    c = circumstances
    if c.harm not in HARM_LEVELS:
        raise AssessError("circumstances.harm", "危害后果只能是 none/minor/general/serious")
    for key in c.mitigating:
        if key not in MANDATORY_MITIGATION and key not in OPTIONAL_MITIGATION:
            raise AssessError("circumstances.mitigating", f"未知的从轻情节：{key}")
    for key in c.aggravating:
        if key not in AGGRAVATING:
            raise AssessError("circumstances.aggravating", f"未知的从重情节：{key}")
    if c.repeat_count < 0:
        raise AssessError("circumstances.repeat_count", "违法次数不能为负数")

    has_fine = PenaltyKind.fine in matter.penalty_kinds
    statutory = statutory_range(matter, party, c) if has_fine else None
    basis = "、".join(matter.penalty_citations)
    lines = [f"事项：{matter.name}（{matter.code}）；罚则：{basis}。"]
    if has_fine and statutory is None:
        lines.append(matter.fine_note or "罚则未对该类当事人规定罚款数额，适用地方性法规或者规章。")
    elif statutory is not None:
        lines.append(f"法定罚款幅度：{_yuan(statutory[0])}至{_yuan(statutory[1])}。")

    exemption = _exemption(matter, c)
    if exemption:
        lines.append(exemption + "；依法不予行政处罚的，应当对当事人进行教育（行政处罚法第三十三条第三款）。")
        return Assessment(
            tier=Tier.minor,
            statutory_min_fen=statutory[0] if statutory else None,
            statutory_max_fen=statutory[1] if statutory else None,
            fine_min_fen=0 if statutory else None,
            fine_max_fen=0 if statutory else None,
            suggested_fen=0 if statutory else None,
            exempt=True,
            exemption_basis=exemption,
            education_required=True,
            simple_procedure_allowed=False,
            hearing_right=False,
            legal_review_required=c.major_public_interest or c.complex_case,
            reasoning="".join(lines) + "裁量阶次：轻微。",
        )

    tier, steps = choose_tier(c)
    band = next((b for b in bands if b.tier == tier), None) or next(b for b in DEFAULT_BANDS if b.tier == tier)
    fine_min = fine_max = suggested = None
    if statutory is not None:
        fine_min, fine_max = band.bounds(*statutory)
        if c.mitigating:
            suggested = fine_min
        elif c.aggravating and tier == Tier.severe:
            suggested = fine_max
        else:
            suggested = (fine_min + fine_max) // 2
        suggested = min(fine_max, max(fine_min, suggested // 100 * 100))
    lines.append(
        f"裁量阶次：{TIER_LABELS[tier]}（{band.circumstances or '按裁量基准'}）"
        + ("；" + "；".join(steps) if steps else "")
        + "。"
    )
    if standard_name:
        lines.append(f"适用裁量基准：{standard_name}。")
    if fine_min is not None and fine_max is not None and suggested is not None:
        lines.append(f"本阶次罚款幅度{_yuan(fine_min)}至{_yuan(fine_max)}，建议{_yuan(suggested)}。")

    cap = SIMPLE_PROCEDURE_CAP_FEN[party]
    # a warning is always within 第五十一条 — also where the law names a fine but no amount
    warning_only = PenaltyKind.warning in matter.penalty_kinds and (not has_fine or suggested is None)
    heavy_kinds = {PenaltyKind.restriction, PenaltyKind.suspension, PenaltyKind.detention}
    heavy = any(k in heavy_kinds for k in matter.penalty_kinds) and (
        c.aggravating and "refused_correction" in c.aggravating
    )
    simple = not heavy and (warning_only or (suggested is not None and suggested <= cap))
    party_label = "公民" if party == PartyType.individual else "法人或者其他组织"
    if simple:
        lines.append(
            f"对{party_label}处{_yuan(cap)}以下罚款或者警告，可以适用简易程序当场作出决定（行政处罚法第五十一条）。"
        )
    else:
        lines.append(f"超出对{party_label}当场处罚的限额{_yuan(cap)}（行政处罚法第五十一条），适用普通程序。")

    hearing_right = False
    if heavy:
        hearing_right = True
        lines.append(
            "拟责令停产停业、责令关闭或者吊销许可证件，应当告知听证权利（行政处罚法第六十三条第一款第（三）（四）项）。"
        )
    if hearing is not None and suggested is not None:
        threshold = hearing.individual_fen if party == PartyType.individual else hearing.organization_fen
        if suggested >= threshold:
            hearing_right = True
            lines.append(
                f"拟罚款达到较大数额{_yuan(threshold)}（{hearing.basis or '本省规定'}），"
                "应当告知听证权利（行政处罚法第六十三条第一款第（一）项）。"
            )
    review = c.major_public_interest or c.complex_case or hearing_right
    if review:
        reasons = [
            r
            for r, on in (
                ("涉及重大公共利益", c.major_public_interest),
                ("案件疑难复杂、涉及多个法律关系", c.complex_case),
                ("当事人要求听证的须经听证程序", hearing_right),
            )
            if on
        ]
        lines.append("决定前应当进行法制审核：" + "、".join(reasons) + "（行政处罚法第五十八条）。")
    kinds = "、".join(PENALTY_KIND_LABELS[PenaltyKind(k)] for k in matter.penalty_kinds)
    lines.append(f"处罚种类：{kinds}。")
    return Assessment(
        tier=tier,
        statutory_min_fen=statutory[0] if statutory else None,
        statutory_max_fen=statutory[1] if statutory else None,
        fine_min_fen=fine_min,
        fine_max_fen=fine_max,
        suggested_fen=suggested,
        exempt=False,
        exemption_basis=None,
        education_required=False,
        simple_procedure_allowed=simple,
        hearing_right=hearing_right,
        legal_review_required=review,
        reasoning="".join(lines),
        steps=steps,
    )
