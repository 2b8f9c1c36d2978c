"""Serving documents on the party (送达): consent to electronic service, the SMS link, paper and on-the-spot service.

行政处罚法 第六十一条: the decision is handed over on the spot after it is announced; when the party is absent it is
served within seven days under the Civil Procedure Law (direct service with a 送达回证, or 留置 when refused before
witnesses). 第二款: only when the party has agreed and signed a confirmation (电子送达确认书) may it be served
electronically. The platform records that consent first, sends the party a link, and takes the moment the party
opens the document as the time of service. Service moves the case on (notice → statement period, decision →
execution, reminder → enforcement clock) as if the officer had recorded it.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.audit import service as audit
from chengguan.cases import service as cases
from chengguan.cases.enums import CaseAction, CaseStatus
from chengguan.cases.models import Case
from chengguan.cases.repository import load as load_case
from chengguan.cases.schemas import CaseActionIn
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, DomainError, NotFound, field_error
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.documents import service
from chengguan.documents.enums import DeliveryMethod, DeliveryStatus, DocumentStatus
from chengguan.documents.kinds import DocumentKind
from chengguan.documents.models import Delivery, Document, ServiceConsent
from chengguan.identity.auth import principal_of_user
from chengguan.kit import media
from chengguan.notify import sms
from chengguan.org.models import OrgUnit

K = DocumentKind
# What serving each document means for the case (the workflow action an officer would otherwise record).
CASE_ACTION: dict[DocumentKind, CaseAction] = {
    K.prior_notice: CaseAction.serve_notice,
    K.penalty_decision: CaseAction.serve_decision,
    K.no_penalty_decision: CaseAction.serve_decision,
    K.payment_reminder: CaseAction.serve_reminder,
}
# Where a party who consented to electronic service receives the documents (电子送达确认书).
CHANNEL_LABELS = {"sms": "手机短信", "portal": "商户端"}
CHANNELS = tuple(CHANNEL_LABELS)
MAX_SIGNATURE_BYTES = 1_000_000


def signature_png(data_url: str, field: str = "signature") -> bytes:
    """The handwritten signature drawn on the phone (a PNG data URL), as bytes; refused when not a PNG."""
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix):
        raise field_error(field, "签名须为手写签名图片（PNG）", code="signature.invalid")
    try:
        png = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise field_error(field, "签名图片无法识别", code="signature.invalid") from None
    if not png or len(png) > MAX_SIGNATURE_BYTES:
        raise field_error(field, "签名须为不超过 1 MB 的 PNG 图片", code="signature.invalid")
    media.check(png, declared="image/png", filename=None, accepted={"image/png"})  # 415 unless the bytes are a PNG
    return png


def record_consent(
    session: Session,
    principal: StaffPrincipal,
    settings: Settings,
    case_id: uuid.UUID,
    *,
    party_name: str,
    phone: str,
    channels: list[str],
    signature: str,
) -> ServiceConsent:
    """Record the party's signed 电子送达确认书 (第六十一条第二款); an earlier consent of the case is superseded."""
    case = load_case(session, case_id, principal)
    if not sms.MOBILE.match(phone):
        raise field_error("phone", "请填写当事人的 11 位手机号码", code="consent.phone")
    unknown = sorted(set(channels) - set(CHANNELS))
    if not channels or unknown:
        raise field_error("channels", "送达渠道须为短信（sms）或商户端（portal）", code="consent.channels")
    png = signature_png(signature)
    now = clock.now()
    for old in _consents(session, case.id):
        if old.revoked_at is None:
            old.revoked_at = now
    consent = ServiceConsent(
        case_id=case.id,
        party_name=party_name.strip()[:200],
        phone=phone,
        channels=sorted(set(channels)),
        signature_sha256=service.blob_store(settings).put(png).sha256,
        signed_at=now,
        recorded_by_name=principal.display_name,
    )
    session.add(consent)
    session.flush()
    summary = {"party": consent.party_name, "channels": consent.channels}
    audit.record(session, principal.actor, "document.consent", target_type="case", target_id=case.id,
                 target_label=case.code, summary=summary)  # fmt: skip
    return consent


