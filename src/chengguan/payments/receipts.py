"""Electronic receipts (罚没款电子缴款凭证): one per paid order, numbered per bureau and year like its documents
(市南区综执缴款字〔2026〕第0001号), laid out by the documents module's PDF renderer (A4, Noto CJK, the QR code of the
public verification page), sealed with the bureau's electronic seal (PAdES), and verified at ``/verify/{token}``
like every sealed document of the platform.

The number and token are taken in the callback's transaction; the file is rendered and sealed once, later (the
minute job, or whoever opens it first), so the gateway's callback is answered in milliseconds."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chengguan.cases.models import Case
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import NotFound
from chengguan.core.masking import mask_id_no
from chengguan.documents import verifiers
from chengguan.documents.builders.common import yuan, yuan_upper
from chengguan.documents.credentials import bureau_seal, trust_roots
from chengguan.documents.enums import DocumentStatus, SignAlgorithm
from chengguan.documents.kinds import DocumentKind
from chengguan.documents.layout import Closing, DocumentSpec, FieldTable, Paragraph, SealSpec, chinese_date
from chengguan.documents.models import Document
from chengguan.documents.numbering import next_number
from chengguan.documents.pdf import render_pdf
from chengguan.documents.schemas import FileCheck, PublicDocument, SignatureOut
from chengguan.documents.sealing import off_loop
from chengguan.documents.sign import seal_pdf, validate_pdf
from chengguan.evidence.store import blob_store
from chengguan.law.enums import PartyType
from chengguan.org.models import OrgUnit
from chengguan.payments.models import PaymentOrder, PaymentReceipt

TITLE = "罚没款电子缴款凭证"
WORD = "缴款"  # the receipt number's 字: 市南区综执缴款字〔2026〕第0001号
BASIS = ("本凭证依据《中华人民共和国行政处罚法》第六十七条第三款出具：当事人通过电子支付系统缴纳罚款，款项由收缴机构"
         "直接上缴国库。本凭证经执收单位电子签章，扫描二维码可核验真伪。")  # fmt: skip
CHANNELS = {"sim": "模拟支付渠道（开发测试）", "wechat": "微信支付", "alipay": "支付宝"}


def issue(session: Session, order: PaymentOrder) -> PaymentReceipt:
    """Number the receipt of a paid order (gap-free per bureau and year: a rolled-back callback gives it back)."""
    assert order.paid_at is not None
    bureau = session.get(OrgUnit, order.bureau_id)
    assert bureau is not None
    number = next_number(session, bureau, WORD, clock.local_date(order.paid_at).year)
    receipt = PaymentReceipt(receipt_no=number, order_id=order.id, case_id=order.case_id, bureau_id=bureau.id,
                             verify_token=secrets.token_urlsafe(18), amount_fen=order.amount_fen,
                             paid_at=order.paid_at, created_at=clock.now())  # fmt: skip
    session.add(receipt)
    session.flush()
    return receipt


def _decision_no(session: Session, case_id) -> str | None:  # type: ignore[no-untyped-def]
    kinds = [DocumentKind.penalty_decision.value, DocumentKind.on_site_decision.value]
    return session.scalars(
        select(Document.document_no).where(Document.case_id == case_id, Document.kind.in_(kinds))
        .where(Document.status == DocumentStatus.sealed).order_by(Document.sealed_at.desc())
    ).first()  # fmt: skip


def spec(session: Session, settings: Settings, receipt: PaymentReceipt) -> DocumentSpec:
    """The receipt as a document: who paid what for which decision, how and when, the bureau that collects."""
    order = session.get(PaymentOrder, receipt.order_id)
    case = session.get(Case, receipt.case_id)
    bureau = session.get(OrgUnit, receipt.bureau_id)
    assert order is not None and case is not None and bureau is not None
    individual = case.party_type is PartyType.individual
    paid_at = clock.as_utc(receipt.paid_at).astimezone(clock.SHANGHAI)
    items = "罚款、加处罚款" if order.late_fee_fen else "罚款"
    rows = [
        ("凭证号码", receipt.receipt_no),
        ("缴款人", case.party_name),
        ("公民身份号码" if individual else "统一社会信用代码",
         (mask_id_no(case.party_id_no) if individual else case.party_id_no) or "—"),
        ("案号", case.code),
        ("处罚决定书文号", _decision_no(session, case.id) or "—"),
        ("执收单位", bureau.name),
        ("收款项目", items),
        ("罚款", yuan(order.fine_fen)),
    ]  # fmt: skip
    if order.late_fee_fen:
        late = f"{yuan(order.late_fee_fen)}（逾期{order.late_fee_days}日，《行政处罚法》第七十二条）"
        rows.append(("加处罚款", late))
    rows += [
        ("合计（大写）", yuan_upper(order.amount_fen)),
        ("合计（小写）", yuan(order.amount_fen)),
        ("缴款方式", f"电子支付（{CHANNELS.get(order.provider, order.provider)}）"),
        ("支付订单号", order.order_no),
        ("支付交易号", order.transaction_id or "—"),
        ("缴款时间", f"{chinese_date(paid_at.date())} {paid_at:%H:%M:%S}"),
    ]
    blocks: list = [FieldTable(rows=tuple(rows))]
    if order.excess_fen:
        blocks.append(Paragraph(f"其中{yuan(order.excess_fen)}超出缴款时的应缴金额，将原路退还。"))
    blocks += [Paragraph(BASIS), Closing(authority=bureau.name, date=chinese_date(paid_at.date()))]
    verify = f"{settings.public_base_url.rstrip('/')}/verify/{receipt.verify_token}"
    return DocumentSpec(kind="payment_receipt", title=TITLE, authority=bureau.name, document_no=receipt.receipt_no,
                        blocks=tuple(blocks), verify_url=verify, seal=SealSpec())  # fmt: skip


def ensure_pdf(session: Session, settings: Settings, receipt: PaymentReceipt) -> bytes:
    """The receipt's sealed file, rendered and sealed now if it has none yet. Two first openers race: one file wins
    (a conditional update) and both get that one, so the file on record is the only one handed out."""
    store = blob_store(settings)
    if receipt.pdf_sha256 is not None:
        return store.get(receipt.pdf_sha256)
    bureau = session.get(OrgUnit, receipt.bureau_id)
    assert bureau is not None
    seal = bureau_seal(session, settings, store, bureau)
    sealed = off_loop(seal_pdf, render_pdf(spec(session, settings, receipt)), seal.credentials, seal.seal_png,
                      reason="罚没款电子缴款凭证电子签章", location=bureau.name, key=seal.key)  # fmt: skip
    digest = store.put(sealed).sha256
    won = session.execute(
        update(PaymentReceipt).where(PaymentReceipt.id == receipt.id, PaymentReceipt.pdf_sha256.is_(None))
        .values(pdf_sha256=digest, sealed_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    session.refresh(receipt)
    return sealed if won else store.get(receipt.pdf_sha256 or digest)


def by_token(session: Session, token: str) -> PaymentReceipt:
    receipt = session.scalars(select(PaymentReceipt).where(PaymentReceipt.verify_token == token)).first()
    if receipt is None:
        raise NotFound("未找到该缴款凭证，请核对二维码", code="verify.unknown")
    return receipt


def file_name(receipt: PaymentReceipt) -> str:
    return f"{TITLE}-{receipt.receipt_no}.pdf"


def _what(receipt: PaymentReceipt) -> str:
    paid_at = clock.as_utc(receipt.paid_at).astimezone(clock.SHANGHAI)
    return f"缴款金额 {yuan(receipt.amount_fen)}，缴款时间 {chinese_date(paid_at.date())} {paid_at:%H:%M}"


def _show(session: Session, settings: Settings, token: str) -> PublicDocument | None:
    """The verification page of a receipt: genuine when the sealed file on record validates against the seal CAs."""
    receipt = session.scalars(select(PaymentReceipt).where(PaymentReceipt.verify_token == token)).first()
    if receipt is None:
        return None
    bureau = session.get(OrgUnit, receipt.bureau_id)
    base = {"title": TITLE, "document_no": receipt.receipt_no, "bureau": bureau.name if bureau else ""}
    if receipt.pdf_sha256 is None:  # the number is taken, the file not made yet (nobody can hold a copy)
        return PublicDocument(**base, sealed=False, sealed_at=None, algorithm=None, sha256=None, signature=None,
                              ok=True, message=f"缴款已登记，凭证文件尚未生成；{_what(receipt)}")  # fmt: skip
    result = off_loop(validate_pdf, blob_store(settings).get(receipt.pdf_sha256), trust_roots(session))
    ok = result.ok
    message = f"凭证真实有效：与执收单位出具的原件一致，电子签章完好；{_what(receipt)}" if ok else (
        result.error or "凭证文件的电子签章校验未通过")  # fmt: skip
    signature = SignatureOut(intact=result.intact, valid=result.valid, trusted=result.trusted, sm2_ok=None,
                             signer=result.signer, signed_at=result.signed_at)  # fmt: skip
    return PublicDocument(**base, sealed=True, sealed_at=receipt.sealed_at, algorithm=SignAlgorithm.rsa,
                          sha256=receipt.pdf_sha256, signature=signature, ok=ok, message=message)  # fmt: skip


def _check(session: Session, settings: Settings, token: str, data: bytes) -> FileCheck | None:
    """An uploaded file against the receipt on record: the same bytes, and a seal that validates."""
    receipt = session.scalars(select(PaymentReceipt).where(PaymentReceipt.verify_token == token)).first()
    if receipt is None:
        return None
    sha = hashlib.sha256(data).hexdigest()
    matches = receipt.pdf_sha256 is not None and sha == receipt.pdf_sha256
    result = off_loop(validate_pdf, data, trust_roots(session))
    ok = matches and result.ok
    message = ("缴款凭证真实有效：与执收单位出具的原件一致，电子签章完好" if ok
               else "文件与出具的缴款凭证不一致，可能已被篡改" if not matches or not result.intact
               else result.error or "电子签章不受信任或已失效")  # fmt: skip
    trusted = result.trusted and result.covers_whole_document
    return FileCheck(matches=matches, sha256=sha, intact=result.intact, valid=result.valid, trusted=trusted,
                     sm2_ok=None, ok=ok, message=message)  # fmt: skip


verifiers.register("payment_receipt", verifiers.Verifier(show=_show, check=_check))
