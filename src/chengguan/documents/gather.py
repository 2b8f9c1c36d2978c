"""Gather a ``DocContext`` from the case record: party, matter and its provisions as of the knowledge-base version
the case used, officers, evidence, approvals, clocks and the documents already made (all read, nothing written)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.cases.enums import CaseAction
from chengguan.cases.facts import amount_due
from chengguan.cases.models import Case, CaseApproval, CaseEvent, CaseOfficer
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.documents.context import ApprovalRef, DocContext, EvidenceRef, Handwritten, OfficerRef, Party, Remedy
from chengguan.documents.enums import METHOD_LABELS, DeliveryStatus, DocumentStatus
from chengguan.documents.kinds import CATALOGUE, DocumentKind
from chengguan.documents.layout import chinese_date
from chengguan.documents.models import Delivery, Document, DocumentSignature, ServiceConsent
from chengguan.documents.numbering import SUFFIXES, issuing_bureau
from chengguan.evidence.enums import KIND_LABELS, EvidenceKind, ReviewStatus
from chengguan.evidence.models import EvidenceItem
from chengguan.evidence.store import blob_store
from chengguan.law.enums import PENALTY_KIND_LABELS
from chengguan.law.models import EnforcementMatter
from chengguan.law.service import Provisions
from chengguan.law.versions import get_version
from chengguan.org.models import Officer, OrgUnit


def _citations(provisions: Provisions, refs: list[dict]) -> tuple[str, ...]:
    out = []
    for p in provisions.resolve_all(refs, with_text=False):
        out.append(f"《{p.law}》{p.article}{p.clause or ''}")
    return tuple(out)


def _matter_refs(session: Session, case: Case) -> tuple[list[dict], list[dict]]:
    """The violated and penalty provisions as of the version the case recorded (a later edit does not move them)."""
    if case.knowledge_version and "@" in case.knowledge_version:
        code, version = case.knowledge_version.rsplit("@", 1)
        snapshot = get_version(session, "matter", code, int(version)) if version.isdigit() else None
        if snapshot is not None:
            return list(snapshot.content.get("violated") or []), list(snapshot.content.get("penalty") or [])
    matter = session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == case.matter_code))
    return (list(matter.violated), list(matter.penalty)) if matter else ([], [])


def _remedy(bureau: OrgUnit, settings: Settings) -> Remedy:
    base = next((bureau.name[: -len(s)] for s in SUFFIXES if bureau.name.endswith(s)), bureau.name)
    return Remedy(f"{base}人民政府", settings.review_days, f"{base}人民法院", settings.litigation_months)


def _moment(at) -> str:
    local = at.astimezone(clock.SHANGHAI)
    return f"{chinese_date(local.date())} {local:%H:%M}"


def service_rows(session: Session, case_id, docs: dict) -> tuple[tuple[str, str, str, str], ...]:
    """The 送达回证's rows: each document served, how, when (opening time for electronic service), received by."""
    served = session.scalars(
        select(Delivery).where(Delivery.case_id == case_id, Delivery.status == DeliveryStatus.served)
        .order_by(Delivery.created_at)
    )  # fmt: skip
    rows = []
    for d in served:
        doc = docs.get(d.document_id)
        if doc is None:
            continue
        name = f"{doc.title}（{doc.document_no}）" if doc.document_no else doc.title
        how = METHOD_LABELS[d.method] + ("（拒收，留置送达）" if d.refused else "")
        when = _moment(d.opened_at) if d.opened_at else chinese_date(d.served_on) if d.served_on else ""
        who = d.recipient or (f"{d.party_name}（电子签收）" if d.receipt_signed_at else f"{d.party_name}（已查阅）")
        rows.append((name, how, when, who))
    return tuple(rows)


def evidence_refs(session: Session, case_id, until: datetime | None = None) -> tuple[EvidenceRef, ...]:
    """The evidence a document made at ``until`` can cite: what was in the record by then, less items whose review
    rejected them (行政处罚法 第四十一条第二款: 经审核不符合要求的，不得作为行政处罚的证据)."""
    statement = select(EvidenceItem).where(
        EvidenceItem.case_id == case_id, EvidenceItem.review_status != ReviewStatus.rejected
    )
    if until is not None:
        statement = statement.where(EvidenceItem.created_at <= until)
    items = session.scalars(statement.order_by(EvidenceItem.captured_at, EvidenceItem.id))
    return tuple(
        EvidenceRef(
            n + 1, e.title, KIND_LABELS[EvidenceKind(e.kind)], _moment(e.captured_at), e.uploaded_by_name, e.sha256[:16]
        )
        for n, e in enumerate(items)
    )


def _event_data(session: Session, case: Case, action: CaseAction) -> dict:
    row = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action == action.value)
        .order_by(CaseEvent.at.desc())
    ).first()
    return (row.data or {}) | ({"reason": row.reason} if row and row.reason else {}) if row else {}


def case_officers(session: Session, case_id) -> tuple[OfficerRef, ...]:
    """The case's officers as documents list them: the lead first, then by name."""
    rows = session.execute(
        select(Officer.name, Officer.certificate_no, Officer.id)
        .join(CaseOfficer, CaseOfficer.officer_id == Officer.id)
        .where(CaseOfficer.case_id == case_id)
        .order_by(CaseOfficer.lead.desc(), Officer.name)
    )
    return tuple(OfficerRef(name, cert or "—", str(oid)) for name, cert, oid in rows)


