"""在岗人员 (officers on duty now) for the home page, its list and the big screen, read from dispatching's live feed.

An officer is on duty when their live position says so (在岗可派 or 任务中, never 离岗 — the 上班/下班 switch sets
离岗) and the fix is fresh (younger than ``position_stale_minutes``): a phone silent for longer may have been
switched off, so the officer is not counted as present. Scope: the units the principal may dispatch in
(``dispatching.service.scoped_units``), as the command map shows them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit.list_export import audited_items
from chengguan.core.principals import StaffPrincipal
from chengguan.dispatching import feed
from chengguan.dispatching.models import DUTY_LABELS, DutyStatus
from chengguan.dispatching.service import scoped_units
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.org.models import Officer
from chengguan.org.repository import unit_names

ON_DUTY = (DutyStatus.available.value, DutyStatus.busy.value)


def positions(session: Session, principal: StaffPrincipal) -> list[dict[str, Any]]:
    """The live positions (officers and vehicles) the principal may see, as the command map draws them."""
    return feed.snapshot(session, scoped_units(session, principal))


def on_duty(live: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The officers among ``live`` positions who are on duty now (status and a fresh fix)."""
    return [p for p in live if p["kind"] == "officer" and p["status"] in ON_DUTY and not p["stale"]]


def listed(session: Session, principal: StaffPrincipal, status: str | None = None) -> list[dict[str, Any]]:
    """The on-duty list (name, unit, certificate, status, last fix), by unit then name; ``status`` narrows it."""
    found = on_duty(positions(session, principal))
    if status:
        found = [p for p in found if p["status"] == status]
    ids = [uuid.UUID(p["id"]) for p in found]
    officers = {str(o.id): o for o in session.scalars(select(Officer).where(Officer.id.in_(ids)))} if ids else {}
    units = unit_names(session, {o.unit_id for o in officers.values()})
    out = []
    for p in found:
        o = officers.get(p["id"])
        out.append({
            "id": p["id"], "name": p["name"], "certificate_no": o.certificate_no if o else None,
            "unit_id": str(o.unit_id) if o else p["unit_id"], "unit_name": units.get(o.unit_id, "") if o else "",
            "status": p["status"], "status_label": DUTY_LABELS[DutyStatus(p["status"])],
            "lng": p["lng"], "lat": p["lat"], "at": p["at"],
        })  # fmt: skip
    out.sort(key=lambda r: (r["unit_name"], r["name"], r["id"]))
    return out


COLUMNS = (
    Column("姓名", 12), Column("执法证号", 18), Column("所属单位", 26), Column("状态", 10),
    Column("最近定位", 17, "time"), Column("经度", 12), Column("纬度", 12),
)  # fmt: skip


def _row(r: dict[str, Any]) -> list[Any]:
    at = r["at"]
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return [r["name"], r["certificate_no"], r["unit_name"], r["status_label"], when, r["lng"], r["lat"]]


def export(session: Session, principal: StaffPrincipal, status: str | None = None) -> StreamedBook:
    """The whole on-duty list (the page shows it a page at a time) in its order, audited as ``on_duty_export``."""
    return audited_items(session, principal, listed(session, principal, status), target="on_duty_export",
                         title="在岗执法人员", columns=COLUMNS, row=_row, filters={"status": status} if status else {},
                         unit="人")  # fmt: skip
