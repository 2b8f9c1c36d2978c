"""The demo's documents: every case past filing carries the documents its stage calls for, decisions are sealed
and validate against the platform's seal CA, and served decisions carry their service records."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from chengguan.cases.enums import Procedure
from chengguan.cases.models import Case
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.documents import sealing
from chengguan.documents.enums import DeliveryStatus, DocumentStatus
from chengguan.documents.models import Delivery, Document, ServiceConsent
from chengguan.notify.models import SmsMessage


def test_demo_cases_carry_their_documents_sealed_and_served(db: Database, settings: Settings):
    with db.session(write=False) as s:
        cases = list(s.scalars(select(Case).where(Case.code.like("%D%"))))
        demo = {c.id for c in cases}  # other tests add their own cases and drafts to this database
        docs = [d for d in s.scalars(select(Document)) if d.case_id in demo]
        by_case = Counter(d.case_id for d in docs)
        filed = [c for c in cases if c.filed_on is not None or (c.procedure is Procedure.simple and c.decided_on)]
        assert filed and all(by_case[c.id] >= 1 for c in filed)
        decisions = [d for d in docs if d.kind in ("penalty_decision", "no_penalty_decision", "on_site_decision")]
        assert len(decisions) >= 100 and all(d.status is DocumentStatus.sealed for d in decisions)
        assert len({d.document_no for d in decisions}) == len(decisions)
        for doc in decisions[:5]:
            check = sealing.check_on_record(s, settings, doc)
            assert check is not None and check.ok, check
        served = {d.document_id for d in s.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.served))}
        decided_and_served = [c for c in cases if c.decision_served_on is not None]
        assert decided_and_served
        decision_of = {d.case_id: d.id for d in decisions}
        assert all(decision_of[c.id] in served for c in decided_and_served if c.id in decision_of)
        methods = Counter(d.method.value for d in s.scalars(select(Delivery)) if d.case_id in demo)
        assert methods["electronic"] > 0 and methods["paper"] > 0


def test_demo_electronic_service_left_its_texts_and_portal_consents(db: Database):
    """Each electronic service by SMS has its text in the outbox (with the party's link); some consents chose the
    merchant portal too, so the portal has something to show."""
    with db.session(write=False) as s:
        demo = set(s.scalars(select(Case.id).where(Case.code.like("%D%"))))
        consents = {c.id: c for c in s.scalars(select(ServiceConsent)) if c.case_id in demo}
        electronic = [d for d in s.scalars(select(Delivery)) if d.consent_id in consents]
        by_sms = [d for d in electronic if "sms" in consents[d.consent_id].channels]
        texts = {m.ref_id: m for m in s.scalars(select(SmsMessage).where(SmsMessage.purpose == "document_delivery"))}
        assert by_sms and all(f"/s/{d.token}" in texts[d.document_id].body for d in by_sms)
        assert any("portal" in c.channels for c in consents.values())
