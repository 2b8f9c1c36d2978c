"""Approval chains (审批链) as administrators configure them: per unit (inherited by the units below it) or
platform-wide, per procedure and approval stage, each step naming the role that signs it. A case keeps the chain it
entered a stage with, so an edit never strands an approval in progress."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.audit.list_export import audited_items
from chengguan.cases.approvals import DEFAULT_CHAINS
from chengguan.cases.enums import APPROVAL_STAGES, PROCEDURE_LABELS, STATUS_LABELS, CaseStatus, Procedure
from chengguan.cases.models import ApprovalChain
from chengguan.core import clock
from chengguan.core.errors import NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.identity.models import Role
from chengguan.kit.schemas import Schema
from chengguan.kit.xlsx import Column, StreamedBook
from chengguan.org.models import OrgUnit
from chengguan.org.scope import config_readable, require_config_scope


class ChainStep(Schema):
    role: str = Field(min_length=1, max_length=50, description="签署此环节的角色编码，例如 squad_leader")
    label: str = Field(min_length=1, max_length=50, description="环节名称，例如 中队长审核")


class ChainIn(Schema):
    unit_id: uuid.UUID | None = Field(None, description="适用单位（含下级单位）；为空表示全平台")
    procedure: Procedure
    stage: CaseStatus = Field(description="filing_approval / decision_approval / closure_approval")
    steps: list[ChainStep] = Field(max_length=6, description="按顺序签署；为空表示该单位此环节无需审批")


class ChainRead(BaseModel):
    id: uuid.UUID | None
    unit_id: uuid.UUID | None
    unit_name: str | None
    procedure: Procedure
    stage: CaseStatus
    stage_label: str
    steps: list[ChainStep]
    default: bool


def list_chains(session: Session, principal: StaffPrincipal) -> list[ChainRead]:
    """The configured chains the principal may see (platform-wide, units in scope, units above the principal's), plus
    the built-in defaults for the keys no platform-wide chain overrides."""
    rows = session.scalars(select(ApprovalChain).where(config_readable(principal, ApprovalChain.unit_id))).all()
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name)).tuples().all())
    out = [
        ChainRead(
            id=r.id,
            unit_id=r.unit_id,
            unit_name=names.get(r.unit_id) if r.unit_id else None,
            procedure=r.procedure,
            stage=r.stage,
            stage_label=STATUS_LABELS[r.stage],
            steps=[ChainStep(**s) for s in r.steps],
            default=False,
        )
        for r in rows
    ]
    platform = {(r.procedure, r.stage) for r in rows if r.unit_id is None}
    for (procedure, stage), steps in DEFAULT_CHAINS.items():
        if (procedure, stage) not in platform:
            out.append(ChainRead(id=None, unit_id=None, unit_name=None, procedure=procedure, stage=stage,
                                 stage_label=STATUS_LABELS[stage], steps=[ChainStep(**s) for s in steps],
                                 default=True))  # fmt: skip
    return sorted(out, key=lambda c: (c.unit_name or "", c.procedure.value, c.stage.value))


def put_chain(session: Session, principal: StaffPrincipal, data: ChainIn) -> ChainRead:
    """Create or replace the chain of (unit, procedure, stage); the roles must exist; the unit must be in the
    writer's data scope, and a platform-wide chain needs city-wide data (403 otherwise)."""
    if data.stage not in APPROVAL_STAGES:
        raise field_error("stage", "只能配置立案审批、决定审批或结案审批环节", code="chain.stage")
    if data.procedure is Procedure.simple:
        raise field_error("procedure", "简易程序当场作出决定并备案，不设审批环节（第五十二条）", code="chain.procedure")
    if data.unit_id is not None and session.get(OrgUnit, data.unit_id) is None:
        raise field_error("unit_id", "单位不存在", code="chain.unit")
    require_config_scope(session, principal, data.unit_id, "审批链")
    known = set(session.scalars(select(Role.code)))
    unknown = [s.role for s in data.steps if s.role not in known]
    if unknown:
        raise field_error("steps", f"角色不存在：{'、'.join(unknown)}", code="chain.role")
    row = session.scalar(
        select(ApprovalChain).where(
            ApprovalChain.unit_id.is_(None) if data.unit_id is None else ApprovalChain.unit_id == data.unit_id,
            ApprovalChain.procedure == data.procedure,
            ApprovalChain.stage == data.stage,
        )
    )
    before = list(row.steps) if row else None
    steps = [s.model_dump() for s in data.steps]
    now = clock.now()
    if row is None:
        row = ApprovalChain(unit_id=data.unit_id, procedure=data.procedure, stage=data.stage, steps=steps,
                            created_at=now, updated_at=now)  # fmt: skip
        session.add(row)
    else:
        row.steps, row.updated_at = steps, now
    session.flush()
    audit.record(session, principal.actor, "approval_chain.put", target_type="approval_chain", target_id=row.id,
                 target_label=f"{STATUS_LABELS[data.stage]}", summary={"before": before, "after": steps})  # fmt: skip
    return next(c for c in list_chains(session, principal) if c.id == row.id)


def delete_chain(session: Session, principal: StaffPrincipal, chain_id: uuid.UUID) -> None:
    """Remove a configured chain: the unit falls back to its parent's, the platform's or the default."""
    row = session.get(ApprovalChain, chain_id)
    if row is None:
        raise NotFound("审批链不存在", code="chain.not_found")
    require_config_scope(session, principal, row.unit_id, "审批链")
    audit.record(session, principal.actor, "approval_chain.delete", target_type="approval_chain", target_id=row.id,
                 target_label=STATUS_LABELS[row.stage], summary={"before": row.steps})  # fmt: skip
    session.delete(row)
    session.flush()


CHAIN_COLUMNS = (
    Column("适用单位", 26), Column("程序", 10), Column("环节", 12), Column("审批步数", 10, "int"),
    Column("审批步骤", 60), Column("来源", 10),
)  # fmt: skip


def export_chains(session: Session, principal: StaffPrincipal) -> StreamedBook:
    """The chain list (configured ones in scope, the defaults) as Excel, audited as ``approval_chain_export``."""

    def row(c: ChainRead) -> list[object]:
        steps = " → ".join(f"{s.label}（{s.role}）" for s in c.steps) or "无需审批"
        return [c.unit_name or "全平台", PROCEDURE_LABELS[c.procedure], c.stage_label, len(c.steps), steps,
                "默认" if c.default else "已配置"]  # fmt: skip

    return audited_items(session, principal, list_chains(session, principal), target="approval_chain_export",
                         title="审批链", columns=CHAIN_COLUMNS, row=row)  # fmt: skip
