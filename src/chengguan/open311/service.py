"""Open311 GeoReport v2 over intake: the service catalogue, public views of requests, citizen submissions.

A service is a GB/T 47678.5 event category; a jurisdiction is a district bureau named by its 6-digit GB/T 2260
code (none, or the city's code, = the whole city). Each citizen request is its own signal (service_request_id =
signal id) whose public status follows the case source it opened or joined. Only the public channels (Open311 and
公众投诉) are listed, never AI/IoT alarms or internal channels, and no response carries the reporter's personal data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.intake.enums import OPEN_STATUSES, OUTCOME_LABELS, STATUS_LABELS, Channel, SourceStatus
from chengguan.intake.models import CaseSource, Signal
from chengguan.law.seed import categories
from chengguan.open311.errors import Open311Error, bad_request
from chengguan.open311.form import clean_text
from chengguan.org.enums import OrgLevel
from chengguan.org.models import OrgUnit
from chengguan.org.repository import unit_names

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+08:00"  # when the service list or its attributes last changed
CONTACT = "城市管理综合执法指挥中心（12319 城建服务热线）"
KEY_SERVICE = "提交请求（POST requests）需要 api_key，请向市城市管理局指挥中心申请；查询无需 api_key。"
SERVICE_NOTICE = "城管执法部门将按规定时限受理、核查并处置；可凭 service_request_id 查询办理进度。"
SNOOZED_NOTE = "该位置的同类问题已登记处理，本次反映已记录"
MERGED_NOTE = "已与其他反映合并处理"
PUBLIC_CHANNELS = (Channel.open311, Channel.complaint, Channel.public)
WINDOW = timedelta(days=90)  # the spec's default and maximum span of a requests query
MAX_LISTED = 1000
MAX_IDS = 200


# ---------------------------------------------------------------------------------------------------------------
# The catalogue: services (categories) and their attributes.


class Attr(NamedTuple):
    """One attribute of a service definition (datatype as the spec names it; values only for list types)."""

    code: str
    description: str
    datatype: str = "string"
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()
    datatype_description: str = ""


YES_NO = (("yes", "是"), ("no", "否"))
DAY_NIGHT = (("day", "白天（6:00–22:00）"), ("night", "夜间（22:00–次日 6:00）"))
# Extra questions per service, in order: "*" every service, a 2-digit key a major class, 5 digits one category.
ATTRIBUTES: dict[str, tuple[Attr, ...]] = {
    "*": (Attr("ongoing", "问题是否仍在持续", "singlevaluelist", values=YES_NO),),
    "07": (Attr("ad_phone", "广告上留的联系电话（便于追查发布者）", datatype_description="电话号码"),),
    # 噪声污染防治法：夜间施工须经批准 — the time of day decides which rule applies, so it is always asked.
    "08001": (Attr("period", "发生时段", "multivaluelist", True, DAY_NIGHT, "可多选"),),
    "09": (Attr("shop_name", "涉及的店铺名称", datatype_description="招牌上的名称"),),
    "09009": (Attr("plate_no", "车牌号", datatype_description="例如 鲁B12345"),),
}


def attributes_for(code: str) -> list[dict[str, Any]]:
    """The service definition's attributes of one category (every service has at least ``ongoing``)."""
    rows = [*ATTRIBUTES["*"], *ATTRIBUTES.get(code[:2], ()), *ATTRIBUTES.get(code, ())]
    attributes = []
    for order, a in enumerate(rows, 1):
        attribute: dict[str, Any] = {
            "variable": True,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description,
            "order": order,
            "description": a.description,
        }
        if a.datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = [{"key": key, "name": name} for key, name in a.values]
        attributes.append(attribute)
    return attributes


def group_of(code: str, cats: dict[str, str]) -> str:
    """The major class name (市容环境, 宣传广告 …): the xx000 entry without its "（其他）"."""
    return cats.get(code[:2] + "000", "其他事项").removesuffix("（其他）")


def service_list() -> list[dict[str, Any]]:
    """GET services: every category, type realtime, metadata true (each has attributes)."""
    cats = categories()
    services = []
    for code, name in sorted(cats.items()):
        group = group_of(code, cats)
        words = [w for w in re.split(r"[（）()、，,\s]+", name) if w and w != "其他"]
        keywords = ",".join(dict.fromkeys([*words, group]))
        services.append(
            {
                "service_code": code,
                "service_name": name,
                "description": f"{group}：{name}（GB/T 47678.5 事项代码 {code}）",
                "metadata": True,
                "type": "realtime",
                "keywords": keywords,
                "group": group,
            }
        )
    return services


