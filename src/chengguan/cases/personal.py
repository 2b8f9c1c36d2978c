"""The party's personal data on a case: shown masked everywhere (detail, list, exports), in full only on request by
someone holding ``personal_data:view`` for a case they may read — and every such read is in the audit log
(``personal_data.read``: who, which case, which fields, from where). 个人信息保护法 第五十一条: access to personal
information is limited to those who need it, and recorded.

Documents the party is served (notices, decisions) keep the full particulars the law requires (第五十九条): they
are rendered from the case itself, not from these views.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.models import Case
from chengguan.cases.repository import load
from chengguan.cases.schemas import PartyPersonal
from chengguan.core.errors import Forbidden
from chengguan.core.masking import AUDIT_ACTION, PERMISSION, mask_address, mask_id_no, mask_phone
from chengguan.core.principals import StaffPrincipal
from chengguan.law.enums import PartyType

FIELDS = ("party_id_no", "party_phone", "party_address")


def masked(case: Case) -> PartyPersonal:
    """What a reader sees by default. An organisation's credit code and registered address are public registration
    data (and printed on the disclosure), so only an individual's are masked; phone numbers always are."""
    individual = case.party_type is PartyType.individual
    return PartyPersonal(
        id_no=mask_id_no(case.party_id_no) if individual else case.party_id_no,
        phone=mask_phone(case.party_phone),
        address=mask_address(case.party_address) if individual else case.party_address,
        masked=True,
    )


def may_reveal(principal: StaffPrincipal) -> bool:
    return principal.has(PERMISSION)


def refuse_unless_permitted(principal: StaffPrincipal) -> None:
    if not may_reveal(principal):
        raise Forbidden("没有查看完整个人信息的权限（personal_data:view）", code="personal_data.forbidden")


def record_read(session: Session, principal: StaffPrincipal, target_type: str, target_id: uuid.UUID | None, label: str,
                fields: list[str], purpose: str) -> None:  # fmt: skip
    """One audit entry per full read of personal data (what was shown, of whom, for what)."""
    audit.record(session, principal.actor, AUDIT_ACTION, target_type=target_type, target_id=target_id,
                 target_label=label, summary={"fields": fields, "purpose": purpose})  # fmt: skip


def reveal(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> PartyPersonal:
    """The party's identity number, phone and address in full, for a permitted reader of the case; audited."""
    refuse_unless_permitted(principal)
    case = load(session, case_id, principal)  # 404 outside the reader's scope, like every case read
    shown = [f for f in FIELDS if getattr(case, f)]
    record_read(session, principal, "case", case.id, case.code, shown, "case.detail")
    return PartyPersonal(id_no=case.party_id_no, phone=case.party_phone, address=case.party_address, masked=False)
