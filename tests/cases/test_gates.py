"""Statutory gates of the penalty case, each pinned to its article (《行政处罚法》2021 unless named)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from chengguan.calendar.workdays import WorkCalendar
from chengguan.cases.enums import CaseAction, CaseStatus, DecisionKind, Procedure, Role
from chengguan.cases.gates import CaseFacts
from chengguan.cases.workflow import GateClosed, Position, creation_refusal, decide
from chengguan.law.enums import PartyType, PenaltyKind

S, A = CaseStatus, CaseAction
CAL = WorkCalendar()
FINE = frozenset({PenaltyKind.fine})
HANDLER = frozenset({Role.handler})
READY = CaseFacts(  # a statement-stage case ready for its decision except for what each test changes
    certified_officers=2,
    penalty_kinds=FINE,
    fine_fen=2_000_00,
    noticed_kinds=FINE,
    noticed_fine_fen=2_000_00,
    notice_served_on=date(2025, 9, 26),  # Friday before National Day
    statement_days=3,
)


def refusal_code(facts: CaseFacts, action: CaseAction, today: date, status: CaseStatus = S.statement) -> str | None:
    try:
        decide(Position(status, came_from=S.statement), action, HANDLER, facts, today, CAL)
    except GateClosed as exc:
        return exc.code
    return None


# -- 第四十四条、第四十五条、第六十二条: notice served, statement window over (or waived) -----------------------


def test_no_decision_without_a_served_notice():
    facts = dataclasses.replace(READY, notice_served_on=None, noticed_kinds=None, noticed_fine_fen=None)
    assert refusal_code(facts, A.submit_decision, date(2025, 12, 1)) == "case.gate.notice"


def test_statement_window_counts_working_days_across_national_day():
    # Served Fri 26 Sep 2025; Sun 28 Sep is an adjusted working day, 1–8 Oct are holidays: the three working days
    # are 28, 29, 30 Sep, so the window ends on 30 Sep and a decision is possible from 1 Oct.
    assert refusal_code(READY, A.submit_decision, date(2025, 9, 30)) == "case.gate.statement_window"
    assert refusal_code(READY, A.submit_decision, date(2025, 10, 1)) is None


def test_waiver_ends_the_window_at_once():
    waived = dataclasses.replace(READY, statement_waived=True)
    assert refusal_code(waived, A.submit_decision, date(2025, 9, 26)) is None


def test_changed_penalty_needs_a_new_notice_and_a_defense_cannot_raise_it():
    lower = dataclasses.replace(READY, fine_fen=1_500_00)
    assert refusal_code(lower, A.submit_decision, date(2025, 10, 9)) == "case.gate.penalty_changed"
    # 第四十五条第二款: after a defense the new notice may lower the penalty but never raise it
    defended = dataclasses.replace(READY, defense_recorded=True)
    assert refusal_code(dataclasses.replace(defended, fine_fen=1_500_00), A.issue_notice, date(2025, 10, 9)) is None
    raised = dataclasses.replace(defended, fine_fen=2_500_00)
    assert refusal_code(raised, A.issue_notice, date(2025, 10, 9)) == "case.gate.raised"
    heavier_kind = dataclasses.replace(defended, penalty_kinds=FINE | {PenaltyKind.confiscation})
    assert refusal_code(heavier_kind, A.issue_notice, date(2025, 10, 9)) == "case.gate.raised"


# -- 第六十三条、第六十四条: hearing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("served", "day5", "day6"),
    [
        (date(2025, 6, 16), date(2025, 6, 23), date(2025, 6, 24)),  # Mon: across one weekend
        # 28 Sep (Sun) works, 1–8 Oct off; day 6 is the adjusted working Saturday 11 Oct
        (date(2025, 9, 26), date(2025, 10, 10), date(2025, 10, 11)),
        # 26 Jan (Sun) works, 28 Jan–4 Feb off (Spring Festival); day 6 is the adjusted working Saturday 8 Feb
        (date(2025, 1, 24), date(2025, 2, 7), date(2025, 2, 8)),
    ],
)
def test_hearing_request_on_working_day_5_accepted_day_6_refused(served, day5, day6):
    facts = dataclasses.replace(READY, hearing_right=True, notice_served_on=served)
    assert refusal_code(facts, A.request_hearing, day5) is None
    assert refusal_code(facts, A.request_hearing, day6) == "case.gate.hearing_late"


def test_hearing_only_where_the_penalty_carries_the_right():
    assert refusal_code(READY, A.request_hearing, date(2025, 9, 29)) == "case.gate.no_hearing_right"


def test_hearing_is_notified_seven_working_days_ahead():
    # Notified Wed 5 Feb 2025: 6, 7, 8 (adjusted working Saturday), 10, 11, 12, 13 Feb → earliest hearing 13 Feb.
    facts = dataclasses.replace(READY, hearing_notified_on=date(2025, 2, 5), hearing_on=date(2025, 2, 12))
    assert refusal_code(facts, A.schedule_hearing, date(2025, 2, 5), S.hearing) == "case.gate.hearing_notice"
    ok = dataclasses.replace(facts, hearing_on=date(2025, 2, 13))
    assert refusal_code(ok, A.schedule_hearing, date(2025, 2, 5), S.hearing) is None


def test_no_decision_while_a_requested_hearing_is_pending():
    facts = dataclasses.replace(READY, hearing_requested=True, statement_waived=True)
    assert refusal_code(facts, A.submit_decision, date(2025, 10, 20)) == "case.gate.hearing_pending"


# -- 第五十八条: legal review exactly in its cases; 第五十七条: collective discussion ---------------------------


@pytest.mark.parametrize(
    ("grounds", "hearing_held", "required"),
    [
        (frozenset(), False, False),
        (frozenset({"public_interest"}), False, True),  # (一)
        (frozenset(), True, True),  # (二) a hearing was held
        (frozenset({"complex"}), False, True),  # (三)
        (frozenset({"other_law"}), False, True),  # (四)
    ],
)
def test_legal_review_required_exactly_in_the_article_58_cases(grounds, hearing_held, required):
    facts = dataclasses.replace(READY, legal_review_grounds=grounds, hearing_held=hearing_held, statement_waived=True)
    assert facts.legal_review_required is required
    expected = "case.gate.legal_review" if required else None
    assert refusal_code(facts, A.submit_decision, date(2025, 10, 20)) == expected
    passed = dataclasses.replace(facts, legal_review_passed=True)
    assert refusal_code(passed, A.submit_decision, date(2025, 10, 20)) is None


def test_major_case_needs_collective_discussion():
    facts = dataclasses.replace(READY, discussion_required=True, statement_waived=True)
    assert refusal_code(facts, A.submit_decision, date(2025, 10, 20)) == "case.gate.discussion"
    done = dataclasses.replace(facts, discussion_done=True)
    assert refusal_code(done, A.submit_decision, date(2025, 10, 20)) is None


# -- 第四十二条: two certified officers; 第五十一条: simple procedure caps; 第三十六条: limitation --------------


def test_two_certified_officers():
    one = dataclasses.replace(READY, certified_officers=1, statement_waived=True)
    assert refusal_code(one, A.submit_decision, date(2025, 10, 20)) == "case.gate.officers"


@pytest.mark.parametrize(
    ("party", "yuan", "allowed"),
    [
        (PartyType.individual, 200, True),
        (PartyType.individual, 201, False),
        (PartyType.organization, 3000, True),
        (PartyType.organization, 3001, False),
    ],
)
def test_simple_procedure_caps(party, yuan, allowed):
    facts = CaseFacts(
        procedure=Procedure.simple, party_type=party, certified_officers=2, penalty_kinds=FINE, fine_fen=yuan * 100
    )
    refusal = creation_refusal(facts, date(2025, 6, 16), CAL)
    assert (refusal is None) is allowed
    if not allowed:
        assert refusal.code == "case.gate.simple_cap" and "第五十一条" in refusal.message


def test_simple_procedure_warning_allowed_other_kinds_not():
    warning = CaseFacts(
        procedure=Procedure.simple, certified_officers=2, penalty_kinds=frozenset({PenaltyKind.warning})
    )
    assert creation_refusal(warning, date(2025, 6, 16), CAL) is None
    seizure = dataclasses.replace(warning, penalty_kinds=frozenset({PenaltyKind.confiscation}))
    assert creation_refusal(seizure, date(2025, 6, 16), CAL).code == "case.gate.simple_kind"
    alone = dataclasses.replace(warning, certified_officers=1)
    assert creation_refusal(alone, date(2025, 6, 16), CAL).code == "case.gate.officers"


def test_filing_refused_past_the_limitation_unless_overridden():
    late = dataclasses.replace(READY, within_limitation=False)
    assert refusal_code(late, A.submit_filing, date(2025, 6, 16), S.preliminary_check) == "case.gate.limitation"
    overridden = dataclasses.replace(late, limitation_override=True)
    assert refusal_code(overridden, A.submit_filing, date(2025, 6, 16), S.preliminary_check) is None


# -- 《行政强制法》第五十四条、第六十九条: court enforcement after a reminder ------------------------------------


def test_court_enforcement_ten_working_days_after_the_reminder():
    # Reminder served Thu 25 Sep 2025: 26, 28 (Sun, works), 29, 30 Sep, 9, 10, 11 (Sat, works), 13, 14, 15 Oct.
    facts = dataclasses.replace(
        READY, decision_kind=DecisionKind.penalty, amount_due_fen=2_000_00, reminder_served_on=date(2025, 9, 25)
    )
    leader = frozenset({Role.leader})
    with pytest.raises(GateClosed) as exc:
        decide(Position(S.execution), A.apply_enforcement, leader, facts, date(2025, 10, 15), CAL)
    assert exc.value.code == "case.gate.reminder_period"
    decide(Position(S.execution), A.apply_enforcement, leader, facts, date(2025, 10, 16), CAL)
    running = dataclasses.replace(facts, remedy_running=True)
    with pytest.raises(GateClosed) as exc:
        decide(Position(S.execution), A.apply_enforcement, leader, running, date(2025, 12, 1), CAL)
    assert exc.value.code == "case.gate.remedy"
