"""What dispatching (指挥调度, above intake) does for case sources: the dispatch order (派遣单) follows the source's
actions, the source's detail lists its orders, a person's dispatch and arrival are checked before the action, and
an officer's patrol report made with the phone's fix is also their position.

Dispatching registers when it is imported (``dispatching.assignments``); intake never imports it. The application,
the job runner and the demo import it, so the desk is in place wherever a source action can be taken."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chengguan.intake.schemas import DispatchTaskBrief


@dataclass(frozen=True)
class DispatchDesk:
    """Dispatching's side of a source's actions; each takes the session first."""

    # (source, officer_id, actor, *, reason, now) → timeline data: the open order withdrawn, a new one given
    assign: Callable[..., dict[str, Any]]
    # (source_id, *, reason, now): the open order withdrawn (sent back, voided)
    withdraw: Callable[..., None]
    # (source_id, "arrive" | "complete", now): the step recorded on the open order
    mark: Callable[..., None]
    # (source, action, caps, reason, officer_id) → what the arrival's entry records: a person's dispatch and
    # arrival checked before the action
    precheck: Callable[..., dict[str, object] | None]
    # (source_id) → the source's orders, newest first
    briefs: Callable[..., list[DispatchTaskBrief]]
    # (principal, signal): an officer's patrol report was taken in
    reported: Callable[..., None]


_desk: DispatchDesk | None = None


def registers_desk(desk: DispatchDesk) -> None:
    """Dispatching's way in (registering again replaces it)."""
    global _desk
    _desk = desk


def desk() -> DispatchDesk:
    if _desk is None:
        raise LookupError("no dispatch desk: import chengguan.dispatching")
    return _desk
