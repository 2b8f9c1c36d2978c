"""Loads the demo city into a database: units, grids, officers, equipment, and one login per role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from chengguan.audit import service as audit
from chengguan.audit.chain import GENESIS_HASH
from chengguan.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from chengguan.cases.models import ApprovalChain, Case, CaseApproval, CaseEvent, CaseOfficer
from chengguan.core import clock
from chengguan.core.config import get_settings
from chengguan.core.counters import Counter
from chengguan.core.db import Database
from chengguan.core.fieldkeys import load_keyring
from chengguan.core.fieldtypes import bind_keyring, bound_keyring
from chengguan.core.geo import polygon_area_m2
from chengguan.core.principals import cli_actor
from chengguan.core.progress import SILENT, Bars, Silent
from chengguan.demo.accounts import DEMO_LOGINS, demo_id, insert_accounts, units_of
from chengguan.demo.cases import seed_cases
from chengguan.demo.documents import seed_documents
from chengguan.demo.evidence import seal_demo_ledger, seed_evidence
from chengguan.demo.geography import DemoCity, build_demo_city
from chengguan.demo.history import seed_history
from chengguan.demo.intake import seed_intake
from chengguan.demo.iot import seed_iot
from chengguan.demo.merchants import seed_merchants
from chengguan.demo.payments import seed_payments
from chengguan.demo.rectification import seed_rectification
from chengguan.demo.tracks import seed_tracks
from chengguan.demo.video import seed_video
from chengguan.dispatching import live as live_positions
from chengguan.dispatching.models import DispatchTask, Position, TrackPoint
from chengguan.documents.models import (
    BureauCredential,
    CaseArchive,
    Delivery,
    Document,
    DocumentSignature,
    ServiceConsent,
)
from chengguan.evidence.models import EvidenceItem, EvidenceReview, LedgerBatchRow, LedgerEntryRow, LedgerHead
from chengguan.identity.models import (
    AuthToken,
    MerchantAccount,
    PublicAccount,
    Role,
    RolePermission,
    RoleUnit,
    User,
    UserRole,
)
from chengguan.intake.ingest import cache as dedup_cache
from chengguan.intake.models import (
    CaseSource,
    DedupRule,
    Signal,
    SnoozeRule,
    SourceEvent,
    Supervision,
    TimeLimitRule,
)
from chengguan.iot.models import IotAlarm, IotDevice, IotReading, IotRule, IotRuleState
from chengguan.law.seed import seed_knowledge_base
from chengguan.merchants.models import Merchant
from chengguan.notify.models import SmsMessage
from chengguan.org.models import Device, Grid, Officer, OrgUnit, OrgUnitClosure, Vehicle
from chengguan.payments.models import (
    CashCollection,
    PaymentNotification,
    PaymentOrder,
    PaymentReceipt,
    PaymentReconciliation,
)
from chengguan.payments.simulated.models import SimGatewayTrade
from chengguan.portal.models import PortalLoginCode
from chengguan.rectification.models import (
    Notice,
    NoticeEvent,
    RectificationSubmission,
    WarningDecision,
    WarningRule,
)
from chengguan.shopfront.models import MerchantReport, PartySubmission, ShopClaim, ShopProfile
from chengguan.video.models import CameraReview, VideoAlarm, VideoEngineState, VideoZone


@dataclass(frozen=True)
class DemoSummary:
    units: int
    grids: int
    officers: int
    vehicles: int
    devices: int
    users: int
    sources: int = 0
    cases: int = 0
    merchants: int = 0
    payments: int = 0

    def summary(self) -> str:
        return (
            f"示范城市已载入：单位 {self.units} 个，单元网格 {self.grids} 个，执法人员 {self.officers} 名，"
            f"车辆 {self.vehicles} 辆，设备 {self.devices} 台，演示账号 {self.users} 个，"
            f"商户 {self.merchants} 户，案源 {self.sources} 件，案件 {self.cases} 件，缴款 {self.payments} 笔。"
        )


def print_logins() -> None:
    print("演示账号（仅用于演示环境）：")
    print(f"  {'用户名':<14}{'密码':<14}{'角色':<12}单位")
    units = {u.code: u.name for u in units_of(build_demo_city())}
    for login in DEMO_LOGINS:
        print(f"  {login.username:<16}{login.password:<16}{login.role_name:<10}{units.get(login.unit_code, '')}")


def _wipe(session: Session) -> None:
    """Remove every row the foundation owns (demo reset); the audit chain restarts from genesis."""
    for model in (
        PaymentReconciliation,
        PaymentNotification,
        PaymentReceipt,
        PaymentOrder,
        CashCollection,
        SimGatewayTrade,
        VideoAlarm,
        VideoEngineState,
        VideoZone,
        CameraReview,
        IotAlarm,
        IotReading,
        IotRuleState,
        IotRule,
        IotDevice,
        NoticeEvent,
        RectificationSubmission,
        Notice,
        WarningDecision,
        WarningRule,
        PartySubmission,
        MerchantReport,
        ShopProfile,
        ShopClaim,
        SmsMessage,
        PortalLoginCode,
        CaseArchive,
        Delivery,
        ServiceConsent,
        DocumentSignature,
        Document,
        BureauCredential,
        EvidenceReview,
        EvidenceItem,
        LedgerEntryRow,
        LedgerBatchRow,
        CaseApproval,
        CaseEvent,
        CaseOfficer,
        Case,
        Merchant,
        ApprovalChain,
        DispatchTask,
        Position,
        TrackPoint,
        Supervision,
        SourceEvent,
        Signal,
        CaseSource,
        SnoozeRule,
        DedupRule,
        TimeLimitRule,
        Counter,
        AuthToken,
        UserRole,
        RoleUnit,
        RolePermission,
        User,
        Role,
        MerchantAccount,
        PublicAccount,
        Grid,
        Device,
        Vehicle,
        Officer,
        OrgUnitClosure,
        AuditEntry,
        AuditCheckpoint,
    ):
        session.execute(delete(model))
    for level in ("squad", "district", "city"):
        session.execute(delete(OrgUnit).where(OrgUnit.level == level))
    session.execute(update(AuditHead).values(seq=0, hash=GENESIS_HASH))
    session.execute(update(LedgerHead).values(seq=0, hash=GENESIS_HASH, sealed_seq=0))


def _insert_org(session: Session, city: DemoCity) -> dict[str, uuid.UUID]:
    now = clock.now()
    units = units_of(city)
    ids = {u.code: demo_id("unit", u.code) for u in units}
    session.execute(
        insert(OrgUnit),
        [
            {
                "id": ids[u.code],
                "name": u.name,
                "short_name": u.short_name,
                "level": u.level,
                "division_code": u.division_code,
                "parent_id": ids[u.parent_code] if u.parent_code else None,
                "sort_order": u.sort_order,
                "phone": u.phone,
                "address": u.address,
                # the office stands inside the unit's own area of duty (a synthetic spot, like every demo address)
                "lng": round(u.region.representative_point().x, 6),
                "lat": round(u.region.representative_point().y, 6),
                "created_at": now,
                "updated_at": now,
            }
            for u in units
        ],
    )
    parents = {u.code: u.parent_code for u in units}
    closure = []
    for unit in units:
        ancestor, depth = unit.code, 0
        while ancestor is not None:
            closure.append({"ancestor_id": ids[ancestor], "descendant_id": ids[unit.code], "depth": depth})
            ancestor, depth = parents[ancestor], depth + 1
    session.execute(insert(OrgUnitClosure), closure)
    session.execute(
        insert(Grid),
        [
            {
                "id": demo_id("grid", g.grid_code),
                "grid_code": g.grid_code,
                "name": g.name,
                "squad_id": ids[g.squad_code],
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[x, y] for x, y in ring.coords] for ring in [g.polygon.exterior, *g.polygon.interiors]
                    ],
                },
                "area_m2": round(polygon_area_m2(g.polygon), 1),
                "centroid_lng": round(g.centroid[0], 7),
                "centroid_lat": round(g.centroid[1], 7),
                "created_at": now,
                "updated_at": now,
            }
            for g in city.grids
        ],
    )
    session.execute(
        insert(Officer),
        [
            {
                "id": demo_id("officer", o.code),
                "name": o.name,
                "gender": o.gender,
                "certificate_no": o.certificate_no,
                "rank": o.rank,
                "kind": o.kind,
                "unit_id": ids[o.unit_code],
                "phone": o.phone,
                "status": o.status,
                "created_at": now,
                "updated_at": now,
            }
            for o in city.officers
        ],
    )
    session.execute(
        insert(Vehicle),
        [
            {
                "id": demo_id("vehicle", v.plate_no),
                "plate_no": v.plate_no,
                "model": v.model,
                "kind": v.kind,
                "unit_id": ids[v.unit_code],
                "status": v.status,
                "created_at": now,
                "updated_at": now,
            }
            for v in city.vehicles
        ],
    )
    session.execute(
        insert(Device),
        [
            {
                "id": demo_id("device", d.code),
                "kind": d.kind,
                "code": d.code,
                "name": d.name,
                "unit_id": ids[d.unit_code],
                "lng": d.lng,
                "lat": d.lat,
                "status": d.status,
                "created_at": now,
                "updated_at": now,
            }
            for d in city.devices
        ],
    )
    return ids


def load_demo(
    db: Database,
    *,
    reset: bool = False,
    if_empty: bool = False,
    seed: int = 2026,
    data_dir: Path | None = None,
    documents: bool = True,
    progress: Silent | Bars = SILENT,
) -> DemoSummary | None:
    """Load the demo city in one transaction; ``if_empty`` skips a database that already has units. Evidence files
    and documents go to ``data_dir`` (default: ``CHENGGUAN_DATA_DIR``); ``documents=False`` skips the sealed
    documents (the slowest part: tests that do not look at them). ``progress`` shows each stage as it goes."""
    city = build_demo_city(seed)
    if bound_keyring(db.engine) is None:
        # The demo's personal data is sealed with the keyring of its data directory (created there if missing).
        settings = get_settings()
        if data_dir is not None:
            settings = settings.model_copy(update={"data_dir": Path(data_dir)})
        bind_keyring(db.engine, load_keyring(settings, create=True))
    with db.session() as session, session.begin():
        with progress.stage("法律知识库") as stage:
            stage.start(1)
            seed_knowledge_base(session)  # reference data, needed by every demo screen; idempotent
            stage.advance()
        has_data = (session.scalar(select(func.count(OrgUnit.id))) or 0) > 0
        if has_data and if_empty:
            return None
        if has_data and not reset:
            raise SystemExit("数据库中已有数据：使用 --reset 清空后重新载入，或 --if-empty 跳过。")
        with progress.stage("组织与人员") as stage:
            stage.start(3)
            if has_data:
                _wipe(session)
            stage.advance()
            unit_ids = _insert_org(session, city)
            stage.advance()
            users = insert_accounts(session, city, unit_ids)
            stage.advance()
        dedup_cache.reset()
        live_positions.reset_all()
        with progress.stage("近两个月的案源") as stage:
            history = seed_history(session, seed, stage)
        with progress.stage("案源") as stage:
            sources = history + seed_intake(session, seed, stage)
            seed_tracks(session, seed)
        with progress.stage("商户") as stage:
            merchants = seed_merchants(session, seed, stage)
        with progress.stage("案件") as stage:
            cases = seed_cases(session, seed, merchants=merchants, stage=stage)
        with progress.stage("证据") as stage:
            seed_evidence(session, data_dir, seed, stage)
        with progress.stage("整改通知与商户端") as stage:
            seed_rectification(session, data_dir, seed, stage)
        with progress.stage("视频巡查") as stage:
            stage.start(1)
            seed_video(session, data_dir, seed)
            stage.advance()
        if documents:
            with progress.stage("文书") as stage:
                seed_documents(session, data_dir, seed, stage)
        with progress.stage("缴款") as stage:
            payments = seed_payments(session, data_dir, seed, stage)
        with progress.stage("物联感知"):
            seed_iot(session, data_dir, seed)
        seal_demo_ledger(session)
        summary = DemoSummary(
            len(unit_ids), len(city.grids), len(city.officers), len(city.vehicles), len(city.devices), users, sources,
            cases, len(merchants), payments,
        )  # fmt: skip
        audit.record(
            session,
            cli_actor("示范数据"),
            "demo.load",
            target_type="system",
            target_label=f"示范城市（种子 {seed}）",
            summary={"after": summary.__dict__},
        )
    return summary
