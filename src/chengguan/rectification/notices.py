"""Sending a notice to a shop: a 温馨提醒 where warning first allows it, or a numbered 责令（限期）整改通知书 made and
sealed with the documents module's machinery; the shop is told by SMS and finds it in the portal.

The legal basis printed is the matter's own: the provisions it violates and the one that punishes it (from the
knowledge base, e.g. 《青岛市市容和环境卫生管理条例》第二十四条第一款), with 《行政处罚法》第二十八条第一款 for the
order and 第三十三条 for the warning."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.cases.models import Case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.counters import reserve
from chengguan.core.errors import Conflict, NotFound, field_error
from chengguan.core.principals import Actor, StaffPrincipal
from chengguan.documents.credentials import bureau_seal
from chengguan.documents.numbering import issuing_bureau, next_number
from chengguan.documents.pdf import render_pdf
from chengguan.documents.sealing import off_loop
from chengguan.documents.sign import seal_pdf
from chengguan.evidence.store import blob_store
from chengguan.identity.models import User
from chengguan.intake.models import CaseSource
from chengguan.intake.service import append_event as append_source_event
from chengguan.law.models import EnforcementMatter
from chengguan.law.service import Provisions
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.notify import sms
from chengguan.org.models import Officer, OrgUnit
from chengguan.rectification import document, warning
from chengguan.rectification.enums import KIND_LABELS, NoticeKind, RectStatus, Suggestion
from chengguan.rectification.leniency import ARTICLE_33
from chengguan.rectification.models import Notice, WarningDecision
from chengguan.rectification.schemas import DecideIn, NoticeCreate
from chengguan.rectification.timeline import add_event

ORDER_WORD = "责改"  # documents.kinds: 责令（限期）改正通知书 numbers share the bureau's 责改字 sequence
PREFIX = {NoticeKind.warning: "TX", NoticeKind.rectification_order: "ZG"}
MAX_DAYS = 90  # an order's time limit; longer ones are not a rectification but a plan


def shop_url(settings: Settings, code: str) -> str:
    """The shop's page in the merchant H5 (what the door sign's QR code opens)."""
    return f"{settings.public_base_url.rstrip('/')}/portal/shop/{code}"


def citations(session: Session, matter: EnforcementMatter) -> tuple[str, str]:
    """(violated, punishing) provisions of the matter as printed: 《title》第X条第X款, joined with 、."""
    provisions = Provisions(session)

    def text(refs: list) -> str:
        return "、".join(
            f"《{p.law}》{p.article}{p.clause or ''}" for p in provisions.resolve_all(refs, with_text=False)
        )

    return text(matter.violated), text(matter.penalty)


def basis_text(kind: NoticeKind, violated: str, penalty: str) -> str:
    """What the notice rests on, as the shop and the file read it."""
    if kind is NoticeKind.warning:
        return f"违反{violated}；依据{ARTICLE_33}"
    return f"违反{violated}；依据{document.ORDER_BASIS}责令限期改正；逾期不改正的，依照{penalty or '相关规定'}处理"


def issue(session: Session, settings: Settings, principal: StaffPrincipal, data: NoticeCreate) -> Notice:
    """Send a notice to a shop in the officer's scope (404 otherwise): number and seal an order, keep the warning
    within warning first's rule (409 ``notice.warning_not_allowed`` for a repeat), SMS the shop."""
    merchant = MerchantRepository(session).get_readable(principal, data.merchant_id)
    if merchant is None:
        raise NotFound("商户不存在或不在您的数据权限范围内", code="merchant.not_found")
    matter = warning.matter_of(session, data.matter_code)
    today = clock.local_now().date()
    if data.due_date < today:
        raise field_error("due_date", "整改期限不能早于今天", code="notice.due_date")
    if (data.due_date - today).days > MAX_DAYS:
        raise field_error("due_date", f"整改期限不能超过 {MAX_DAYS} 日", code="notice.due_date")
    source = _linked_source(session, data.source_id)
    if data.case_id is not None and session.get(Case, data.case_id) is None:
        raise field_error("case_id", "案件不存在", code="notice.case_unknown")
    decision = _decision_for(session, principal, data, merchant)
    return create(session, settings, principal.actor, merchant, matter, data, decision=decision, source=source,
                  issued_by=(principal.user_id, principal.display_name, principal.officer_id))  # fmt: skip


