"""行政处罚决定公开 (《行政处罚法》第四十八条): penalty decisions are published with personal data masked, and a
published decision that is changed, revoked, or found unlawful or void is withdrawn with a public reason within
three working days (第四十八条第二款; here at once, the due day recorded for the file).

Masking keeps what the public needs (the organisation, the matter, the facts, the penalty and its basis) and hides
what identifies a person: an individual's name, identity number, phone and house number.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.cases import clocks
from chengguan.cases.enums import DecisionKind, Procedure
from chengguan.cases.lawful import applied_matter
from chengguan.cases.models import Case, Disclosure
from chengguan.core import clock
from chengguan.core.errors import Conflict, DomainError
from chengguan.law.enums import PENALTY_KIND_LABELS, PartyType, PenaltyKind
from chengguan.law.service import Provisions
from chengguan.org.models import OrgUnit

# A house number is the digits before 号/栋/幢/单元/室/户/弄 (and 号楼); dates, times, areas and amounts stay.
_HOUSE_NUMBER = re.compile(r"[0-9０-９]+(?=\s*(?:号|栋|幢|单元|室|户|弄))")


def mask_name(name: str) -> str:
    """张三丰 → 张**: the surname stays (a compound surname is not guessed)."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else name


def mask_id(number: str | None) -> str | None:
    """370202198001010011 → 370202********0011 (region and last four kept)."""
    if not number:
        return number
    return number[:6] + "*" * max(0, len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


def mask_phone(phone: str | None) -> str | None:
    """17012345678 → 170****5678."""
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "*" * len(phone)


def mask_address(address: str | None) -> str | None:
    """House numbers hidden, the rest of the text kept: 青岛市中山路12号 → 青岛市中山路**号, while "2026年11月4日"
    and "4196平方米" in the facts stay as they are (the public reads when and how much, not where the person lives)."""
    return _HOUSE_NUMBER.sub("**", address) if address else address


def publishable(case: Case) -> bool:
    """Ordinary-procedure penalty decisions (第四十八条第一款: 具有一定社会影响的) are published once decided."""
    return case.procedure is Procedure.ordinary and case.decision_kind is DecisionKind.penalty


def basis(session: Session, case: Case) -> str:
    """The provisions the penalty applied (第四十八条: 公开 the decision, so its legal basis), as the decision cites
    them; the matter's code and version when the knowledge base no longer has it."""
    try:
        refs = applied_matter(session, case).penalty
    except DomainError:
        return case.knowledge_version or case.matter_code
    return "、".join(
        f"《{p.law}》{p.article}{p.clause or ''}" for p in Provisions(session).resolve_all(refs, with_text=False)
    )


def content(session: Session, case: Case) -> dict[str, object]:
    individual = case.party_type is PartyType.individual
    unit = session.get(OrgUnit, case.district_id or case.unit_id)
    kinds = "、".join(PENALTY_KIND_LABELS[PenaltyKind(k)] for k in case.penalty_kinds)
    fine = f"，罚款 {case.fine_fen / 100:.2f} 元" if case.fine_fen else ""
    facts = case.facts or ""
    if individual:
        facts = facts.replace(case.party_name, mask_name(case.party_name))
    return {
        "case_code": case.code,
        "party": mask_name(case.party_name) if individual else case.party_name,
        "party_type": case.party_type.value,
        "party_id_no": mask_id(case.party_id_no) if individual else case.party_id_no,
        "matter": case.matter_name,
        "facts": mask_address(facts) if individual else facts,
        "penalty": kinds + fine,
        "basis": basis(session, case),
        "decided_on": case.decided_on.isoformat() if case.decided_on else None,
        "authority": unit.name if unit else "",
    }


def publish(session: Session, case: Case, now: datetime | None = None) -> Disclosure | None:
    """Publish the decision (once); returns the disclosure, or None when the decision is not published."""
    if not publishable(case):
        return None
    existing = session.scalar(select(Disclosure).where(Disclosure.case_id == case.id))
    if existing is not None:
        return existing
    disclosure = Disclosure(case_id=case.id, published_at=now or clock.now(), content=content(session, case))
    session.add(disclosure)
    return disclosure


def withdraw(session: Session, case: Case, reason: str, changed_on: date, now: datetime | None = None) -> Disclosure:
    """第四十八条第二款: the decision was changed or revoked — withdraw it with the public reason."""
    disclosure = session.scalar(select(Disclosure).where(Disclosure.case_id == case.id))
    if disclosure is None or disclosure.withdrawn_at is not None:
        raise Conflict("该决定未公开或已撤回", code="case.disclosure.not_published")
    disclosure.changed_on = changed_on
    disclosure.withdraw_due_on = clocks.disclosure_withdrawal_due(changed_on, work_calendar(session))
    disclosure.withdrawn_at = now or clock.now()
    disclosure.withdraw_reason = reason
    return disclosure


def published(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list[Disclosure], int]:
    where = Disclosure.withdrawn_at.is_(None)
    total = session.scalar(select(func.count()).select_from(Disclosure).where(where)) or 0
    ordered = select(Disclosure).where(where).order_by(Disclosure.published_at.desc(), Disclosure.id)
    rows = session.scalars(ordered.offset(offset).limit(limit)).all()
    return list(rows), total
