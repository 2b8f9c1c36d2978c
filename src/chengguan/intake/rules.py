"""Intake rules: stage time limits, per-category dedup radius/window, snooze rules — read and maintained (audited).

Configuration is scoped like data (``org.scope.require_config_scope``): a unit's rules are written by whoever's data
scope covers the unit, platform-wide rules only by city-wide accounts; the merge radius is platform-wide by nature.
Reads show the platform's rules, those of the units in scope and those of the units above the reader's own."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.core import clock
from chengguan.core.errors import Conflict, NotFound, field_error
from chengguan.core.geo import out_of_china, to_wgs84
from chengguan.core.principals import StaffPrincipal
from chengguan.intake.dedup import Params
from chengguan.intake.models import DedupRule, SnoozeRule, TimeLimitRule
from chengguan.intake.schemas import DedupRuleIn, SnoozeRuleIn, TimeLimitIn, TimeLimitRead
from chengguan.intake.timelimits import DEFAULT_LIMITS, Limit
from chengguan.kit.snapshot import as_dict
from chengguan.law.seed import categories
from chengguan.org.grids import grid_locator
from chengguan.org.models import OrgUnitClosure
from chengguan.org.scope import config_readable, require_config_scope


def time_limits(session: Session) -> list[Limit]:
    """The configured stage limits (defaults apply where none matches, see ``timelimits.pick``)."""
    return [
        Limit(r.stage, r.amount, r.unit, r.warn_percent, r.category_code, r.channel, r.unit_id)
        for r in session.scalars(select(TimeLimitRule))
    ]


def unit_chain(session: Session, unit_id: uuid.UUID | None) -> tuple[uuid.UUID, ...]:
    """The unit and the units above it, nearest first (whose rules apply to the unit's sources)."""
    if unit_id is None:
        return ()
    above = select(OrgUnitClosure.ancestor_id).where(OrgUnitClosure.descendant_id == unit_id)
    return tuple(session.scalars(above.order_by(OrgUnitClosure.depth)))


def dedup_params(session: Session) -> dict[str, Params]:
    """category → merge radius and window, for categories with their own rule."""
    return {
        r.category_code: Params(float(r.radius_m), timedelta(minutes=r.window_minutes))
        for r in session.scalars(select(DedupRule))
    }


def _known_category(code: str | None, field: str = "category_code") -> None:
    if code is not None and code not in categories():
        raise field_error(field, f"未知的事项类别码 {code}", code="source.unknown_category")


def list_time_limits(session: Session, principal: StaffPrincipal) -> list[TimeLimitRead]:
    rows = session.scalars(select(TimeLimitRule).where(config_readable(principal, TimeLimitRule.unit_id)))
    configured = [TimeLimitRead.model_validate(r) for r in rows]
    builtin = [
        TimeLimitRead(
            id=None,
            stage=d.stage,
            category_code=None,
            channel=None,
            amount=d.amount,
            unit=d.unit,
            warn_percent=d.warn_percent,
            builtin=True,
        )
        for d in DEFAULT_LIMITS
    ]
    order = {s: n for n, s in enumerate(d.stage for d in DEFAULT_LIMITS)}
    return sorted(
        configured + builtin,
        key=lambda r: (order.get(r.stage, 99), r.builtin, r.category_code or "", r.channel or "", str(r.unit_id or "")),
    )


def put_time_limit(session: Session, principal: StaffPrincipal, data: TimeLimitIn) -> TimeLimitRead:
    """Create or replace the rule for (stage, category, channel, unit); applies to stages entered from now on."""
    require_config_scope(session, principal, data.unit_id, "环节时限")
    _known_category(data.category_code)
    row = session.scalars(
        select(TimeLimitRule).where(
            TimeLimitRule.stage == data.stage,
            TimeLimitRule.category_code.is_(None)
            if data.category_code is None
            else TimeLimitRule.category_code == data.category_code,
            TimeLimitRule.channel.is_(None) if data.channel is None else TimeLimitRule.channel == data.channel,
            TimeLimitRule.unit_id.is_(None) if data.unit_id is None else TimeLimitRule.unit_id == data.unit_id,
        )
    ).first()
    before = as_dict(row) if row else None
    if row is None:
        row = TimeLimitRule(**data.model_dump())
        session.add(row)
    else:
        row.amount, row.unit, row.warn_percent = data.amount, data.unit, data.warn_percent
    session.flush()
    audit.record(
        session,
        principal.actor,
        "time_limit.put",
        target_type="time_limit_rule",
        target_id=row.id,
        target_label=f"{data.stage} {data.category_code or '*'} {data.channel or '*'} {data.unit_id or '全市'}",
        summary={"before": before, "after": as_dict(row)},
    )
    return TimeLimitRead.model_validate(row)


def _delete_audited(
    session: Session, principal: StaffPrincipal, model: type, rule_id: uuid.UUID, noun: str, kind: str, label
) -> None:
    """Delete one rule row the principal may configure, recording its last content in the audit log."""
    row = session.get(model, rule_id)
    if row is None:
        raise NotFound(f"{noun}不存在", code=f"{kind}.not_found")
    require_config_scope(session, principal, getattr(row, "unit_id", None), noun)
    audit.record(
        session,
        principal.actor,
        f"{kind}.delete",
        target_type=model.__tablename__,
        target_id=row.id,
        target_label=label(row),
        summary={"before": as_dict(row)},
    )
    session.delete(row)
    session.flush()


def delete_time_limit(session: Session, principal: StaffPrincipal, rule_id: uuid.UUID) -> None:
    _delete_audited(
        session,
        principal,
        TimeLimitRule,
        rule_id,
        "时限规则",
        "time_limit",
        lambda r: f"{r.stage} {r.category_code or '*'} {r.channel or '*'} {r.unit_id or '全市'}",
    )


def list_dedup_rules(session: Session) -> list[DedupRule]:
    return list(session.scalars(select(DedupRule).order_by(DedupRule.category_code)))


def put_dedup_rule(session: Session, principal: StaffPrincipal, data: DedupRuleIn) -> DedupRule:
    """Create or replace the merge radius/window of one category — platform-wide: signals are merged before they
    are routed to any unit, so only a city-wide account sets it."""
    require_config_scope(session, principal, None, "合并规则")
    _known_category(data.category_code)
    row = session.scalars(select(DedupRule).where(DedupRule.category_code == data.category_code)).first()
    before = as_dict(row) if row else None
    if row is None:
        row = DedupRule(**data.model_dump())
        session.add(row)
    else:
        row.radius_m, row.window_minutes = data.radius_m, data.window_minutes
    session.flush()
    audit.record(
        session,
        principal.actor,
        "dedup_rule.put",
        target_type="dedup_rule",
        target_id=row.id,
        target_label=data.category_code,
        summary={"before": before, "after": as_dict(row)},
    )
    return row


def delete_dedup_rule(session: Session, principal: StaffPrincipal, rule_id: uuid.UUID) -> None:
    _delete_audited(session, principal, DedupRule, rule_id, "合并规则", "dedup_rule", lambda r: r.category_code)


def list_snooze_rules(session: Session, principal: StaffPrincipal, *, active_only: bool = False) -> list[SnoozeRule]:
    statement = select(SnoozeRule).where(config_readable(principal, SnoozeRule.unit_id))
    statement = statement.order_by(SnoozeRule.until.desc())
    if active_only:
        statement = statement.where(SnoozeRule.active.is_(True), SnoozeRule.until > clock.now())
    return list(session.scalars(statement))


def create_snooze_rule(session: Session, principal: StaffPrincipal, data: SnoozeRuleIn) -> SnoozeRule:
    """Silence a known, already-handled spot until ``until``: matching signals in the rule's unit are kept but open
    no source. The unit defaults to the squad of the spot's grid (outside every grid: the whole platform)."""
    _known_category(data.category_code)
    lng, lat = to_wgs84(data.lng, data.lat, data.crs)
    if out_of_china(lng, lat):
        raise field_error("lng", "坐标不在中国境内", code="source.out_of_area")
    unit_id = data.unit_id
    if unit_id is None and (hit := grid_locator.index(session).locate(lng, lat)) is not None:
        unit_id = hit.squad_id
    require_config_scope(session, principal, unit_id, "静默规则")
    if data.until <= clock.now():
        raise field_error("until", "截止时间须晚于现在", code="snooze.until_in_past")
    row = SnoozeRule(
        category_code=data.category_code,
        unit_id=unit_id,
        lng=lng,
        lat=lat,
        radius_m=data.radius_m,
        until=data.until,
        reason=data.reason,
        created_by=principal.display_name,
        active=True,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal.actor,
        "snooze_rule.create",
        target_type="snooze_rule",
        target_id=row.id,
        target_label=data.reason,
        summary={"after": as_dict(row)},
    )
    return row


def deactivate_snooze_rule(session: Session, principal: StaffPrincipal, rule_id: uuid.UUID) -> SnoozeRule:
    row = session.get(SnoozeRule, rule_id)
    if row is None:
        raise NotFound("静默规则不存在", code="snooze.not_found")
    require_config_scope(session, principal, row.unit_id, "静默规则")
    if not row.active:
        raise Conflict("该静默规则已停用", code="snooze.inactive")
    row.active = False
    session.flush()
    audit.record(
        session,
        principal.actor,
        "snooze_rule.deactivate",
        target_type="snooze_rule",
        target_id=row.id,
        target_label=row.reason,
        summary={"after": as_dict(row)},
    )
    return row