def _linked_source(session: Session, source_id: uuid.UUID | None) -> CaseSource | None:
    if source_id is None:
        return None
    source = session.get(CaseSource, source_id)
    if source is None:
        raise field_error("source_id", "案源不存在", code="notice.source_unknown")
    return source


def _decision_for(
    session: Session, principal: StaffPrincipal, data: NoticeCreate, merchant: Merchant
) -> WarningDecision | None:
    """The warning-first decision a warning rests on: the one named (same shop and matter), else made now."""
    if data.decision_id is not None:
        decision = session.get(WarningDecision, data.decision_id)
        if decision is None or decision.merchant_id != merchant.id or decision.matter_code != data.matter_code:
            raise field_error("decision_id", "研判结果与本通知的商户或事项不一致", code="notice.decision_mismatch")
    elif data.kind is NoticeKind.warning:
        asked = DecideIn(matter_code=data.matter_code, merchant_id=merchant.id, source_id=data.source_id)
        decision = warning.record(session, principal, asked)
    else:
        return None
    if data.kind is NoticeKind.warning and decision.outcome is not Suggestion.warning:
        raise Conflict(f"不适用首违不罚，不能发送温馨提醒：{decision.reason}", code="notice.warning_not_allowed",
                       rule=decision.rule)  # fmt: skip
    return decision