def service_definition(code: str) -> dict[str, Any]:
    """GET services/{code}: the attributes of one service; unknown code → 404."""
    return {"service_code": known_service(code), "attributes": attributes_for(code)}


def known_service(code: str | None) -> str:
    if not code or code not in categories():
        shown = (code or "")[:20].encode("unicode_escape").decode("ascii")
        raise Open311Error(404, "open311.unknown_service", f"未知的 service_code：{shown}")
    return code


def discovery(endpoint_url: str) -> dict[str, Any]:
    """The service-discovery document (one production endpoint, XML and JSON)."""
    return {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def jurisdiction(session: Session, jurisdiction_id: str | None) -> uuid.UUID | None:
    """The district a jurisdiction_id names; None for the whole city (absent or the city's code); unknown → 404."""
    value = (jurisdiction_id or "").strip()
    if not value:
        return None
    if re.fullmatch(r"[0-9]{6}", value):
        row = session.execute(
            select(OrgUnit.id, OrgUnit.level).where(
                OrgUnit.division_code == value, OrgUnit.level.in_([OrgLevel.city, OrgLevel.district])
            )
        ).first()
        if row is not None:
            return None if row.level == OrgLevel.city else row.id
    shown = value[:20].encode("unicode_escape").decode("ascii")
    raise Open311Error(
        404, "open311.unknown_jurisdiction", f"未知的 jurisdiction_id：{shown}（应为区的 6 位行政区划代码）"
    )


# ---------------------------------------------------------------------------------------------------------------
# Reading requests.

_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
_ID_CARD = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def public_text(text: str | None) -> str | None:
    """Free text as published: control characters (other channels may store them) dropped, and mobile numbers,
    ID-card numbers and e-mail addresses a citizen typed in masked."""
    if not text:
        return text
    text = _CONTROL.sub("", text)
    text = _MOBILE.sub(r"\1****\2", text)
    text = _ID_CARD.sub(r"\1********\2", text)
    return _EMAIL.sub("***@***", text)


def iso(value: datetime | None) -> str | None:
    """ISO-8601 in Beijing time with its offset, e.g. 2026-11-22T09:30:00+08:00."""
    return None if value is None else value.astimezone(clock.SHANGHAI).isoformat(timespec="seconds")


def _query() -> Any:
    # Columns are listed on purpose: Signal.reporter (personal data) is never read here.
    return (
        select(
            Signal.id,
            Signal.category_code,
            Signal.description,
            Signal.address,
            Signal.lng,
            Signal.lat,
            Signal.media,
            Signal.received_at,
            Signal.merged,
            CaseSource.id.label("source_id"),
            CaseSource.status,
            CaseSource.outcome,
            CaseSource.updated_at,
            CaseSource.due_at,
            CaseSource.squad_id,
            CaseSource.district_id,
            CaseSource.unit_id,
            CaseSource.signal_count,
            CaseSource.address.label("source_address"),
        )
        .outerjoin(CaseSource, CaseSource.id == Signal.case_source_id)
        .where(Signal.channel.in_(PUBLIC_CHANNELS))
    )


def public_status(row: Row[Any]) -> tuple[str, str]:
    """(open|closed, status_notes): closed once the source is closed or voided; a snoozed signal has no source."""
    if row.source_id is None:
        return "closed", SNOOZED_NOTE
    status = SourceStatus(row.status)
    notes = STATUS_LABELS[status]
    if status is SourceStatus.closed and row.outcome is not None:
        notes += "：" + OUTCOME_LABELS[row.outcome]
    if row.merged or (row.signal_count or 1) > 1:
        notes += "；" + MERGED_NOTE
    return ("open" if status in OPEN_STATUSES else "closed"), notes


def _request(row: Row[Any], names: dict[uuid.UUID, str], cats: dict[str, str]) -> dict[str, Any]:
    status, notes = public_status(row)
    media = next((m for m in row.media or [] if isinstance(m, str) and re.match(r"https?://", m)), None)
    agency = names.get(row.squad_id) or names.get(row.district_id) or names.get(row.unit_id) or ""
    return {
        "service_request_id": str(row.id),
        "status": status,
        "status_notes": notes,
        "service_name": cats.get(row.category_code, row.category_code),
        "service_code": row.category_code,
        "description": public_text(row.description),
        "agency_responsible": agency,
        "service_notice": SERVICE_NOTICE,
        "requested_datetime": iso(row.received_at),
        "updated_datetime": iso(row.updated_at or row.received_at),
        "expected_datetime": iso(row.due_at) if status == "open" else None,
        "address": public_text(row.address or row.source_address),
        "address_id": "",
        "zipcode": "",
        "lat": round(row.lat, 6),
        "long": round(row.lng, 6),
        "media_url": media,
    }


def _render(session: Session, rows: Sequence[Row[Any]]) -> list[dict[str, Any]]:
    names = unit_names(session, {u for r in rows for u in (r.squad_id, r.district_id, r.unit_id)})
    cats = categories()
    return [_request(r, names, cats) for r in rows]


def parse_time(name: str, value: str | None) -> datetime | None:
    """A w3c/ISO-8601 time (a date alone is its 00:00 Beijing time; no offset = Beijing time); bad → 400."""
    text = clean_text(name, value, 40)
    if text is None:
        return None
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    text = re.sub(r"(T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?) ([0-9]{2}(?::?[0-9]{2})?)$", r"\1+\2", text)
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            parsed = datetime.combine(date.fromisoformat(text), time(), clock.SHANGHAI)
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or not 2000 <= parsed.year <= 2100:
        raise bad_request("open311.invalid_date", f"{name} 须为 ISO-8601 时间，例如 2026-10-01T09:00:00+08:00")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.SHANGHAI)
    return parsed.astimezone(UTC)


