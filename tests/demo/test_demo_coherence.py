"""The demo tells the truth: each case is one act — its matter is in force where its squad is, its facts, place,
photos and disclosure describe that act — nothing is dated after now, evidence comes before the documents that cite
it, people approve with their names and say what they found, and a finished case holds no open drafts."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from pdfminer.high_level import extract_text
from sqlalchemy import select

from chengguan.cases.enums import CaseStatus
from chengguan.cases.models import Case, CaseApproval, CaseEvent
from chengguan.cases.models import Disclosure as CaseDisclosure
from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.demo.scenarios import scenarios
from chengguan.documents.gather import evidence_refs
from chengguan.documents.kinds import DocumentKind, signers
from chengguan.documents.models import Delivery, Document, DocumentSignature
from chengguan.documents.service import pdf_bytes
from chengguan.evidence.models import EvidenceItem, EvidenceReview
from chengguan.identity.models import User
from chengguan.law.applicability import unit_region
from chengguan.law.jurisdiction import region_applies
from chengguan.law.models import EnforcementMatter, Law
from chengguan.org.models import OrgUnit

DEMO = Case.code.like("%D%")


@pytest.fixture(scope="module")
def demo(shared_db: Database):
    with shared_db.session(write=False) as s:
        cases = list(s.scalars(select(Case).where(DEMO).order_by(Case.code)))
        s.expunge_all()
    return cases


def test_every_case_is_its_scenario_and_its_matter_is_in_force_there(db: Database, demo):
    plays = scenarios()
    with db.session(write=False) as s:
        matters = {m.code: m for m in s.scalars(select(EnforcementMatter))}
        regions = {u.id: unit_region(s, u.id) for u in s.scalars(select(OrgUnit))}
    for case in demo:
        matter, play = matters[case.matter_code], plays[case.matter_code]
        assert "-BJ-" not in case.matter_code and region_applies(matter.region_code, regions[case.unit_id])
        assert all(term in case.facts for term in play.terms), (case.code, play.terms, case.facts)
        assert case.address and case.address.endswith(play.place) and case.address in case.facts
        assert case.party_name in case.facts and case.lng is not None and case.grid_code
        assert case.act_at is not None and f"{clock.as_utc(case.act_at).astimezone(clock.SHANGHAI):%-H时}" in case.facts


def test_the_discretion_reasoning_agrees_with_the_facts(demo):
    """A reviewer reads the facts and the reasoning together: a party the facts say did not put it right is not
    said to have put it right, and a fine stays inside the range the reasoning cites."""
    fined = [c for c in demo if c.fine_fen]
    assert fined
    for case in fined:
        unrectified = any(word in case.facts for word in ("未改正", "拒不", "仍未", "逾期"))
        assert ("已改正" in case.penalty_reasoning) is not unrectified, (case.code, case.facts, case.penalty_reasoning)
        low, high = (int(n) for n in re.search(r"法定幅度(\d+)元至(\d+)元", case.penalty_reasoning).groups())
        assert low * 100 <= case.fine_fen <= high * 100, (case.code, case.penalty_reasoning)
        assert case.penalty_reasoning.endswith(f"确定罚款{case.fine_fen // 100}元")


def test_photos_and_disclosures_describe_the_same_act(db: Database, demo):
    plays = scenarios()
    by_id = {c.id: c for c in demo}
    with db.session(write=False) as s:
        items = s.scalars(select(EvidenceItem).where(EvidenceItem.case_id.in_(by_id)))
        for item in items:
            case = by_id[item.case_id]
            play = plays[case.matter_code]
            assert item.address == case.address
            assert abs(item.lng - case.lng) < 1e-6 and abs(item.lat - case.lat) < 1e-6
            assert item.title in play.photos or item.title == f"视频抓拍：{play.detection}"
        disclosures = list(s.scalars(select(CaseDisclosure).where(CaseDisclosure.case_id.in_(by_id))))
    assert disclosures
    for d in disclosures:
        case = by_id[d.case_id]
        assert all(term in d.content["facts"] for term in plays[case.matter_code].terms)
        assert case.matter_name in str(d.content)


def test_nothing_is_dated_after_now(db: Database, demo):
    now = clock.now() + timedelta(seconds=1)
    ids = [c.id for c in demo]
    with db.session(write=False) as s:
        times = [t for c in demo for t in (c.created_at, c.updated_at, c.act_at, c.closed_at, c.archived_at) if t]
        times += list(s.scalars(select(CaseEvent.at).where(CaseEvent.case_id.in_(ids))))
        times += list(s.scalars(select(CaseApproval.at).where(CaseApproval.case_id.in_(ids))))
        times += [t for row in s.execute(select(EvidenceItem.captured_at, EvidenceItem.created_at)) for t in row]
        times += list(s.scalars(select(EvidenceReview.at)))
        times += [t for row in s.execute(select(Document.created_at, Document.sealed_at)) for t in row if t]
        times += list(s.scalars(select(DocumentSignature.signed_at)))
        times += [t for row in s.execute(select(Delivery.sent_at, Delivery.opened_at)) for t in row if t]
        times += list(s.scalars(select(CaseDisclosure.published_at)))
    late = [t for t in times if clock.as_utc(t) > now]
    assert not late, late[:5]
    days = [d for c in demo for d in (c.act_on, c.filed_on, c.decided_on, c.decision_served_on, c.fine_paid_on) if d]
    assert max(days) <= clock.local_now().date()


def test_each_case_happens_in_order(db: Database, demo):
    """The act, then the case, then its steps; photos are taken before they are attached, attached to a case that
    exists; documents come after the step that made them."""
    with db.session(write=False) as s:
        for case in demo:
            events = list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at)))
            assert events[0].action in ("create", "add_evidence") and clock.as_utc(case.act_at) <= clock.as_utc(
                case.created_at
            )
            created = next(e.at for e in events if e.action == "create")
            for item in s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id)):
                assert item.captured_at <= item.created_at and clock.as_utc(item.created_at) >= clock.as_utc(created)


def test_evidence_comes_before_the_documents_that_cite_it(db: Database, demo, settings):
    citing = (DocumentKind.penalty_decision.value, DocumentKind.on_site_decision.value)
    with db.session(write=False) as s:
        ids = [c.id for c in demo]
        docs = list(s.scalars(select(Document).where(Document.kind.in_(citing), Document.status == "sealed")
                              .where(Document.case_id.in_(ids))))  # fmt: skip
        assert len(docs) > 50
        for doc in docs:
            assert evidence_refs(s, doc.case_id, doc.created_at), f"{doc.document_no} cites no evidence"
        decisions = [d for d in docs if d.kind == DocumentKind.penalty_decision.value]
        # what the sealed PDF itself says
        for doc in random.Random(7).sample(decisions, 3) + random.Random(7).sample(docs, 2):
            case = s.get(Case, doc.case_id)
            items = list(s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == doc.case_id)))
            before = {i.title for i in items if i.created_at <= doc.created_at}
            later = {i.title for i in items if i.created_at > doc.created_at} - before
            matter = s.scalar(select(EnforcementMatter).where(EnforcementMatter.code == case.matter_code))
            titles = {law.code: law.title for law in s.scalars(select(Law))}
            text = extract_text(__import__("io").BytesIO(pdf_bytes(s, settings, doc))).replace("\n", "")
            assert any(titles[ref["law"]] in text for ref in matter.penalty), doc.document_no
            assert case.party_name in text and before
            if doc.kind == DocumentKind.penalty_decision.value:  # 第五十九条（二）: the facts and the evidence
                assert all(title in text for title in before), (doc.document_no, before)
            assert not any(title in text for title in later), (doc.document_no, later)


def test_people_approve_by_name_with_an_opinion(db: Database, demo):
    ids = [c.id for c in demo]
    with db.session(write=False) as s:
        names = dict(s.execute(select(User.id, User.display_name)).tuples().all())
        approvals = list(s.scalars(select(CaseApproval).where(CaseApproval.case_id.in_(ids))))
        actors = set(s.scalars(select(CaseEvent.actor_name).where(CaseEvent.case_id.in_(ids))))
        reviewers = set(s.scalars(select(EvidenceReview.user_name)))
    assert approvals
    for a in approvals:
        assert names[a.user_id] == a.user_name
        assert a.opinion and len(a.opinion) >= 12 and a.opinion != "同意"
    generic = {"分管副局长", "法制科审核员", "法制审核员", "执法队员", "中队长", "区局领导"}
    assert not (actors | reviewers) & generic


def test_finished_cases_hold_no_open_drafts(db: Database, demo):
    done = [c.id for c in demo if c.status in (CaseStatus.closed, CaseStatus.archived)]
    with db.session(write=False) as s:
        for doc in s.scalars(select(Document).where(Document.case_id.in_(done))):
            if doc.status == "sealed":
                continue
            slots = {
                row.slot for row in s.scalars(select(DocumentSignature).where(DocumentSignature.document_id == doc.id))
            }
            kinds = signers(DocumentKind(doc.kind))
            assert kinds, f"{doc.kind} left as an unsigned draft"
            assert ("party" in slots) == ("party" in kinds) and any(slot.startswith("officer:") for slot in slots)
