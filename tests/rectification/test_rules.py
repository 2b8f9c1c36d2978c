"""The rectification state machine and warning first, as tables: every (status, action, actor) triple, the guards,
the escalation rule, and every condition of 《行政处罚法》第三十三条 the warning-first rule reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chengguan.core.errors import Unprocessable
from chengguan.rectification import leniency, rules
from chengguan.rectification.enums import Actor, Harm, RectAction, RectStatus, Suggestion

S, A = RectStatus, RectAction
TODAY = date(2026, 10, 9)
DUE = TODAY + timedelta(days=3)

# (status, action) → (who, where to) for every allowed move; everything else is an invalid transition.
EXPECTED = {
    (S.pending, A.submit): (Actor.party, S.submitted),
    (S.rejected, A.submit): (Actor.party, S.submitted),
    (S.submitted, A.confirm): (Actor.officer, S.confirmed),
    (S.reinspection, A.confirm): (Actor.officer, S.confirmed),
    (S.submitted, A.reject): (Actor.officer, S.rejected),
    (S.reinspection, A.reject): (Actor.officer, S.rejected),
    (S.pending, A.schedule_reinspection): (Actor.officer, S.reinspection),
    (S.submitted, A.schedule_reinspection): (Actor.officer, S.reinspection),
    (S.rejected, A.schedule_reinspection): (Actor.officer, S.reinspection),
    (S.pending, A.escalate): (Actor.system, S.escalated),
    (S.rejected, A.escalate): (Actor.system, S.escalated),
    (S.pending, A.withdraw): (Actor.officer, S.withdrawn),
    (S.submitted, A.withdraw): (Actor.officer, S.withdrawn),
    (S.reinspection, A.withdraw): (Actor.officer, S.withdrawn),
    (S.rejected, A.withdraw): (Actor.officer, S.withdrawn),
}


def _facts(**kw) -> rules.Facts:
    base = {"today": TODAY, "due_date": DUE, "rejections": 0, "reason": "照片不清楚", "reinspection_on": TODAY}
    return rules.Facts(**(base | kw))


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(A))
@pytest.mark.parametrize("actor", list(Actor))
def test_every_status_action_and_actor(status: RectStatus, action: RectAction, actor: Actor):
    expected = EXPECTED.get((status, action))
    # an escalation needs its cause: overdue (due date passed)
    facts = _facts(due_date=TODAY - timedelta(days=1)) if action is A.escalate else _facts()
    if expected is None:
        with pytest.raises(rules.InvalidTransition):
            rules.decide(status, action, actor, facts)
    elif expected[0] is not actor:
        with pytest.raises(rules.NotAllowed):
            rules.decide(status, action, actor, facts)
    else:
        assert rules.decide(status, action, actor, facts) is expected[1]


def test_the_table_has_no_other_moves():
    assert {k: (r.who, r.target) for k, r in rules.TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("action", "facts", "code"),
    [
        (A.submit, _facts(due_date=TODAY - timedelta(days=1)), "rectification.overdue"),
        (A.reject, _facts(reason=" "), "rectification.reason_required"),
        (A.withdraw, _facts(reason=None), "rectification.reason_required"),
        (A.schedule_reinspection, _facts(reinspection_on=None), "rectification.reinspection_date"),
        (A.schedule_reinspection, _facts(reinspection_on=TODAY - timedelta(days=1)), "rectification.reinspection_date"),
        (A.escalate, _facts(), "rectification.not_due"),
    ],
)
def test_guards(action: RectAction, facts: rules.Facts, code: str):
    status = S.submitted if action in (A.reject,) else S.pending
    who = {A.submit: Actor.party, A.escalate: Actor.system}.get(action, Actor.officer)
    with pytest.raises((rules.GateClosed, Unprocessable)) as refused:
        rules.decide(status, action, who, facts)
    assert refused.value.code == code


def test_a_late_submission_names_the_day_the_period_ended():
    with pytest.raises(rules.GateClosed) as refused:
        rules.decide(S.pending, A.submit, Actor.party, _facts(due_date=TODAY - timedelta(days=2)))
    assert refused.value.extra["expired_on"] == TODAY - timedelta(days=2)
    assert "2026-10-07" in refused.value.detail


def test_the_due_date_itself_is_still_in_time():
    assert rules.decide(S.pending, A.submit, Actor.party, _facts(due_date=TODAY)) is S.submitted


@pytest.mark.parametrize(
    ("status", "due", "rejections", "expected"),
    [
        (S.pending, TODAY, 0, None),  # due today: still in time
        (S.pending, TODAY - timedelta(days=1), 0, "overdue"),
        (S.rejected, TODAY + timedelta(days=5), 1, None),
        (S.rejected, TODAY + timedelta(days=5), 2, "rejected_twice"),
        (S.rejected, TODAY - timedelta(days=1), 1, "overdue"),
        (S.submitted, TODAY - timedelta(days=9), 0, None),  # waits on the officer, not the shop
        (S.reinspection, TODAY - timedelta(days=9), 1, None),
        (S.confirmed, TODAY - timedelta(days=9), 0, None),
        (S.escalated, TODAY - timedelta(days=9), 0, None),
        (S.withdrawn, TODAY - timedelta(days=9), 0, None),
    ],
)
def test_escalation(status: RectStatus, due: date, rejections: int, expected: str | None):
    assert rules.escalation(status, due, rejections, TODAY) == expected


def test_allowed_lists_the_actors_own_actions_without_the_system_s():
    assert rules.allowed(S.submitted, Actor.officer) == [A.confirm, A.reject, A.schedule_reinspection, A.withdraw]
    assert rules.allowed(S.pending, Actor.party) == [A.submit]
    assert rules.allowed(S.pending, Actor.system) == []
    assert rules.allowed(S.confirmed, Actor.officer) == []


RULE = leniency.LeniencyRule("09005-QD-01", enabled=True, window_days=180)
NONE = leniency.History()


@pytest.mark.parametrize(
    ("rule", "exempt", "harm", "history", "outcome", "decided_by"),
    [
        (RULE, True, Harm.minor, NONE, Suggestion.warning, "first_minor"),
        (RULE, True, Harm.none, NONE, Suggestion.warning, "first_minor"),
        (None, True, Harm.none, NONE, Suggestion.case, "no_rule"),
        (leniency.LeniencyRule("x", enabled=False), True, Harm.none, NONE, Suggestion.case, "disabled"),
        (RULE, False, Harm.none, NONE, Suggestion.case, "matter_excluded"),
        (RULE, True, Harm.general, NONE, Suggestion.case, "harm"),
        (RULE, True, Harm.serious, NONE, Suggestion.case, "harm"),
        (RULE, True, Harm.minor, leniency.History(cases=1), Suggestion.case, "repeat_case"),
        (RULE, True, Harm.minor, leniency.History(notices=1), Suggestion.case, "repeat_notice"),
        (RULE, True, Harm.minor, leniency.History(notices=2, cases=1), Suggestion.case, "repeat_case"),
    ],
)
def test_warning_first(rule, exempt, harm, history, outcome, decided_by):  # type: ignore[no-untyped-def]
    decision = leniency.decide(rule, exempt, harm, history)
    assert (decision.outcome, decision.rule) == (outcome, decided_by)
    assert decision.rule in leniency.RULE_LABELS


def test_a_warning_names_the_window_and_the_article():
    decision = leniency.decide(RULE, True, Harm.minor, NONE)
    assert "180 日内无同一事项的违法记录" in decision.reason and "第三十三条" in decision.reason
    repeat = leniency.decide(RULE, True, Harm.minor, leniency.History(notices=1))
    assert "180 日内已因同一事项被提醒或责令整改 1 次" in repeat.reason
    assert "初次违法且危害后果轻微并及时改正的，可以不予行政处罚" in leniency.ARTICLE_33