def date_window(start_date: str | None, end_date: str | None) -> tuple[datetime, datetime]:
    """The requested_datetime window: default the last 90 days; one bound given → 90 days from it; ≤ 90 days."""
    start, end = parse_time("start_date", start_date), parse_time("end_date", end_date)
    if start is None and end is None:
        end = clock.now()
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise bad_request("open311.date_order", "end_date 不能早于 start_date")
    if end - start > WINDOW:
        raise bad_request("open311.date_span", "start_date 与 end_date 的跨度不能超过 90 天")
    return start, end


def _comma_list(name: str, value: str | None, limit: int) -> list[str]:
    text = clean_text(name, value, 20 * limit)
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    if len(items) > limit:
        raise bad_request("open311.too_many", f"{name} 一次最多 {limit} 个")
    return items


def list_requests(
    session: Session,
    *,
    jurisdiction_id: str | None = None,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """GET requests: service_request_id (comma list) overrides the other filters; newest first, at most 1,000."""
    district = jurisdiction(session, jurisdiction_id)
    query = _query()
    if district is not None:
        query = query.where(CaseSource.district_id == district)
    ids = _comma_list("service_request_id", service_request_id, MAX_IDS)
    if ids:
        wanted = set()
        for item in ids:
            try:
                wanted.add(uuid.UUID(item))
            except ValueError:
                continue  # names no request: it simply matches nothing
        query = query.where(Signal.id.in_(wanted)) if wanted else query.where(Signal.id.is_(None))
    else:
        codes = _comma_list("service_code", service_code, 50)
        for code in codes:
            known_service(code)
        if codes:
            query = query.where(Signal.category_code.in_(codes))
        statuses = {s.lower() for s in _comma_list("status", status, 2)}
        if statuses - {"open", "closed"}:
            raise bad_request("open311.invalid_status", "status 只能是 open 或 closed（可用逗号分隔）")
        closed = or_(Signal.case_source_id.is_(None), CaseSource.status.in_([SourceStatus.closed, SourceStatus.voided]))
        if statuses == {"open"}:
            query = query.where(CaseSource.status.in_(sorted(OPEN_STATUSES)))
        elif statuses == {"closed"}:
            query = query.where(closed)
        start, end = date_window(start_date, end_date)
        query = query.where(Signal.received_at >= start, Signal.received_at <= end)
    rows = session.execute(query.order_by(Signal.received_at.desc(), Signal.id).limit(MAX_LISTED)).all()
    return _render(session, rows)


def get_request(session: Session, request_id: str, jurisdiction_id: str | None = None) -> dict[str, Any]:
    """GET requests/{id}: one public request (in the given jurisdiction); otherwise 404."""
    district = jurisdiction(session, jurisdiction_id)
    row = None
    try:
        signal_id = uuid.UUID(request_id[:64])
    except ValueError:
        signal_id = None
    if signal_id is not None:
        query = _query().where(Signal.id == signal_id)
        if district is not None:
            query = query.where(CaseSource.district_id == district)
        row = session.execute(query).first()
    if row is None:
        raise Open311Error(404, "open311.request_not_found", "没有这个 service_request_id 的请求")
    return _render(session, [row])[0]


def token_request(session: Session, token: str) -> dict[str, Any]:
    """GET tokens/{token}: the service_request_id a POST's token became (always at once here)."""
    signal_id = None
    if re.fullmatch(r"[0-9a-f]{32}", token):
        signal_id = session.scalar(select(Signal.id).where(Signal.idempotency_key == f"open311:{token}"))
    if signal_id is None:
        raise Open311Error(404, "open311.token_not_found", "没有这个 token")
    return {"service_request_id": str(signal_id), "token": token}
