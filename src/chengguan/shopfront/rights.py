"""The party's procedure rights online: after the prior notice (事先告知书) is served, a statement and defense
(陈述申辩, 《行政处罚法》第四十五条) or a hearing request (第六十三条、第六十四条第（一）项) made in the portal, inside
the statutory window — computed by the same clocks (``cases.clocks``) and gates (``cases.gates``) the console uses.

第四十四条: the party is told of its rights before the decision; 第四十五条: the bureau must hear it and may not
punish more heavily for it (the statement sets the case's ``defense_recorded``, which the decision gate reads);
第六十四条第（一）项: a hearing is requested within five working days (第八十五条) of the notice. A late request is
refused with the day the window ended (409 ``portal.statement_late`` / ``portal.hearing_late``, ``expired_on``).

Which cases an account sees: those of its claimed shops, and those whose 电子送达确认书 named its phone for the
portal (the party it represents on that case)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chengguan.calendar.service import work_calendar
from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases import clocks, effects
from chengguan.cases.enums import STATUS_LABELS, CaseAction, CaseStatus
from chengguan.cases.facts import facts_of, today
from chengguan.cases.models import Case
from chengguan.cases.schemas import CaseActionIn
from chengguan.cases.timeline import add_event
from chengguan.cases.workflow import TRANSITIONS, Position
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.errors import Conflict, NotFound
from chengguan.core.principals import Actor
from chengguan.documents.models import ServiceConsent
from chengguan.evidence import service as evidence
from chengguan.identity.models import MerchantAccount
from chengguan.merchants.models import Merchant
from chengguan.shopfront.enums import SUBMISSION_LABELS, SubmissionKind
from chengguan.shopfront.models import PartySubmission
from chengguan.shopfront.schemas import PartyCaseOut, SubmissionOut, Window

ATTACHMENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
MAX_ATTACHMENTS = 6
STATEMENT_BASIS = "《行政处罚法》第四十四条、第四十五条"
HEARING_BASIS = "《行政处罚法》第六十三条、第六十四条第（一）项"
PORTAL = "portal"


def _visible(session: Session, account: MerchantAccount):
    shops = select(Merchant.id).where(Merchant.account_id == account.id)
    consents = select(ServiceConsent.case_id).where(ServiceConsent.phone_hash == account.phone,
                                                    ServiceConsent.revoked_at.is_(None))  # fmt: skip
    # a consent that did not choose the portal is filtered in Python (channels is JSON)
    portal_cases = [
        c.case_id for c in session.scalars(select(ServiceConsent).where(ServiceConsent.case_id.in_(consents)))
        if PORTAL in (c.channels or [])
    ]  # fmt: skip
    return or_(Case.merchant_id.in_(shops), Case.id.in_(portal_cases))


def cases_of(session: Session, account: MerchantAccount) -> list[Case]:
    """The account's cases, newest first."""
    return list(session.scalars(select(Case).where(_visible(session, account)).order_by(Case.created_at.desc())))


def load(session: Session, account: MerchantAccount, case_id: uuid.UUID) -> Case:
    case = session.scalar(select(Case).where(Case.id == case_id, _visible(session, account)))
    if case is None:
        raise NotFound("案件不存在或与您无关", code="portal.case_not_found")
    return case


def statement_window(case: Case, cal: WorkCalendar, on: date) -> Window:
    """第四十五条: open while the case is in its statement period (notice served, not waived) up to its last day."""
    if case.notice_served_on is None:
        return Window(open=False, ends_on=None, basis=STATEMENT_BASIS)
    ends = clocks.statement_ends(case.notice_served_on, case.statement_days, cal)
    live = case.status is CaseStatus.statement and not case.statement_waived and on <= ends
    return Window(open=live, ends_on=ends, basis=STATEMENT_BASIS)


def hearing_window(case: Case, cal: WorkCalendar, on: date) -> Window | None:
    """第六十四条第（一）项: five working days from the notice, where the penalty carries the right (第六十三条)."""
    if not case.hearing_right:
        return None
    if case.notice_served_on is None:
        return Window(open=False, ends_on=None, basis=HEARING_BASIS)
    last = clocks.hearing_request_last_day(case.notice_served_on, cal)
    live = case.status is CaseStatus.statement and not case.hearing_requested and on <= last
    return Window(open=live, ends_on=last, basis=HEARING_BASIS)


def read(session: Session, case: Case) -> PartyCaseOut:
    cal, on = work_calendar(session), today()
    subs = session.scalars(select(PartySubmission).where(PartySubmission.case_id == case.id)
                           .order_by(PartySubmission.submitted_at))  # fmt: skip
    return PartyCaseOut(
        id=case.id, code=case.code, matter_name=case.matter_name, party_name=case.party_name,
        status=case.status.value, status_label=STATUS_LABELS[case.status], notice_served_on=case.notice_served_on,
        statement=statement_window(case, cal, on), hearing=hearing_window(case, cal, on),
        hearing_requested=case.hearing_requested,
        submissions=[SubmissionOut(id=s.id, kind=s.kind, kind_label=SUBMISSION_LABELS[s.kind], text=s.text,
                                   attachments=len(s.evidence_ids), submitted_at=s.submitted_at) for s in subs],
    )  # fmt: skip


