"""HTTP routes of the legal knowledge base under ``/law``: library, matters, search, recommendation, calculator,
and the administrators' maintenance (``law:write``) including Excel import/export of matters."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from chengguan.core.access import SessionDep, require, writes_on_read
from chengguan.core.errors import PROBLEM_RESPONSES, NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import PageQuery, Paginated
from chengguan.kit.xlsx import XLSX_RESPONSES
from chengguan.law import admin, excel, export, service
from chengguan.law.enums import TIER_LABELS
from chengguan.law.late_fee import LATE_FEE_BASIS, late_fee
from chengguan.law.late_fee_schemas import LateFeeRequest, LateFeeResult
from chengguan.law.models import Checklist, DiscretionStandard
from chengguan.law.schemas import (
    AssessRequest,
    AssessResult,
    CategoryRead,
    ChecklistRead,
    HearingThresholdRead,
    HearingThresholdWrite,
    ImportReport,
    LawDetail,
    LawFilter,
    LawImport,
    LawRead,
    LawUpdate,
    MatterCreate,
    MatterDetail,
    MatterFilter,
    MatterRead,
    MatterUpdate,
    RecommendRequest,
    RecommendResult,
    SearchFilter,
    SearchResult,
    StandardDetail,
    StandardRead,
    StandardTierOut,
    StandardTiersUpdate,
    VersionRead,
)
from chengguan.law.seed import categories
from chengguan.law.versions import get_version, list_versions

router = APIRouter(prefix="/law", responses=PROBLEM_RESPONSES)
Reader = Annotated[StaffPrincipal, Depends(require("law:read", "law:write"))]
Writer = Annotated[StaffPrincipal, Depends(require("law:write"))]
MatterCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z\-]{3,20}$", description="执法事项编码")]
Region = Annotated[str | None, Query(pattern=r"^[0-9]{6}$", description="适用地区（缺省为本人单位的地区）")]
LIBRARY, MATTERS, SMART, ADMIN = "法律法规库", "执法事项", "智能辅助", "知识库维护"


@router.get("/laws", tags=[LIBRARY], summary="法律法规列表")
def list_laws(
    session: SessionDep, principal: Reader, page: PageQuery, filters: Annotated[LawFilter, Query()]
) -> Paginated[LawRead]:
    filters.region = service.caller_region(session, principal, filters.region)
    return service.list_laws(session, filters, page)


@router.get("/laws/export.xlsx", tags=[LIBRARY], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出法律法规目录（Excel，与列表相同的筛选与排序，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_laws(session: SessionDep, principal: Reader, filters: Annotated[LawFilter, Query()]) -> Response:
    filters.region = service.caller_region(session, principal, filters.region)
    return export.export_laws(session, principal, filters).response("法律法规目录.xlsx")


@router.get("/laws/{law_id}", tags=[LIBRARY], summary="法律法规全文（逐条）")
def get_law(session: SessionDep, _: Reader, law_id: uuid.UUID) -> LawDetail:
    return service.get_law(session, law_id)


@router.post("/laws", tags=[ADMIN], summary="导入法律法规文本（逐条解析）", status_code=201)
def import_law(session: SessionDep, principal: Writer, data: LawImport) -> LawRead:
    return LawRead.model_validate(admin.import_law(session, principal, data))


@router.patch("/laws/{law_id}", tags=[ADMIN], summary="修改法律法规信息（施行、废止日期等）")
def update_law(session: SessionDep, principal: Writer, law_id: uuid.UUID, data: LawUpdate) -> LawRead:
    return LawRead.model_validate(admin.update_law(session, principal, law_id, data))


@router.get("/search", tags=[LIBRARY], summary="全文检索（法律法规、条文、执法事项）")
def search(session: SessionDep, principal: Reader, query: Annotated[SearchFilter, Query()]) -> SearchResult:
    query.region = service.caller_region(session, principal, query.region)
    return service.search(session, query)


@router.get("/categories", tags=[MATTERS], summary="事项类别（GB/T 47678.5）")
def list_categories(_: Reader) -> list[CategoryRead]:
    return [CategoryRead(code=code, name=name) for code, name in categories().items()]


@router.get("/matters", tags=[MATTERS], summary="执法事项列表")
def list_matters(
    session: SessionDep, principal: Reader, page: PageQuery, filters: Annotated[MatterFilter, Query()]
) -> Paginated[MatterRead]:
    filters.region = service.caller_region(session, principal, filters.region)
    return service.list_matters(session, filters, page)


@router.get("/matters/export.xlsx", tags=[MATTERS], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出执法事项（Excel，与列表相同的筛选与排序；即导入模板，可修改后导入）")  # fmt: skip
@writes_on_read  # audited export
def export_matters(session: SessionDep, principal: Reader, filters: Annotated[MatterFilter, Query()]) -> Response:
    filters.region = service.caller_region(session, principal, filters.region)
    return export.export_matters(session, principal, filters).response("执法事项.xlsx")


@router.get("/matters.xlsx", tags=[ADMIN], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出全部执法事项（Excel 导入模板，不筛选；按筛选导出见 /law/matters/export.xlsx）")  # fmt: skip
@writes_on_read  # audited download
def export_every_matter(session: SessionDep, principal: Reader) -> Response:
    return export.export_every_matter(session, principal).response("执法事项.xlsx")


@router.post("/matters:import", tags=[ADMIN], summary="导入执法事项（Excel，按编码新增或修改）")
def import_matters(session: SessionDep, principal: Writer, file: Annotated[UploadFile, File()]) -> ImportReport:
    content = file.file.read(10 * 1024 * 1024 + 1)
    if len(content) > 10 * 1024 * 1024:
        raise field_error("file", "文件不能超过 10 MB", code="law.import_too_large")
    return excel.import_matters(session, principal, content)


@router.post("/matters", tags=[ADMIN], summary="新增执法事项", status_code=201)
def create_matter(session: SessionDep, principal: Writer, data: MatterCreate) -> MatterDetail:
    matter = admin.create_matter(session, principal, data)
    return service.matter_detail(session, matter.code, None)


@router.get("/matters/{code}", tags=[MATTERS], summary="执法事项详情（违则、罚则、裁量基准、检查单）")
def get_matter(session: SessionDep, principal: Reader, code: MatterCode, region: Region = None) -> MatterDetail:
    return service.matter_detail(session, code, service.caller_region(session, principal, region))


@router.patch("/matters/{code}", tags=[ADMIN], summary="修改执法事项（生成新版本）")
def update_matter(session: SessionDep, principal: Writer, code: MatterCode, data: MatterUpdate) -> MatterDetail:
    admin.update_matter(session, principal, code, data)
    return service.matter_detail(session, code, None)


@router.get("/matters/{code}/versions", tags=[MATTERS], summary="执法事项历史版本")
def matter_versions(session: SessionDep, _: Reader, code: MatterCode) -> list[VersionRead]:
    service.get_matter(session, code)
    return [VersionRead.model_validate(v) for v in list_versions(session, "matter", code)]


@router.get("/matters/{code}/versions/{version}", tags=[MATTERS], summary="执法事项某一版本（案件引用的版本）")
def matter_version(
    session: SessionDep, _: Reader, code: MatterCode, version: Annotated[int, Path(ge=1, le=1_000_000)]
) -> VersionRead:
    snapshot = get_version(session, "matter", code, version)
    if snapshot is None:
        raise NotFound("该版本不存在", code="law.version_not_found")
    return VersionRead.model_validate(snapshot)


@router.get("/checklists", tags=[MATTERS], summary="检查单列表")
def list_checklists(session: SessionDep, _: Reader) -> list[ChecklistRead]:
    return [ChecklistRead.model_validate(c) for c in session.scalars(select(Checklist).order_by(Checklist.code))]


@router.get("/checklists/{code}", tags=[MATTERS], summary="检查单")
def get_checklist(session: SessionDep, _: Reader, code: Annotated[str, Path(max_length=40)]) -> ChecklistRead:
    row = session.scalar(select(Checklist).where(Checklist.code == code))
    if row is None:
        raise NotFound("检查单不存在", code="law.checklist_not_found")
    return ChecklistRead.model_validate(row)


@router.post("/recommend", tags=[SMART], summary="案由智能推荐")
def recommend(session: SessionDep, principal: Reader, data: RecommendRequest) -> RecommendResult:
    data.region = service.caller_region(session, principal, data.region)
    return service.recommend(session, data)


@router.post("/assess", tags=[SMART], summary="处罚裁量计算")
def assess(session: SessionDep, principal: Reader, data: AssessRequest) -> AssessResult:
    data.region = service.caller_region(session, principal, data.region)
    return service.run_assessment(session, data)


@router.post("/late-fee", tags=[SMART], summary="加处罚款计算（《行政处罚法》第七十二条）")
def compute_late_fee(_: Reader, data: LateFeeRequest) -> LateFeeResult:
    if data.as_of < data.payment_due_date:
        raise field_error("as_of", "计算截止日不能早于缴款期限", code="law.late_fee.as_of_before_due")
    for n, period in enumerate(data.paused):
        if period.end is not None and period.end < period.start:
            raise field_error(f"paused.{n}.end", "复议或诉讼期间的结束日不能早于开始日", code="law.late_fee.bad_period")
    paused = [(p.start, p.end) for p in data.paused]
    fee = late_fee(data.fine_fen, data.payment_due_date, data.as_of, paused)
    return LateFeeResult(
        late_fee_fen=fee.amount_fen,
        days=fee.days,
        capped=fee.capped,
        fine_fen=data.fine_fen,
        payment_due_date=data.payment_due_date,
        as_of=data.as_of,
        basis=LATE_FEE_BASIS,
    )


@router.get("/standards", tags=[MATTERS], summary="自由裁量基准列表")
def list_standards(session: SessionDep, _: Reader) -> list[StandardRead]:
    return [
        StandardRead.model_validate(s)
        for s in session.scalars(select(DiscretionStandard).order_by(DiscretionStandard.code))
    ]


@router.get("/standards/{code}/export.xlsx", tags=[MATTERS], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出自由裁量基准的阶次（Excel，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_tiers(session: SessionDep, principal: Reader, code: Annotated[str, Path(max_length=40)]) -> Response:
    standard = admin.get_standard(session, code)
    return export.export_tiers(session, principal, standard).response(f"裁量阶次-{standard.name}.xlsx")


@router.get("/standards/{code}", tags=[MATTERS], summary="自由裁量基准详情")
def get_standard(session: SessionDep, _: Reader, code: Annotated[str, Path(max_length=40)]) -> StandardDetail:
    return _standard_detail(session, admin.get_standard(session, code))


@router.put("/standards/{code}/tiers", tags=[ADMIN], summary="替换裁量阶次（生成新版本）")
def replace_tiers(
    session: SessionDep, principal: Writer, code: Annotated[str, Path(max_length=40)], data: StandardTiersUpdate
) -> StandardDetail:
    return _standard_detail(session, admin.replace_tiers(session, principal, code, data))


def _standard_detail(session: SessionDep, standard: DiscretionStandard) -> StandardDetail:
    rows = export.tier_rows(session, standard)  # the export's order too
    tiers = [
        StandardTierOut(
            matter_code=r.matter_code,
            party_type=r.party_type,
            tier=r.tier,
            circumstances=r.circumstances,
            lower_pct=r.lower_pct,
            upper_pct=r.upper_pct,
            min_fen=r.min_fen,
            max_fen=r.max_fen,
            tier_label=TIER_LABELS[r.tier],
        )
        for r in rows
    ]
    return StandardDetail(**StandardRead.model_validate(standard).model_dump(), tiers=tiers)


@router.get("/hearing-thresholds", tags=[MATTERS], summary="听证“较大数额”标准（按省）")
def list_hearing_thresholds(session: SessionDep, _: Reader) -> list[HearingThresholdRead]:
    return [HearingThresholdRead.model_validate(r) for r in export.hearing_rows(session)]


@router.get("/hearing-thresholds/export.xlsx", tags=[MATTERS], response_class=Response, responses=XLSX_RESPONSES,
            summary="导出听证较大数额标准（Excel，记入审计日志）")  # fmt: skip
@writes_on_read  # audited export
def export_hearing_thresholds(session: SessionDep, principal: Reader) -> Response:
    return export.export_hearing(session, principal).response("听证较大数额.xlsx")


@router.put("/hearing-thresholds/{region}", tags=[ADMIN], summary="设置某省（或 default）的听证较大数额")
def put_hearing_threshold(
    session: SessionDep,
    principal: Writer,
    region: Annotated[str, Path(pattern=r"^([0-9]{2}0000|default)$", description="省级行政区划代码，或 default")],
    data: HearingThresholdWrite,
) -> HearingThresholdRead:
    row = admin.put_hearing_threshold(session, principal, None if region == "default" else region, data)
    return HearingThresholdRead.model_validate(row)
