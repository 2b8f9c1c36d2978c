"""Merchant portal use cases: send a login code, log in with it, list the documents served to the account's phone.

Who may log in is decided by the consents and the claimed shops: a phone that signed a 电子送达确认书 choosing the
portal (商户端), or whose account claimed a shop (``shopfront``), gets codes; any other number is answered the same
way and gets none, so the portal does not tell strangers who is under enforcement. A consent's account is created
at the first login, named after the party on the consent. Claiming a shop uses the same codes (``message``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.cases.models import Case
from chengguan.core import clock
from chengguan.core.auditnotes import AuditNote
from chengguan.core.config import Settings
from chengguan.core.errors import TooManyRequests, Unauthenticated, field_error
from chengguan.core.masking import mask_phone
from chengguan.core.principals import Actor, MerchantPrincipal, PrincipalType
from chengguan.documents.enums import DELIVERY_LABELS, DeliveryMethod, DeliveryStatus
from chengguan.documents.models import Delivery, Document, ServiceConsent
from chengguan.identity.auth import issue_token
from chengguan.identity.models import AuthToken, MerchantAccount
from chengguan.notify import sms
from chengguan.org.models import OrgUnit
from chengguan.portal.models import PortalLoginCode

PHONE = re.compile(r"1\d{10}")
CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 5
PORTAL = "portal"


class CodeInvalid(Unauthenticated):
    code = "portal.code_invalid"


class WrongCode(CodeInvalid):
    keep_writes = True  # the failed try counts although the request fails


def _phone(value: str) -> str:
    phone = (value or "").strip()
    if not PHONE.fullmatch(phone):
        raise field_error("phone", "请填写 11 位手机号码", code="portal.phone")
    return phone


def _digest(phone: str, code: str) -> str:
    return hashlib.sha256(f"{phone}:{code}".encode()).hexdigest()


def _portal_consent(session: Session, phone: str) -> ServiceConsent | None:
    """The latest unrevoked consent of this phone that chose the portal."""
    rows = session.scalars(
        select(ServiceConsent).where(ServiceConsent.phone_hash == phone, ServiceConsent.revoked_at.is_(None))
        .order_by(ServiceConsent.signed_at.desc())
    )  # fmt: skip
    return next((c for c in rows if PORTAL in (c.channels or [])), None)


def send_code(
    session: Session, settings: Settings, phone: str, *, message: Callable[[str], str] | None = None
) -> int:
    """Send a login code to ``phone`` if it consented to the portal or owns an account (a shop that claimed itself);
    with ``message`` (the code → the text), send it whatever the number (claiming a shop: the code proves the
    phone, the licence proves the shop). The seconds until another may be asked for."""
    phone = _phone(phone)
    now = clock.now()
    last = session.scalars(
        select(PortalLoginCode).where(PortalLoginCode.phone_hash == phone).order_by(PortalLoginCode.sent_at.desc())
    ).first()
    if last is not None and now - clock.as_utc(last.sent_at) < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - clock.as_utc(last.sent_at))).total_seconds()) + 1
        raise TooManyRequests(f"验证码发送过于频繁，请 {wait} 秒后再试", code="portal.too_soon", retry_after=wait)
    code = f"{secrets.randbelow(10**6):06d}"
    # Every number is rate-limited alike (a row per request); only a consenting number gets the message.
    session.add(PortalLoginCode(phone=phone, code_hash=_digest(phone, code), sent_at=now, expires_at=now + CODE_TTL))
    if message is not None:
        sms.send(session, settings, phone, message(code), purpose="portal_claim")
    elif _portal_consent(session, phone) is not None or account_of(session, phone) is not None:
        text = f"【城市管理综合执法】您的商户端登录验证码为 {code}，10 分钟内有效。如非本人操作请忽略。"
        sms.send(session, settings, phone, text, purpose="portal_login")
    session.flush()
    return int(RESEND_AFTER.total_seconds())


def purge_codes(session: Session) -> int:
    """Delete the codes past their time (used or not): a request per number and minute leaves a row each, and a
    code is worthless once expired. The latest row of a number only counts for the once-a-minute limit."""
    cutoff = clock.now() - max(CODE_TTL, RESEND_AFTER)
    return session.execute(delete(PortalLoginCode).where(PortalLoginCode.expires_at < cutoff)).rowcount or 0


@dataclass(frozen=True)
class PortalLogin:
    """A login's bearer token (shown once), its stored row and the account."""

    raw_token: str
    token: AuthToken
    account: MerchantAccount


def account_of(session: Session, phone: str) -> MerchantAccount | None:
    """The portal account of a phone number, if any."""
    return session.scalars(select(MerchantAccount).where(MerchantAccount.phone_hash == phone)).first()


def failure_note(phone: str, ip: str | None, action: str, reason: str) -> AuditNote:
    """What a refused try leaves in the audit log after the request's rollback (core.auditnotes), the number
    masked: personal data stays out of the hash-chained log, which can never be re-encrypted."""
    masked = mask_phone(phone) or ""
    return AuditNote(Actor("anonymous", None, masked, None, ip), action, "merchant_account", None, masked,
                     {"reason": reason})  # fmt: skip