def signatures(
    session: Session, settings: Settings, document: Document | None, consent: ServiceConsent | None
) -> dict[str, Handwritten]:
    """The handwritten signatures on ``document`` by slot (the latest per slot). The 电子送达确认书 carries the
    signature the party drew when consenting (art. 61 第二款), so the document shows what the party signed."""
    if document is None:
        return {}
    store = blob_store(settings)
    out: dict[str, Handwritten] = {}
    if document.kind == DocumentKind.e_service_consent and consent is not None and consent.signature_sha256:
        out["party"] = Handwritten(store.get(consent.signature_sha256), clock.local_date(consent.signed_at))
    rows = session.scalars(
        select(DocumentSignature).where(DocumentSignature.document_id == document.id)
        .order_by(DocumentSignature.signed_at, DocumentSignature.id)
    )  # fmt: skip
    for row in rows:
        out[row.slot] = Handwritten(store.get(row.image_sha256), clock.local_date(row.signed_at))
    return out


def issued_on(document: Document | None, signed: bool, today: date) -> date:
    """The date a document bears: a sealed one the day it was sealed, a signed or voided draft the day it was made
    (what the signatures confirmed), an open draft today (it is still being written)."""
    if document is None:
        return today
    if document.sealed_at is not None:
        return clock.as_utc(document.sealed_at).astimezone(clock.SHANGHAI).date()
    if signed or document.status is DocumentStatus.voided:
        return clock.as_utc(document.created_at).astimezone(clock.SHANGHAI).date()
    return today


def gather(
    session: Session,
    case: Case,
    settings: Settings,
    fields: dict[str, str] | None = None,
    *,
    document: Document | None = None,
) -> DocContext:
    """The context every template of this case reads, as the record stands now (with ``document``'s handwritten
    signatures when it is given)."""
    bureau = issuing_bureau(session, case.unit_id)
    unit = session.get(OrgUnit, case.unit_id)
    provisions = Provisions(session)
    violated, penalty = _matter_refs(session, case)
    approvals = session.scalars(
        select(CaseApproval).where(CaseApproval.case_id == case.id).order_by(CaseApproval.at, CaseApproval.id)
    )
    docs = list(session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.created_at)))
    decision = next(
        (d for d in docs if d.kind in (DocumentKind.penalty_decision, DocumentKind.on_site_decision) and d.document_no),
        None,
    )
    consent = session.scalars(
        select(ServiceConsent).where(ServiceConsent.case_id == case.id, ServiceConsent.revoked_at.is_(None))
    ).first()
    today = clock.local_now().date()
    fee, due = amount_due(case, today)
    handwritten = signatures(session, settings, document, consent)
    kinds = tuple(PENALTY_KIND_LABELS.get(k, k) for k in case.penalty_kinds)  # StrEnum keys match their values
    catalogue = tuple(
        (CATALOGUE[DocumentKind(d.kind)].title, d.document_no or "", chinese_date(d.created_at.date()))
        for d in sorted(docs, key=lambda d: CATALOGUE[DocumentKind(d.kind)].order)
        if d.kind != DocumentKind.file_catalogue
    )
    return DocContext(
        case_id=str(case.id),
        case_code=case.code,
        authority=bureau.name,
        unit_name=unit.name if unit else "",
        party=Party(
            case.party_type.value,
            case.party_name,
            case.party_id_no,
            case.party_address,
            case.party_phone,
            case.party_representative,
        ),
        matter_name=case.matter_name,
        facts=case.facts or "",
        place=case.address or "",
        act_on=case.act_on,
        violated=_citations(provisions, violated),
        penalty_basis=_citations(provisions, penalty),
        penalty_kinds=kinds,
        fine_fen=case.fine_fen,
        penalty_reasoning=case.penalty_reasoning or "",
        officers=case_officers(session, case.id),
        evidence=evidence_refs(session, case.id, document.created_at if document else None),
        approvals=tuple(
            ApprovalRef(a.stage.value, a.step_label, a.user_name, a.approved, a.opinion or "", _moment(a.at))
            for a in approvals
        ),
        remedy=_remedy(bureau, settings),
        payment_account=settings.payment_account,
        issued_on=issued_on(document, bool(handwritten), today),
        procedure=case.procedure.value,
        source_note="案源转立案" if case.source_id else "",
        filed_on=case.filed_on,
        notice_served_on=case.notice_served_on,
        statement_days=case.statement_days,
        hearing_right=case.hearing_right,
        hearing_on=case.hearing_on,
        decided_on=case.decided_on,
        decision_no=decision.document_no if decision else None,
        decision_served_on=case.decision_served_on,
        payment_due_on=case.payment_due_on,
        amount_due_fen=due,
        late_fee_fen=fee,
        paid_fen=case.paid_fen,
        transfer_to=str(_event_data(session, case, CaseAction.transfer_out).get("to") or ""),
        defense=str(_event_data(session, case, CaseAction.record_statement).get("reason") or ""),
        discussion=str(_event_data(session, case, CaseAction.record_discussion).get("reason") or ""),
        consent_phone=consent.phone if consent else "",
        services=service_rows(session, case.id, {d.id: d for d in docs}),
        documents=catalogue,
        fields=dict(fields or {}),
        signatures=handwritten,
    )
