"""HTTP routes of intake (案源管理): signal intake from every channel, case sources and their actions, rules, 督办."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from chengguan.core.access import SessionDep, SettingsDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES
from chengguan.core.principals import StaffPrincipal
from chengguan.intake import (
    export,
    hotline,
    ingest,
    media,
    read,
    rules,
    rules_export,
    service,
    supervision,
    supervision_export,
)
from chengguan.intake.enums import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    TIME_UNIT_LABELS,
    SourceAction,
)
from chengguan.intake.schemas import (
    ActionOptions,
    CaseSourceDetail,
    CaseSourceFilter,
    CaseSourceRead,
    DedupRuleIn,
    DedupRuleRead,
    IntakeResult,
    SignalBatchIn,
    SignalBatchOut,
    SignalIn,
    SnoozeRuleIn,
    SnoozeRuleRead,
    SourceActionIn,
    SupervisionFilter,
    SupervisionRead,
    SweepResult,
    TimeLimitIn,
    TimeLimitRead,
)
from chengguan.kit import readcache
from chengguan.kit.media import MEDIA_RESPONSES, file_headers
from chengguan.kit.schemas import PageQuery, Paginated
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.law.seed import categories

router = APIRouter(responses=PROBLEM_RESPONSES)
SOURCES, RULES = "案源管理", "案源规则"

Machine = Annotated[StaffPrincipal, Depends(require("signal:write"))]
Reporter = Annotated[StaffPrincipal, Depends(require("source:write"))]
Reader = Annotated[StaffPrincipal, Depends(require("source:read"))]
Manager = Annotated[StaffPrincipal, Depends(require("source:manage"))]
SourceId = Annotated[uuid.UUID, Path(description="案源 id")]


@router.post(
    "/signals:batch",
    tags=[SOURCES],
    summary="批量接入告警（设备与系统，≤1000 条/次，逐条返回结果）",
    response_model=SignalBatchOut,
)
def signals_batch(session: SessionDep, principal: Machine, body: SignalBatchIn) -> Response:
    # SignalBatchIn refused any NUL in the whole body already (422), so ingest() need not scan it again.
    results = ingest.ingest(session, body.signals, principal.actor, nul_checked=True)
    rejected = sum(1 for r in results if r.problem is not None)
    out = SignalBatchOut(results=results, accepted=len(results) - rejected, rejected=rejected)
    # One pydantic-core call; FastAPI would dump, re-validate and encode the thousand results once more.
    return Response(out.model_dump_json(), media_type="application/json")


@router.post(
    "/signals", tags=[SOURCES], summary="上报问题（巡查上报、电话投诉登记、上级交办、部门移送）", status_code=201
)
def report_signal(session: SessionDep, principal: Reporter, body: SignalIn) -> IntakeResult:
    return service.report(session, principal, body)


@router.post("/signals/import", tags=[SOURCES], summary="导入 12345 热线工单（xlsx/csv）")
async def import_hotline(
    session: SessionDep, principal: Manager, file: Annotated[UploadFile, File(description="热线工单 xlsx 或 csv")]
) -> SignalBatchOut:
    content = await file.read()
    items = hotline.parse(file.filename or "", content)
    results = ingest.ingest(session, items, principal.actor, created_by_id=principal.user_id)
    rejected = sum(1 for r in results if r.problem is not None)
    return SignalBatchOut(results=results, accepted=len(results) - rejected, rejected=rejected)


@router.post(
    "/media", tags=[SOURCES], summary="上传现场照片（JPEG、PNG、WebP、GIF，按内容识别）", status_code=201,
    responses=MEDIA_RESPONSES,
)  # fmt: skip
async def upload_media(
    request: Request, settings: SettingsDep, _: Reporter, file: Annotated[UploadFile, File()]
) -> dict[str, str]:
    content = await file.read(1 + media.MAX_BYTES)
    name, digest = media.store(settings.data_dir, content, declared=file.content_type, filename=file.filename)
    return {"url": f"/api/v1/media/{name}", "sha256": digest}


@router.get("/media/{name}", tags=[SOURCES], summary="读取现场照片（内容寻址，文件名即 SHA-256）")
def get_media(settings: SettingsDep, name: Annotated[str, Path(max_length=80)]) -> FileResponse:
    path, kind = media.locate(settings.data_dir, name)
    headers = file_headers(kind, name) | {"Cache-Control": "private, max-age=86400, immutable"}
    return FileResponse(path, media_type=kind, headers=headers)


@router.get("/intake/meta", tags=[SOURCES], summary="案源字典：渠道、状态、处置结果、事项类别、动作")
def intake_meta(_: Reader) -> dict[str, list[dict[str, str]]]:
    def pairs(labels: dict) -> list[dict[str, str]]:
        return [{"value": str(k), "label": v} for k, v in labels.items()]

    return {
        "channels": pairs(CHANNEL_LABELS),
        "statuses": pairs(STATUS_LABELS),
        "outcomes": pairs(OUTCOME_LABELS),
        "actions": pairs(ACTION_LABELS),
        "time_units": pairs(TIME_UNIT_LABELS),
        "categories": [{"value": c, "label": n} for c, n in categories().items()],
    }


@router.get(
    "/case-sources", tags=[SOURCES], summary="案源列表（默认超期与临期优先）", response_model=Paginated[CaseSourceRead]
)
async def list_sources(
    request: Request, principal: Reader, filters: Annotated[CaseSourceFilter, Query()], page: PageQuery
) -> Response:
    # Countdowns are in seconds: a page is reused within the same second of the same data version (kit.readcache).
    return await readcache.respond(request, principal,
                                   lambda session: read.list_sources(session, principal, filters, page),
                                   grain=readcache.second)  # fmt: skip


@router.get(
    "/case-sources/export.xlsx", tags=[SOURCES], summary="导出案源台账（Excel，与列表相同的筛选与排序；记入审计日志）",
    response_class=Response, responses=XLSX_RESPONSES,
)  # fmt: skip
@writes_on_read
def export_sources(session: SessionDep, principal: Reader, filters: Annotated[CaseSourceFilter, Query()]) -> Response:
    return export.export_sources(session, principal, filters).response("案源台账.xlsx")


@router.get("/case-sources/{source_id}", tags=[SOURCES], summary="案源详情（全过程记录、关联告警、派遣任务）")
def get_source(session: SessionDep, principal: Reader, source_id: SourceId) -> CaseSourceDetail:
    return service.detail(session, principal, source_id)


@router.get("/case-sources/{source_id}/actions", tags=[SOURCES], summary="当前用户此刻可执行的动作")
def source_actions(session: SessionDep, principal: Reader, source_id: SourceId) -> ActionOptions:
    return service.action_options(session, principal, source_id)


@router.post("/case-sources/{source_id}/actions/{action}", tags=[SOURCES], summary="执行动作（受理、分办、派遣…）")
def act(
    session: SessionDep, principal: Reader, source_id: SourceId, action: SourceAction, body: SourceActionIn
) -> CaseSourceDetail:
    return service.act(session, principal, source_id, action, body)


@router.get("/supervisions", tags=[SOURCES], summary="督办单")
def list_supervisions(
    session: SessionDep, principal: Reader, filters: Annotated[SupervisionFilter, Query()], page: PageQuery
) -> Paginated[SupervisionRead]:
    return supervision.list_supervisions(session, principal, filters, page)


@router.get("/supervisions/export.xlsx", tags=[SOURCES], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出督办台账（Excel，与列表相同的筛选与排序，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_supervisions(
    session: SessionDep, principal: Reader, filters: Annotated[SupervisionFilter, Query()]
) -> Response:
    return supervision_export.export_supervisions(session, principal, filters).response("督办台账.xlsx")


@router.post("/supervisions:sweep", tags=[SOURCES], summary="立即执行超期督办检查（后台每分钟自动执行）")
def run_sweep(session: SessionDep, _: Manager) -> SweepResult:
    return supervision.sweep(session)


@router.get("/time-limits", tags=[RULES], summary="环节时限规则（含内置默认）")
def list_time_limits(session: SessionDep, principal: Reader) -> list[TimeLimitRead]:
    return rules.list_time_limits(session, principal)


@router.get("/time-limits/export.xlsx", tags=[RULES], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出环节时限规则（Excel，含内置默认，与列表相同的数据范围；记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_time_limits(session: SessionDep, principal: Reader) -> Response:
    return rules_export.time_limits(session, principal).response("环节时限规则.xlsx")


@router.put("/time-limits", tags=[RULES], summary="设置环节时限（按类别/渠道，最具体者优先）")
def put_time_limit(session: SessionDep, principal: Manager, body: TimeLimitIn) -> TimeLimitRead:
    return rules.put_time_limit(session, principal, body)


@router.delete("/time-limits/{rule_id}", tags=[RULES], summary="删除时限规则", status_code=204)
def delete_time_limit(session: SessionDep, principal: Manager, rule_id: uuid.UUID) -> None:
    rules.delete_time_limit(session, principal, rule_id)


@router.get("/dedup-rules", tags=[RULES], summary="合并规则（按类别的半径与时间窗）")
def list_dedup_rules(session: SessionDep, _: Reader) -> list[DedupRuleRead]:
    return [DedupRuleRead.model_validate(r) for r in rules.list_dedup_rules(session)]


@router.get("/dedup-rules/export.xlsx", tags=[RULES], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出合并规则（Excel；记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_dedup_rules(session: SessionDep, principal: Reader) -> Response:
    return rules_export.dedup_rules(session, principal).response("合并规则.xlsx")


@router.put("/dedup-rules", tags=[RULES], summary="设置某类别的合并半径与时间窗")
def put_dedup_rule(session: SessionDep, principal: Manager, body: DedupRuleIn) -> DedupRuleRead:
    return DedupRuleRead.model_validate(rules.put_dedup_rule(session, principal, body))


@router.delete("/dedup-rules/{rule_id}", tags=[RULES], summary="删除合并规则", status_code=204)
def delete_dedup_rule(session: SessionDep, principal: Manager, rule_id: uuid.UUID) -> None:
    rules.delete_dedup_rule(session, principal, rule_id)


@router.get("/snooze-rules", tags=[RULES], summary="静默规则（已处置的已知点位）")
def list_snooze_rules(
    session: SessionDep, principal: Reader, active: Annotated[bool, Query(description="仅生效中的")] = False
) -> list[SnoozeRuleRead]:
    return [SnoozeRuleRead.model_validate(r) for r in rules.list_snooze_rules(session, principal, active_only=active)]


@router.get("/snooze-rules/export.xlsx", tags=[RULES], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出静默规则（Excel，与列表相同的筛选与数据范围；记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_snooze_rules(
    session: SessionDep, principal: Reader, active: Annotated[bool, Query(description="仅生效中的")] = False
) -> Response:
    return rules_export.snooze_rules(session, principal, active).response("静默规则.xlsx")


@router.post("/snooze-rules", tags=[RULES], summary="新增静默规则", status_code=201)
def create_snooze_rule(session: SessionDep, principal: Manager, body: SnoozeRuleIn) -> SnoozeRuleRead:
    return SnoozeRuleRead.model_validate(rules.create_snooze_rule(session, principal, body))


@router.post("/snooze-rules/{rule_id}/deactivate", tags=[RULES], summary="停用静默规则")
def deactivate_snooze_rule(session: SessionDep, principal: Manager, rule_id: uuid.UUID) -> SnoozeRuleRead:
    return SnoozeRuleRead.model_validate(rules.deactivate_snooze_rule(session, principal, rule_id))