def _refuse_unless_in_statement(case: Case) -> None:
    if case.status in (CaseStatus.prior_notice,) or case.notice_served_on is None:
        raise Conflict("行政处罚事先告知书尚未送达，暂不能在线陈述申辩或要求听证（《行政处罚法》第四十四条）",
                       code="portal.notice_not_served")  # fmt: skip
    if case.status is not CaseStatus.statement:
        raise Conflict(f"案件已进入“{STATUS_LABELS[case.status]}”阶段，陈述申辩期已结束，不能再在线提交",
                       code="portal.not_in_statement")  # fmt: skip


def submit_statement(
    session: Session, settings: Settings, actor: Actor, account: MerchantAccount, case: Case, text: str,
    files: list[tuple[BinaryIO | bytes, str, str | None]],
) -> PartySubmission:  # fmt: skip
    """A statement and defense inside the window: its text and attachments (evidence, origin party) land in the
    case with a timeline entry, and the case records that the party stated (第四十五条第二款)."""
    _refuse_unless_in_statement(case)
    if case.statement_waived:
        raise Conflict("当事人已明确放弃陈述申辩", code="portal.statement_waived")
    cal, on = work_calendar(session), today()
    window = statement_window(case, cal, on)
    if not window.open:
        ends = window.ends_on
        raise Conflict(f"陈述申辩期已于 {ends.isoformat() if ends else '—'} 届满，不能再在线提交陈述申辩"
                       f"（{STATEMENT_BASIS}）；如有正当理由，请与承办人联系", code="portal.statement_late",
                       expired_on=ends)  # fmt: skip
    if len(files) > MAX_ATTACHMENTS:
        raise Conflict(f"附件最多 {MAX_ATTACHMENTS} 个", code="portal.too_many_attachments")
    items = [evidence.record_party(session, settings, actor, data, filename=name, mime=mime,
                                   accepted=ATTACHMENT_TYPES, case_id=case.id, source_id=case.source_id,
                                   title=f"陈述申辩材料：{name}"[:200]) for data, name, mime in files]  # fmt: skip
    assert window.ends_on is not None
    row = _record(session, account, case, SubmissionKind.statement, text, [str(i.id) for i in items],
                  window.ends_on)  # fmt: skip
    _act(session, actor, case, CaseAction.record_statement, "party_statement",
         {"channel": "portal", "text": text[:2000], "attachments": [str(i.id) for i in items],
          "ledger_seq": [i.ledger_seq for i in items]})  # fmt: skip
    return row


def request_hearing(session: Session, actor: Actor, account: MerchantAccount, case: Case, reason: str
                    ) -> PartySubmission:  # fmt: skip
    """A hearing request inside 第六十四条's five working days: the case moves to 听证 as when the handler records
    it, through the workflow's own gate (``hearing_request_in_time``)."""
    _refuse_unless_in_statement(case)
    rule = TRANSITIONS[(CaseStatus.statement, CaseAction.request_hearing)]
    on, cal = today(), work_calendar(session)
    facts = facts_of(session, case, on)
    for gate in rule.gates:
        refusal = gate(facts, on, cal)
        if refusal is None:
            continue
        if refusal.code == "case.gate.hearing_late":
            last = clocks.hearing_request_last_day(case.notice_served_on, cal)  # type: ignore[arg-type]
            raise Conflict(f"听证要求应在告知后五个工作日内提出，已于 {last.isoformat()} 届满（{HEARING_BASIS}）",
                           code="portal.hearing_late", expired_on=last)  # fmt: skip
        raise Conflict(refusal.message, code=refusal.code.replace("case.gate.", "portal."))
    last = clocks.hearing_request_last_day(case.notice_served_on, cal)  # type: ignore[arg-type]
    row = _record(session, account, case, SubmissionKind.hearing, reason, [], last)
    _act(session, actor, case, CaseAction.request_hearing, None, {"channel": "portal", "reason": reason[:1000]})
    return row


def _record(session: Session, account: MerchantAccount, case: Case, kind: SubmissionKind, text: str,
            evidence_ids: list[str], window_ends: date) -> PartySubmission:  # fmt: skip
    row = PartySubmission(case_id=case.id, account_id=account.id, kind=kind, text=text.strip(),
                          evidence_ids=evidence_ids, window_ends=window_ends, submitted_at=clock.now())  # fmt: skip
    session.add(row)
    return row


def _act(session: Session, actor: Actor, case: Case, action: CaseAction, label: str | None,
         record: dict[str, object]) -> None:  # fmt: skip
    """The action's effects as the workflow defines them (``effects``), recorded on the case's timeline with the
    party as the actor; the case's version moves (an officer's stale panel is told to refresh)."""
    now, on, cal = clock.now(), today(), work_calendar(session)
    before = Position(case.status, case.approval_step, case.approval_steps, case.came_from)
    target = TRANSITIONS[(case.status, action)].target
    after = Position(target) if isinstance(target, CaseStatus) else target(before, facts_of(session, case, on))
    effects.apply(session, case, action, CaseActionIn(version=case.version), before, after, on, cal, record, now)
    effects.enter(session, case, before, after)
    case.updated_at = now
    add_event(session, case, label or action.value, actor, now, from_status=before.status, to_status=after.status,
              data=record)  # fmt: skip
    session.flush()
