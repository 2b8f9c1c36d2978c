"""Claiming a shop (认领店铺): the phone proves itself with an SMS code (the portal's codes), the shop with its licence
— the USCC, or for an individual business the operator's ID number, must be what the register holds. A wrong
number is refused (422 ``portal.claim_mismatch``) and counts as a failed try of the code, so five guesses spend it.
An agent (委托人) without the licence numbers uploads the letter of authorisation (授权委托书, an image or a PDF,
type checked from the bytes) and a staff member approves it in the console.

A claimed shop's ``account_id`` is the portal account: the account sees its own shops only (``owned``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, DomainError, FieldProblem, NotFound, field_error
from chengguan.core.principals import Actor, PrincipalType, StaffPrincipal
from chengguan.evidence.store import blob_store
from chengguan.identity.models import MerchantAccount
from chengguan.kit import media
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.portal import service as portal
from chengguan.shopfront.enums import ClaimMethod, ClaimStatus
from chengguan.shopfront.models import ShopClaim

LETTER_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
LETTER_MAX = 10 * 2**20
CLAIM_FAILED = "portal.claim_failed"


class ClaimMismatch(DomainError):
    """The licence number given is not the register's (the code's try is spent with it)."""

    status_code = 422
    code = "portal.claim_mismatch"
    title = "Unprocessable Content"
    keep_writes = True


def claim_message(shop: Merchant):
    return lambda code: (f"【城市管理综合执法】您正在认领店铺“{shop.name}”（{shop.code}），验证码 {code}，"
                         "10 分钟内有效。如非本人操作请忽略。")  # fmt: skip


def _normal(value: str | None) -> str:
    return (value or "").strip().upper()


def matches(shop: Merchant, uscc: str | None, operator_id_no: str | None) -> bool:
    """Whether a number given is the shop's: its USCC, or the operator's ID (compared after decryption, in Python:
    the register's copy is the one on the row)."""
    given_uscc, given_id = _normal(uscc), _normal(operator_id_no)
    if given_uscc and shop.uscc and given_uscc == shop.uscc.upper():
        return True
    return bool(given_id and shop.operator_id_no and given_id == shop.operator_id_no.upper())


def _account(session: Session, phone: str, display_name: str) -> MerchantAccount:
    account = portal.account_of(session, phone)
    if account is None:
        account = MerchantAccount(phone=phone, display_name=display_name[:100], password_hash="!")
        session.add(account)
        session.flush()
    return account


def _not_taken(shop: Merchant, account: MerchantAccount | None) -> None:
    if shop.account_id is not None and (account is None or shop.account_id != account.id):
        raise Conflict("该店铺已被其他账号认领；如有疑问请联系所属中队", code="portal.shop_claimed")


@dataclass(frozen=True)
class Claimed:
    login: portal.PortalLogin
    claim: ShopClaim


def claim(
    session: Session, settings: Settings, shop: Merchant, *, phone: str, code: str, uscc: str | None,
    operator_id_no: str | None, ip: str | None, user_agent: str | None,
) -> Claimed:  # fmt: skip
    """Claim by licence: code checked, number matched, the shop linked to the phone's account, a token issued."""
    if not _normal(uscc) and not _normal(operator_id_no):
        raise field_error("uscc", "请填写统一社会信用代码或经营者身份证号", code="portal.claim_number_required")
    row = portal.check_code(session, phone, code, ip=ip, action=CLAIM_FAILED)
    _not_taken(shop, portal.account_of(session, phone))
    if not matches(shop, uscc, operator_id_no):
        portal.count_failure(session, row)
        events.after(session, portal.failure_note(phone, ip, CLAIM_FAILED, f"licence_mismatch:{shop.code}"))
        field = "uscc" if _normal(uscc) else "operator_id_no"
        what = "统一社会信用代码" if field == "uscc" else "经营者身份证号"
        message = f"{what}与商户档案登记的不一致，不能认领该店铺；请核对营业执照，或由经营者委托代理人办理"
        raise ClaimMismatch(message, errors=[FieldProblem(field=field, message=message)])
    portal.spend(row)
    account = _account(session, phone, shop.operator_name or shop.name)
    shop.account_id = account.id
    row_claim = ShopClaim(merchant_id=shop.id, account_id=account.id, method=ClaimMethod.licence,
                          status=ClaimStatus.approved, decided_at=clock.now())  # fmt: skip
    session.add(row_claim)
    session.flush()
    _audit(session, account, shop, "portal.claim", ip)
    return Claimed(portal.open_session(session, settings, account, ip=ip, user_agent=user_agent), row_claim)


def claim_by_agent(
    session: Session, settings: Settings, shop: Merchant, *, phone: str, code: str, agent_name: str,
    letter: BinaryIO, filename: str, declared: str | None, ip: str | None, user_agent: str | None,
) -> Claimed:  # fmt: skip
    """An agent's claim: the letter of authorisation kept (image or PDF by its bytes), the claim pending a staff
    member's approval; the agent is logged in meanwhile (the shop's notices stay closed until approved)."""
    name = agent_name.strip()
    if not 2 <= len(name) <= 50:
        raise field_error("agent_name", "请填写受托人姓名", code="portal.agent_name")
    row = portal.check_code(session, phone, code, ip=ip, action=CLAIM_FAILED)
    _not_taken(shop, portal.account_of(session, phone))
    head = letter.read(media.HEAD_BYTES)
    if not head:
        raise field_error("letter", "请上传授权委托书（图片或 PDF）", code="portal.letter_required")
    mime = media.check(head, declared=declared, filename=filename, accepted=LETTER_TYPES)
    data = head + letter.read(LETTER_MAX + 1 - len(head))
    if len(data) > LETTER_MAX:
        raise field_error("letter", "授权委托书不能超过 10 MB", code="portal.letter_too_large")
    stored = blob_store(settings).put(data)
    portal.spend(row)
    account = _account(session, phone, name)
    pending = session.scalar(select(ShopClaim).where(ShopClaim.merchant_id == shop.id, ShopClaim.account_id ==
                                                     account.id, ShopClaim.status == ClaimStatus.pending))  # fmt: skip
    if pending is not None:
        raise Conflict("您对该店铺的认领申请正在审核中", code="portal.claim_pending")
    row_claim = ShopClaim(merchant_id=shop.id, account_id=account.id, method=ClaimMethod.agent,
                          status=ClaimStatus.pending, agent_name=name, letter_sha256=stored.sha256, letter_mime=mime,
                          letter_filename=(filename or "授权委托书")[:255])  # fmt: skip
    session.add(row_claim)
    session.flush()
    _audit(session, account, shop, "portal.claim_agent", ip)
    return Claimed(portal.open_session(session, settings, account, ip=ip, user_agent=user_agent), row_claim)


def _audit(session: Session, account: MerchantAccount, shop: Merchant, action: str, ip: str | None) -> None:
    actor = Actor(PrincipalType.merchant.value, account.id, account.display_name, None, ip)
    events.record(session, actor, action, "merchant", shop.id, f"{shop.code} {shop.name}")


def owned(session: Session, account: MerchantAccount, code: str) -> Merchant:
    """The account's own claimed shop of this code; 404 for any other (the portal never shows another's shop)."""
    shop = session.scalar(select(Merchant).where(Merchant.code == code.strip().upper(),
                                                 Merchant.account_id == account.id))  # fmt: skip
    if shop is None:
        raise NotFound("您尚未认领该店铺，或认领申请尚在审核中", code="portal.shop_not_owned")
    return shop


def shops_of(session: Session, account: MerchantAccount) -> list[tuple[Merchant, ClaimStatus]]:
    """The account's shops: claimed ones, and those with a claim still waiting."""
    claimed = list(session.scalars(select(Merchant).where(Merchant.account_id == account.id).order_by(Merchant.code)))
    waiting = session.scalars(
        select(Merchant).join(ShopClaim, ShopClaim.merchant_id == Merchant.id)
        .where(ShopClaim.account_id == account.id, ShopClaim.status == ClaimStatus.pending)
    ).all()  # fmt: skip
    seen = {m.id for m in claimed}
    return [(m, ClaimStatus.approved) for m in claimed] + [(m, ClaimStatus.pending) for m in waiting
                                                           if m.id not in seen]  # fmt: skip


def pending_for(session: Session, account_id: uuid.UUID | None, shop: Merchant) -> bool:
    if account_id is None:
        return False
    statement = select(ShopClaim.id).where(
        ShopClaim.merchant_id == shop.id, ShopClaim.account_id == account_id, ShopClaim.status == ClaimStatus.pending
    )
    return session.scalar(statement) is not None


# -- the console ---------------------------------------------------------------------------------------------------


def load_claim(session: Session, principal: StaffPrincipal, claim_id: uuid.UUID) -> tuple[ShopClaim, Merchant]:
    """A claim of a shop in the reader's scope; 404 otherwise."""
    row = session.get(ShopClaim, claim_id)
    shop = MerchantRepository(session).get_readable(principal, row.merchant_id) if row else None
    if row is None or shop is None:
        raise NotFound("认领申请不存在或不在您的数据权限范围内", code="claim.not_found")
    return row, shop


def decide(session: Session, principal: StaffPrincipal, claim_id: uuid.UUID, approve: bool,
           reason: str | None) -> ShopClaim:  # fmt: skip
    """A staff member's decision on an agent's letter: approved links the shop to the agent's account (audited)."""
    row, shop = load_claim(session, principal, claim_id)
    if row.status is not ClaimStatus.pending:
        raise Conflict("该认领申请已处理", code="claim.decided")
    if not approve and not (reason or "").strip():
        raise field_error("reason", "请填写不予通过的理由", code="claim.reason_required")
    if approve:
        if shop.account_id is not None and shop.account_id != row.account_id:
            raise Conflict("该店铺已被其他账号认领，请先核实", code="portal.shop_claimed")
        shop.account_id = row.account_id
    row.status = ClaimStatus.approved if approve else ClaimStatus.refused
    row.decided_by_name, row.decided_at, row.reason = principal.display_name, clock.now(), (reason or None)
    session.flush()
    events.record(session, principal, "claim.approve" if approve else "claim.refuse", "merchant", shop.id,
                  f"{shop.code} {shop.name}", claim_id=str(row.id), agent=row.agent_name, reason=reason)  # fmt: skip
    return row
