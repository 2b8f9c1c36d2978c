"""Whether a proposed penalty lies within what the matter's law allows — pure rules, no I/O.

- 行政处罚法 第四条: 对违法行为给予行政处罚的规定必须公布；未经公布的，不得作为行政处罚的依据 — and 第十一条至第十四条:
  only a law, regulation or rule may set a penalty and its range. A kind the matter's penalty provisions do not name
  cannot be imposed, and where the provision names a fine but no amount (城市市容和环境卫生管理条例 第三十四条、
  第三十六条: “可以并处罚款”) and no local regulation gives one, no fine can be decided on that matter.
- The fine lies within the statutory range for the party type (the provision's 以上/以下 are inclusive).
- 第五十一条: on the spot only 公民二百元以下、法人或者其他组织三千元以下罚款或者警告.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chengguan.law.assess import SIMPLE_PROCEDURE_CAP_FEN, MatterFacts
from chengguan.law.enums import PARTY_TYPE_LABELS, PENALTY_KIND_LABELS, PartyType, PenaltyKind


@dataclass(frozen=True)
class FineRefusal:
    """Which input field is wrong, a stable code, and a zh-CN message naming the article."""

    field: str
    code: str
    message: str


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


def _basis(matter: MatterFacts) -> str:
    return "、".join(matter.penalty_citations) or f"执法事项 {matter.code} 的罚则"


def penalty_refusal(
    matter: MatterFacts,
    party: PartyType,
    kinds: Iterable[PenaltyKind],
    fine_fen: int | None,
    *,
    on_the_spot: bool = False,
    field: str = "penalty",
) -> FineRefusal | None:
    """None when the penalty may be decided on ``matter`` for ``party``; else the first problem found."""
    kinds = set(kinds)
    allowed = {PenaltyKind(k) for k in matter.penalty_kinds if k in PenaltyKind._value2member_map_}
    # 第二十八条: 责令改正 goes with every penalty and is not itself one
    for kind in sorted(kinds - allowed - {PenaltyKind.order_correct}, key=lambda k: k.value):
        return FineRefusal(
            f"{field}.kinds",
            "case.penalty_kind_not_provided",
            f"{_basis(matter)}未规定“{PENALTY_KIND_LABELS.get(kind, kind.value)}”，不能依本事项给予该种处罚"
            "（《行政处罚法》第四条）",
        )
    if PenaltyKind.fine not in kinds:
        return None
    if fine_fen is None or fine_fen <= 0:
        return FineRefusal(f"{field}.fine_fen", "case.fine_missing", "请填写罚款金额")
    bounds = matter.fine_fen.get(party)
    who = PARTY_TYPE_LABELS[party]
    if bounds is None and matter.ratio_pct is None:
        why = matter.fine_note or f"{_basis(matter)}未对{who}规定罚款数额"
        return FineRefusal(
            f"{field}.fine_fen",
            "case.fine_not_provided",
            f"不能依本事项决定罚款：{why}（《行政处罚法》第四条、第十一条至第十四条：罚款的数额须由法律、法规、规章规定）",
        )
    if bounds is not None:
        low, high = bounds
        if not low <= fine_fen <= high:
            return FineRefusal(
                f"{field}.fine_fen",
                "case.fine_out_of_range",
                f"罚款金额须在 {_yuan(low)} 元以上 {_yuan(high)} 元以下（{_basis(matter)}，对{who}）",
            )
    if on_the_spot:
        cap = SIMPLE_PROCEDURE_CAP_FEN[party]
        if fine_fen > cap:
            return FineRefusal(
                f"{field}.fine_fen",
                "case.fine_over_simple_cap",
                f"当场对{who}罚款不得超过 {_yuan(cap)} 元，须适用普通程序（《行政处罚法》第五十一条）",
            )
    return None
