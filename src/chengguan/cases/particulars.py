"""What a penalty decision must state before it can be made — pure checks, no I/O.

- 行政处罚法 第五十二条第二款: the on-the-spot decision
  应当载明当事人的违法行为，行政处罚的种类和依据、罚款数额、时间、地点;
- 第五十九条: the decision 应当载明 (一) 当事人的姓名或者名称、地址; (二) 违反法律、法规、规章的事实和证据; ….
A decision is only as good as the party it binds: an individual is identified by a resident identity number with a
valid check digit (GB 11643), an organisation by its unified social credit code (GB 32100).

Each problem names the field and the article, so the form can show it next to the field (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chengguan.core.idnumbers import valid_ric, valid_uscc
from chengguan.law.enums import PartyType

MIN_FACTS_CHARS = 10  # a 违法事实 says who did what where; a few characters cannot


@dataclass(frozen=True)
class Particulars:
    """The parts of the case a decision prints."""

    facts: str | None
    address: str | None
    act_at: datetime | None
    party_type: PartyType
    party_name: str | None
    party_id_no: str | None
    party_address: str | None


@dataclass(frozen=True)
class Missing:
    field: str
    message: str


def missing(p: Particulars, *, on_the_spot: bool) -> list[Missing]:
    """The particulars a decision lacks (empty when it may be made): on the spot 第五十二条, otherwise 第五十九条."""
    article = "第五十二条第二款" if on_the_spot else "第五十九条"
    cite = f"（《行政处罚法》{article}）"
    out: list[Missing] = []
    if len((p.facts or "").strip()) < MIN_FACTS_CHARS:
        out.append(Missing("facts", f"请填写违法事实：当事人实施了什么违法行为{cite}"))
    if on_the_spot and p.act_at is None:
        out.append(Missing("act_at", f"请填写违法时间（年月日时分）{cite}"))
    if not (p.address or "").strip():
        out.append(Missing("address", f"请填写违法地点{cite}"))
    if not (p.party_name or "").strip():
        out.append(Missing("party.name", f"请填写当事人姓名或者名称{cite}"))
    number = (p.party_id_no or "").strip().upper()
    if p.party_type is PartyType.individual and not valid_ric(number):
        out.append(Missing("party.id_no", f"请填写当事人的公民身份号码（18 位，校验位须正确，GB 11643）{cite}"))
    if p.party_type is PartyType.organization and not valid_uscc(number):
        out.append(Missing("party.id_no", f"请填写当事人的统一社会信用代码（18 位，校验位须正确，GB 32100）{cite}"))
    if not on_the_spot and not (p.party_address or "").strip():
        out.append(Missing("party.address", "请填写当事人地址（《行政处罚法》第五十九条第一款第（一）项）"))
    return out