def _consents(session: Session, case_id: uuid.UUID) -> list[ServiceConsent]:
    rows = session.scalars(select(ServiceConsent).where(ServiceConsent.case_id == case_id))
    return sorted(rows, key=lambda c: c.signed_at, reverse=True)


def consents(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> list[ServiceConsent]:
    return _consents(session, load_case(session, case_id, principal).id)


def active_consent(session: Session, case_id: uuid.UUID) -> ServiceConsent | None:
    return next((c for c in _consents(session, case_id) if c.revoked_at is None), None)


def load_consent(session: Session, principal: StaffPrincipal, consent_id: uuid.UUID) -> ServiceConsent:
    consent = session.get(ServiceConsent, consent_id)
    if consent is None:
        raise NotFound("电子送达确认书不存在")
    try:
        load_case(session, consent.case_id, principal)
    except NotFound as exc:
        if exc.audit_note is not None:  # the log names the consent asked for, not only its case
            exc.noting(exc.audit_note.about("service_consent", consent.id))
        raise
    return consent


def deliver(
    session: Session,
    principal: StaffPrincipal,
    settings: Settings,
    document_id: uuid.UUID,
    *,
    method: DeliveryMethod,
    recipient: str | None = None,
    served_on: date | None = None,
    refused: bool = False,
    note: str | None = None,
) -> Delivery:
    """Serve a sealed document: electronically with consent (served when opened), or on paper / on the spot now."""
    doc = service.load(session, principal, document_id)
    if doc.status is not DocumentStatus.sealed:
        raise Conflict("文书签章后方可送达", code="delivery.not_sealed")
    case = load_case(session, doc.case_id, principal)
    if case.status is CaseStatus.archived:
        raise Conflict("案件已归档，不能再送达文书", code="delivery.archived")
    delivery = Delivery(
        document_id=doc.id,
        case_id=case.id,
        method=method,
        status=DeliveryStatus.sent,
        party_name=case.party_name,
        note=(note or "").strip()[:1000] or None,
        created_by_id=principal.user_id,
        created_by_name=principal.display_name,
    )
    if method is DeliveryMethod.electronic:
        _send_link(session, settings, case, doc, delivery)
    else:
        _served_in_person(delivery, recipient, served_on, refused)
    session.add(delivery)
    session.flush()
    audit.record(session, principal.actor, "document.deliver", target_type="document", target_id=doc.id,
                 target_label=f"{doc.title} {doc.document_no or ''}".strip(),
                 summary={"method": method.value, "status": delivery.status.value})  # fmt: skip
    if delivery.status is DeliveryStatus.served:
        _move_case(session, principal, doc, delivery)
    return delivery


def _send_link(session: Session, settings: Settings, case: Case, doc: Document, delivery: Delivery) -> None:
    consent = active_consent(session, case.id)
    if consent is None:
        raise Conflict("当事人尚未签署电子送达确认书，不能电子送达（《行政处罚法》第六十一条第二款）",
                       code="delivery.no_consent")  # fmt: skip
    bureau = session.get(OrgUnit, doc.unit_id)
    delivery.consent_id, delivery.sent_to, delivery.party_name = consent.id, consent.phone, consent.party_name
    delivery.token, delivery.sent_at = secrets.token_urlsafe(24), clock.now()
    text = delivery_text(bureau.name if bureau else "", consent.party_name, doc, case.code,
                         party_url(settings, delivery.token))  # fmt: skip
    if "sms" not in (consent.channels or []):
        return  # the portal only: the document waits there for the party (portal.service.documents)
    message = sms.send(session, settings, consent.phone, text, purpose="document_delivery", ref_id=doc.id)
    if message.status != "sent":
        delivery.status = DeliveryStatus.failed
        delivery.note = f"短信发送失败（{message.error}），请改用直接送达并制作送达回证"


def delivery_text(bureau: str, party_name: str, doc: Document, case_code: str, link: str) -> str:
    """The text message that carries a party's link."""
    sender, number = bureau or "城市管理综合执法", doc.document_no or case_code
    return f"【{sender}】{party_name}：您的《{doc.title}》（{number}）已送达，请点击查看：{link} 打开即视为送达。"


def _served_in_person(delivery: Delivery, recipient: str | None, served_on: date | None, refused: bool) -> None:
    today = clock.local_now().date()
    name = (recipient or "").strip()
    if not name:
        raise field_error("recipient", "请填写签收人（拒收的填写当事人并注明见证人）", code="delivery.recipient")
    if served_on is None or served_on > today:
        raise field_error("served_on", "请填写送达日期（不能晚于今天）", code="delivery.served_on")
    if refused and not delivery.note:
        raise field_error("note", "拒收的须注明拒收事由和见证人（留置送达）", code="delivery.witness")
    delivery.recipient, delivery.served_on, delivery.refused = name[:100], served_on, refused
    delivery.status = DeliveryStatus.served


def _move_case(session: Session, principal: StaffPrincipal, doc: Document, delivery: Delivery) -> None:
    """Record the service on the case (the workflow decides whether it applies now); a refusal is noted on the
    delivery, never lost — the service itself stands."""
    action = CASE_ACTION.get(DocumentKind(doc.kind))
    if action is None or delivery.served_on is None:
        return
    case = session.get(Case, doc.case_id)
    assert case is not None
    data = CaseActionIn(version=case.version, on=delivery.served_on, idempotency_key=f"delivery-{delivery.id}",
                        signed_or_refused=True)  # fmt: skip
    try:
        with session.begin_nested():
            cases.act(session, principal, case.id, action, data)
    except DomainError as exc:
        delivery.note = f"{delivery.note + '；' if delivery.note else ''}案件未自动记录送达：{exc.detail}"[:1000]


def party_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/s/{token}"


def of_case(session: Session, principal: StaffPrincipal, case_id: uuid.UUID) -> list[Delivery]:
    case = load_case(session, case_id, principal)
    rows = session.scalars(select(Delivery).where(Delivery.case_id == case.id))
    return sorted(rows, key=lambda d: d.created_at, reverse=True)


def by_token(session: Session, token: str) -> Delivery:
    delivery = session.scalars(select(Delivery).where(Delivery.token == token)).first()
    if delivery is None or delivery.status is DeliveryStatus.failed:
        raise NotFound("送达链接无效，请与执法机关联系", code="delivery.unknown")
    return delivery


def open_link(session: Session, token: str, ip: str | None) -> Delivery:
    """The party opens the link: the first opening is the time of service (recorded once, then moves the case)."""
    delivery = by_token(session, token)
    if delivery.opened_at is not None:
        return delivery
    now = clock.now()
    delivery.opened_at, delivery.opened_ip = now, ip
    delivery.served_on, delivery.status = clock.local_now().date(), DeliveryStatus.served
    session.flush()
    doc = session.get(Document, delivery.document_id)
    assert doc is not None
    if delivery.created_by_id is not None:
        try:
            sender = principal_of_user(session, delivery.created_by_id)
        except DomainError as exc:
            delivery.note = f"案件未自动记录送达：{exc.detail}"
        else:
            _move_case(session, sender, doc, delivery)
    return delivery


def party_pdf(session: Session, settings: Settings, token: str, ip: str | None) -> tuple[Document, bytes]:
    """The served document's PDF for the party behind the link (opening it if not yet opened), audited as a
    download: the party holds no account, so the entry names the delivery and the address the link was used from."""
    delivery = open_link(session, token, ip)
    doc = session.get(Document, delivery.document_id)
    assert doc is not None
    data = service.pdf_bytes(session, settings, doc)
    party = Actor("public", None, "当事人（送达链接）", None, ip)
    events.download(session, party, "document", doc.id, doc.document_no or doc.title, format="pdf",
                    delivery_id=str(delivery.id))  # fmt: skip
    return doc, data


def sign_receipt(session: Session, settings: Settings, token: str, signature: str) -> Delivery:
    """The party signs for the document on the phone (签收); the signature image is kept with the delivery."""
    delivery = by_token(session, token)
    if delivery.opened_at is None:
        raise Conflict("请先打开文书再签收", code="delivery.not_opened")
    if delivery.receipt_signed_at is not None:
        raise Conflict("已签收，无需重复签收", code="delivery.receipt_signed")
    delivery.receipt_signature_sha256 = service.blob_store(settings).put(signature_png(signature)).sha256
    delivery.receipt_signed_at = clock.now()
    session.flush()
    return delivery