def failed_login(phone: str, ip: str | None) -> CodeInvalid:
    """A code for a phone that neither consented to the portal nor holds a claimed shop's account."""
    note = failure_note(phone, ip, "portal.login_failed", "no_consent")
    return CodeInvalid("验证码错误或已过期，请重新获取").noting(note)  # type: ignore[return-value]


def check_code(
    session: Session, phone: str, code: str, *, ip: str | None = None, action: str = "portal.login_failed"
) -> PortalLoginCode:
    """The phone's live code when ``code`` is it (not used up yet: see ``spend``); a wrong code counts one of the
    five tries (401 ``portal.code_invalid``); a refusal is audited as ``action``."""
    phone = _phone(phone)
    now = clock.now()
    row = session.scalars(
        select(PortalLoginCode).where(PortalLoginCode.phone_hash == phone, PortalLoginCode.used_at.is_(None))
        .order_by(PortalLoginCode.sent_at.desc())
    ).first()  # fmt: skip

    def failed(error: CodeInvalid, reason: str) -> CodeInvalid:
        return error.noting(failure_note(phone, ip, action, reason))  # type: ignore[return-value]

    message = "验证码错误或已过期，请重新获取"
    if row is None or clock.as_utc(row.expires_at) <= now or row.attempts >= MAX_ATTEMPTS:
        reason = "no_code" if row is None else "expired" if row.attempts < MAX_ATTEMPTS else "attempts_spent"
        raise failed(CodeInvalid(message), reason)
    if not secrets.compare_digest(row.code_hash, _digest(phone, (code or "").strip())):
        # the failed try must count even though the request fails: written in a statement the error keeps
        session.execute(update(PortalLoginCode).where(PortalLoginCode.id == row.id).values(attempts=row.attempts + 1))
        raise failed(WrongCode(message), "wrong_code")
    return row


def count_failure(session: Session, row: PortalLoginCode) -> None:
    """A try that failed on something the code guarded (a claim's licence number): it counts like a wrong code,
    in a statement the error keeps, so five failures spend the code."""
    session.execute(update(PortalLoginCode).where(PortalLoginCode.id == row.id).values(attempts=row.attempts + 1))


def spend(row: PortalLoginCode) -> None:
    row.used_at = clock.now()


def login(
    session: Session, settings: Settings, phone: str, code: str, *, ip: str | None, user_agent: str | None
) -> PortalLogin:
    """Exchange a valid code for a portal token (the code is used up; five wrong tries spend it): a phone that
    consented to the portal, or the account of a shop that claimed itself."""
    phone = _phone(phone)
    row = check_code(session, phone, code, ip=ip)
    consent = _portal_consent(session, phone)
    account = account_of(session, phone)
    if consent is None and account is None:
        raise failed_login(phone, ip)
    spend(row)
    if account is None:
        assert consent is not None
        account = MerchantAccount(phone=phone, display_name=consent.party_name[:100], password_hash="!")
        session.add(account)
        session.flush()
    return open_session(session, settings, account, ip=ip, user_agent=user_agent)


def open_session(
    session: Session, settings: Settings, account: MerchantAccount, *, ip: str | None, user_agent: str | None
) -> PortalLogin:
    """A portal token for an active account (the login and the claim of a shop end here); audited."""
    if not account.is_active:
        raise Unauthenticated("账号已停用", code="auth.account_disabled")
    raw, token = issue_token(session, settings, PrincipalType.merchant, account.id, ip=ip, user_agent=user_agent)
    actor = Actor(PrincipalType.merchant.value, account.id, account.display_name, None, ip)
    audit.record(session, actor, "portal.login", target_type="merchant_account", target_id=account.id,
                 target_label=mask_phone(account.phone))  # fmt: skip (the audit log keeps no plain phone number)
    return PortalLogin(raw, token, account)


def logout(session: Session, principal: MerchantPrincipal) -> None:
    if principal.token_id is not None:
        session.execute(update(AuthToken).where(AuthToken.id == principal.token_id).values(revoked_at=clock.now()))


@dataclass(frozen=True)
class ServedDocument:
    delivery: Delivery
    document: Document
    case_code: str
    bureau: str

    @property
    def status_label(self) -> str:
        return DELIVERY_LABELS[self.delivery.status]


def documents(session: Session, account: MerchantAccount) -> list[ServedDocument]:
    """The documents served electronically to the account's phone under a consent that chose the portal, newest
    first (a failed sending is not a service and is not shown)."""
    rows = session.execute(
        select(Delivery, Document, Case.code, OrgUnit.name, ServiceConsent.channels)
        .join(Document, Document.id == Delivery.document_id)
        .join(Case, Case.id == Delivery.case_id)
        .join(OrgUnit, OrgUnit.id == Document.unit_id)
        .join(ServiceConsent, ServiceConsent.id == Delivery.consent_id)
        .where(
            ServiceConsent.phone_hash == account.phone,
            Delivery.method == DeliveryMethod.electronic,
            Delivery.status != DeliveryStatus.failed,
        )
        .order_by(Delivery.sent_at.desc(), Delivery.id)
    ).all()
    return [ServedDocument(d, doc, code, bureau) for d, doc, code, bureau, channels in rows if PORTAL in channels]
