"""The rectification state machine — pure: a transition table, who may act, and the guards; no clock, no session.

``decide(status, action, actor, facts)`` returns the next status or raises: ``InvalidTransition`` (409) when the
action does not exist in that status, ``NotAllowed`` (403) when the actor is not the one who takes it,
``GateClosed`` (409) when a deadline closes it, a field error (422) when its input is missing. ``escalation`` says
whether the platform must turn the rectification into a case source (逾期未整改, or 两次整改不合格): the job asks it.

《行政处罚法》第二十八条第一款: the bureau orders the party to correct, or to correct within a time limit; 第三十三条:
a minor first offence corrected in time is not punished — one not corrected in time goes on to a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chengguan.core.errors import DomainError, field_error
from chengguan.rectification.enums import ACTION_LABELS, ACTOR_LABELS, STATUS_LABELS, Actor, RectAction, RectStatus

S = RectStatus
A = RectAction
MAX_REJECTIONS = 2  # the second rejection ends the shop's chances: the job makes a case source of it


class InvalidTransition(DomainError):
    status_code = 409
    code = "rectification.invalid_transition"


class NotAllowed(DomainError):
    status_code = 403
    code = "rectification.forbidden"


class GateClosed(DomainError):
    status_code = 409
    code = "rectification.gate"


@dataclass(frozen=True)
class Facts:
    """What the guards read: today's local date, the notice's due date, and the action's input."""

    today: date
    due_date: date
    rejections: int = 0
    reason: str | None = None
    reinspection_on: date | None = None


@dataclass(frozen=True)
class Rule:
    target: RectStatus
    who: Actor


TRANSITIONS: dict[tuple[RectStatus, RectAction], Rule] = {
    (S.pending, A.submit): Rule(S.submitted, Actor.party),
    (S.rejected, A.submit): Rule(S.submitted, Actor.party),
    (S.submitted, A.confirm): Rule(S.confirmed, Actor.officer),
    (S.reinspection, A.confirm): Rule(S.confirmed, Actor.officer),
    (S.submitted, A.reject): Rule(S.rejected, Actor.officer),
    (S.reinspection, A.reject): Rule(S.rejected, Actor.officer),
    (S.pending, A.schedule_reinspection): Rule(S.reinspection, Actor.officer),
    (S.submitted, A.schedule_reinspection): Rule(S.reinspection, Actor.officer),
    (S.rejected, A.schedule_reinspection): Rule(S.reinspection, Actor.officer),
    (S.pending, A.escalate): Rule(S.escalated, Actor.system),
    (S.rejected, A.escalate): Rule(S.escalated, Actor.system),
    (S.pending, A.withdraw): Rule(S.withdrawn, Actor.officer),
    (S.submitted, A.withdraw): Rule(S.withdrawn, Actor.officer),
    (S.reinspection, A.withdraw): Rule(S.withdrawn, Actor.officer),
    (S.rejected, A.withdraw): Rule(S.withdrawn, Actor.officer),
}


def decide(status: RectStatus, action: RectAction, actor: Actor, facts: Facts) -> RectStatus:
    """Where ``action`` by ``actor`` takes a rectification in ``status``, or why it may not (see the module)."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        raise InvalidTransition(f"整改当前为“{STATUS_LABELS[status]}”，不能“{ACTION_LABELS[action]}”")
    if rule.who is not actor:
        raise NotAllowed(f"“{ACTION_LABELS[action]}”须由{ACTOR_LABELS[rule.who]}办理")
    _guard(status, action, facts)
    return rule.target


def _guard(status: RectStatus, action: RectAction, f: Facts) -> None:
    if action is A.submit and f.today > f.due_date:
        raise GateClosed(
            f"整改期限已于 {f.due_date.isoformat()} 届满，不能再在线提交整改材料，请联系执法人员",
            code="rectification.overdue",
            expired_on=f.due_date,
        )
    if action in (A.reject, A.withdraw) and not (f.reason or "").strip():
        what = "不合格的理由" if action is A.reject else "撤回的理由"
        raise field_error("reason", f"请填写{what}", code="rectification.reason_required")
    if action is A.schedule_reinspection:
        if f.reinspection_on is None:
            raise field_error("reinspection_on", "请填写复查日期", code="rectification.reinspection_date")
        if f.reinspection_on < f.today:
            raise field_error("reinspection_on", "复查日期不能早于今天", code="rectification.reinspection_date")
    if action is A.escalate and escalation(status, f.due_date, f.rejections, f.today) is None:
        raise GateClosed("整改未逾期，也未两次不合格，不转案源", code="rectification.not_due")


def escalation(status: RectStatus, due_date: date, rejections: int, today: date) -> str | None:
    """Why the rectification must become a case source now (None: it need not): ``overdue`` — still not rectified
    the day after the due date; ``rejected_twice`` — the officer found it wanting twice. Only what waits on the
    shop escalates: a submission or a re-inspection waits on the officer."""
    if status not in (S.pending, S.rejected):
        return None
    if status is S.rejected and rejections >= MAX_REJECTIONS:
        return "rejected_twice"
    if today > due_date:
        return "overdue"
    return None


ESCALATION_LABELS = {"overdue": "逾期未整改", "rejected_twice": f"整改{MAX_REJECTIONS}次不合格"}


def allowed(status: RectStatus, actor: Actor) -> list[RectAction]:
    """The actions ``actor`` may try now (the panel's buttons; the guards are checked when one is taken)."""
    return [a for (s, a), rule in TRANSITIONS.items() if s is status and rule.who is actor and a is not A.escalate]
