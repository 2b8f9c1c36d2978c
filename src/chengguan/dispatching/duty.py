"""上班/下班 (the officer's duty switch): recorded with time and actor, reflected on the live map, read by the phone.

An off-duty officer is never offered for dispatch (their live status is ``off_duty``, which the nearest-officer index
skips) and their phone's position reports are refused until they switch back on. Officers who never used the switch
are on duty whenever their phone reports (the phone app before the switch existed keeps working).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.principals import Actor
from chengguan.dispatching import repository
from chengguan.dispatching.live import touch_status
from chengguan.dispatching.models import DutyStatus, DutySwitch
from chengguan.dispatching.rules import check_duty_switch
from chengguan.dispatching.schemas import DutyRead


def latest(
    session: Session, officer_ids: set[uuid.UUID] | None = None, *, since: datetime | None = None
) -> dict[uuid.UUID, DutySwitch]:
    """The latest switch of each officer (of ``officer_ids``, or of everyone; only switches after ``since``)."""
    ranked = select(
        DutySwitch.id,
        func.row_number()
        .over(partition_by=DutySwitch.officer_id, order_by=(DutySwitch.at.desc(), DutySwitch.id.desc()))
        .label("n"),
    )
    if officer_ids is not None:
        if not officer_ids:
            return {}
        ranked = ranked.where(DutySwitch.officer_id.in_(officer_ids))
    if since is not None:
        ranked = ranked.where(DutySwitch.at > since)
    sub = ranked.subquery()
    rows = session.scalars(select(DutySwitch).join(sub, sub.c.id == DutySwitch.id).where(sub.c.n == 1))
    return {r.officer_id: r for r in rows}


def is_off_duty(session: Session, officer_id: uuid.UUID) -> bool:
    """Whether the officer's own latest switch says 下班."""
    last = latest(session, {officer_id}).get(officer_id)
    return last is not None and not last.on_duty


def state(session: Session, officer_id: uuid.UUID) -> DutyRead:
    last = latest(session, {officer_id}).get(officer_id)
    position = repository.position_of(session, officer_id)
    never_switched = position is None or position.status is not DutyStatus.off_duty  # on duty unless the map says not
    on_duty = last.on_duty if last is not None else never_switched
    return DutyRead(
        officer_id=officer_id,
        on_duty=on_duty,
        since=last.at if last else None,
        by=last.actor_name if last else None,
        status=position.status if position else None,
    )


def switch(session: Session, actor: Actor, officer_id: uuid.UUID, on_duty: bool, via: str) -> DutyRead:
    """Switch 上班/下班: recorded (time, who) when it changes anything; the live map follows at once (off duty:
    ``off_duty``; on duty: available, or still busy on a task). 409 when going off duty with an open task."""
    now = clock.now()
    active = repository.active_count(session, officer_id)
    if check_duty_switch(state(session, officer_id).on_duty, on_duty, active):
        session.add(
            DutySwitch(
                officer_id=officer_id,
                on_duty=on_duty,
                at=now,
                actor_id=actor.actor_id,
                actor_name=actor.actor_name,
                via=via,
            )
        )
    position = repository.position_of(session, officer_id)
    if position is not None:
        target = DutyStatus.off_duty if not on_duty else DutyStatus.busy if active else DutyStatus.available
        if position.status is not target:
            touch_status(session, position, target, now)
    session.flush()
    return state(session, officer_id)