def create(
    session: Session,
    settings: Settings,
    actor: Actor,
    merchant: Merchant,
    matter: EnforcementMatter,
    data: NoticeCreate,
    *,
    decision: WarningDecision | None,
    source: CaseSource | None,
    issued_by: tuple[uuid.UUID | None, str, uuid.UUID | None],
    seal: bool = True,
    sms_now: bool = True,
) -> Notice:
    """The notice row, its number and sealed file (an order), its first timeline entry, the SMS; ``seal=False``
    leaves the order's file to be made when first asked for (bulk loads), ``sms_now=False`` sends nothing."""
    user_id, by_name, officer_id = issued_by
    now = clock.now()
    bureau = issuing_bureau(session, merchant.unit_id)
    violated, penalty = citations(session, matter)
    kind = data.kind
    year = clock.local_now().year
    notice = Notice(
        code=f"{PREFIX[kind]}{year}{reserve(session, f'notice:{PREFIX[kind]}:{year}'):06d}",
        kind=kind,
        document_no=next_number(session, bureau, ORDER_WORD, year) if kind is NoticeKind.rectification_order else None,
        merchant_id=merchant.id,
        unit_id=merchant.unit_id,
        bureau_name=bureau.name,
        matter_code=matter.code,
        matter_name=matter.name,
        basis=basis_text(kind, violated, penalty),
        facts=data.facts.strip(),
        requirement=data.requirement.strip(),
        due_date=data.due_date,
        origin=data.origin,
        source_id=source.id if source else None,
        case_id=data.case_id,
        decision_id=decision.id if decision else None,
        issued_by_id=user_id,
        issued_by_name=by_name,
        issued_at=now,
        status=RectStatus.pending,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    if kind is NoticeKind.rectification_order and seal:
        make_pdf(session, settings, notice, merchant, officer_id)
    add_event(session, notice, "issue", actor, now, to_status=notice.status,
              data={"document_no": notice.document_no, "due_date": notice.due_date.isoformat(),
                    "decision_rule": decision.rule if decision else None})  # fmt: skip
    if source is not None:
        append_source_event(session, source, "notice", actor, now,
                            data={"notice_id": str(notice.id), "code": notice.code, "kind": kind.value})  # fmt: skip
    if sms_now:
        tell(session, settings, notice, merchant)
    label = f"{KIND_LABELS[kind]} {notice.document_no or notice.code} {merchant.name}"
    events.record(session, actor, "notice.issue", "shop_notice", notice.id, label, due=str(notice.due_date))
    session.flush()
    return notice


def tell(session: Session, settings: Settings, notice: Notice, merchant: Merchant) -> None:
    """The SMS that tells the shop (a refusal by the gateway is recorded, not raised; no phone: nothing sent)."""
    if not merchant.phone:
        notice.sms_status = "none"
        return
    ref = notice.document_no or notice.code
    body = (
        f"【城市管理综合执法】{merchant.name}：{notice.bureau_name}向您发出{KIND_LABELS[notice.kind]}（{ref}），"
        f"请于{notice.due_date:%Y年%m月%d日}前整改并上传整改照片。详情：{shop_url(settings, merchant.code)}"
    )
    message = sms.send(session, settings, merchant.phone, body, purpose="shop_notice", ref_id=notice.id)
    notice.sms_status = message.status


def order_text(session: Session, settings: Settings, notice: Notice, merchant: Merchant,
               officer_id: uuid.UUID | None) -> document.OrderText:  # fmt: skip
    """What the order prints, from the notice as issued (the file is reproducible from the row)."""
    matter = session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == notice.matter_code))
    violated, penalty = citations(session, matter) if matter else (notice.matter_name, "")
    if officer_id is None and notice.issued_by_id is not None:
        officer_id = session.scalar(select(User.officer_id).where(User.id == notice.issued_by_id))
    officer = session.get(Officer, officer_id) if officer_id else None
    name = officer.name if officer else notice.issued_by_name
    who = f"{name}（执法证号 {officer.certificate_no}）" if officer and officer.certificate_no else name
    issued: date = clock.as_utc(notice.issued_at).astimezone(clock.SHANGHAI).date()
    return document.OrderText(
        bureau=notice.bureau_name, document_no=notice.document_no or notice.code, shop_name=merchant.name,
        shop_code=merchant.code, licence_label="统一社会信用代码", licence=merchant.uscc or "",
        operator=merchant.operator_name, address=merchant.address, facts=notice.facts, violated=violated,
        penalty=penalty, requirement=notice.requirement, due_date=notice.due_date, issued_on=issued, officer=who,
        portal_url=shop_url(settings, merchant.code),
    )  # fmt: skip


def make_pdf(
    session: Session, settings: Settings, notice: Notice, merchant: Merchant, officer_id: uuid.UUID | None = None
) -> bytes:
    """Render the order and seal it with the issuing bureau's seal (PAdES, as every outgoing document)."""
    store = blob_store(settings)
    data = render_pdf(document.order_spec(order_text(session, settings, notice, merchant, officer_id)))
    bureau = session.get(OrgUnit, issuing_bureau(session, notice.unit_id).id)
    assert bureau is not None
    key = bureau_seal(session, settings, store, bureau)
    sealed = off_loop(seal_pdf, data, key.credentials, key.seal_png, location=bureau.name, key=key.key)
    notice.pdf_sha256 = store.put(sealed).sha256
    return sealed


def pdf_bytes(session: Session, settings: Settings, notice: Notice) -> bytes:
    """The sealed order (made now when a bulk load left it for later); a warning has no file (404)."""
    if notice.kind is not NoticeKind.rectification_order:
        raise NotFound("温馨提醒没有文书文件", code="notice.no_pdf")
    if notice.pdf_sha256 is None:
        merchant = session.get(Merchant, notice.merchant_id)
        assert merchant is not None
        data = make_pdf(session, settings, notice, merchant)
        session.flush()
        return data
    return blob_store(settings).get(notice.pdf_sha256)
