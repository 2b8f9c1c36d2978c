"""POST requests: a citizen's report becomes one intake signal (channel open311, idempotency key open311:<token>).

Checked before intake, each with its own spec error: the api_key (403), jurisdiction and service (404), a location
as WGS-84 lat/long (400: an address alone cannot be routed to a grid), and the attributes against the service
definition (required ones, list values). The reporter's name, phone and e-mail are kept on the signal, never shown.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.geo import out_of_china
from chengguan.core.principals import Actor
from chengguan.intake.enums import Channel
from chengguan.intake.ingest import ingest
from chengguan.intake.schemas import IntakeResult, SignalIn
from chengguan.open311.errors import Open311Error, bad_request
from chengguan.open311.form import Submission
from chengguan.open311.service import SNOOZED_NOTE, attributes_for, jurisdiction, known_service, parse_time

OPEN311_ACTOR = Actor(actor_type="public", actor_id=None, actor_name="Open311 接入")
STORED_DESCRIPTION_MAX = 2000  # intake's limit; the spec allows 4,000, the whole text goes to an attribute


def api_key_valid(given: str | None, accepted: str) -> bool:
    """``accepted`` is the comma-separated CHENGGUAN_OPEN311_API_KEYS; compared in constant time."""
    if not given:
        return False
    keys = [k.strip() for k in accepted.split(",") if k.strip()]
    return any(secrets.compare_digest(given.encode(), key.encode()) for key in keys)


def _attributes(code: str, given: dict[str, list[str]]) -> dict[str, str | list[str]]:
    """attribute[CODE] values checked against the service definition; unknown codes are kept as sent (FMS adds
    its own, e.g. fixmystreet_id, closest_address, report_url)."""
    defined = {a["code"]: a for a in attributes_for(code)}
    kept: dict[str, str | list[str]] = {}
    for name, values in given.items():
        definition = defined.get(name)
        if definition is None:
            kept[name] = values[0] if len(values) == 1 else values
            continue
        datatype, label = definition["datatype"], f"attribute[{name}]"
        if datatype == "multivaluelist":
            keys = {v["key"] for v in definition["values"]}
            chosen = list(dict.fromkeys(p.strip() for v in values for p in v.split(",") if p.strip()))
            if set(chosen) - keys:
                raise bad_request("open311.invalid_attribute", f"{label} 的取值须为：{'、'.join(sorted(keys))}")
            kept[name] = chosen
            continue
        if len(values) > 1:
            raise bad_request("open311.invalid_attribute", f"{label} 只能有一个值")
        value = values[0]
        if datatype == "singlevaluelist" and value not in {v["key"] for v in definition["values"]}:
            keys = "、".join(v["key"] for v in definition["values"])
            raise bad_request("open311.invalid_attribute", f"{label} 的取值须为：{keys}")
        if datatype == "number" and not re.fullmatch(r"[+-]?[0-9]{1,15}(\.[0-9]{1,15})?", value):
            raise bad_request("open311.invalid_attribute", f"{label} 须为数字")
        if datatype == "datetime":
            parse_time(label, value)
        kept[name] = value
    missing = [a for a in defined.values() if a["required"] and not kept.get(a["code"])]
    if missing:
        names = "、".join(f"attribute[{a['code']}]（{a['description']}）" for a in missing)
        raise bad_request("open311.attribute_required", f"缺少必填属性：{names}")
    return kept


def _coordinate(name: str, value: str, limit: int) -> float:
    if not re.fullmatch(r"[+-]?[0-9]{1,3}(\.[0-9]{1,15})?", value) or abs(float(value)) > limit:
        raise bad_request("open311.invalid_location", f"{name} 须为 WGS-84 十进制度数（lat 为纬度，long 为经度）")
    return float(value)


def _location(form: Submission) -> tuple[float, float]:
    if form.lat is None or form.long is None:
        if form.address_string or form.address_id:
            raise bad_request(
                "open311.location_required",
                "请提供经纬度 lat 与 long（WGS-84）：本平台按坐标确定责任网格，"
                "暂不支持仅凭 address_string 或 address_id 定位",
            )
        raise bad_request("open311.location_required", "缺少位置：lat 与 long 为必填")
    lng, lat = _coordinate("long", form.long, 180), _coordinate("lat", form.lat, 90)
    if out_of_china(lng, lat):
        raise bad_request("open311.out_of_area", "坐标不在中国境内（请检查 lat/long 是否颠倒，须为 WGS-84 经纬度）")
    return lng, lat


_FIELD_NAMES = {"lng": "long", "address": "address_string", "media": "media_url", "email": "email", "phone": "phone"}


def _signal(form: Submission, code: str, lng: float, lat: float, token: str) -> SignalIn:
    attributes = _attributes(code, form.attributes)
    description = form.description
    if description is not None and len(description) > STORED_DESCRIPTION_MAX:
        attributes["description_full"] = description
        description = description[: STORED_DESCRIPTION_MAX - 1] + "…"
    if form.account_id:
        attributes["account_id"] = form.account_id
    name = " ".join(p for p in (form.first_name, form.last_name) if p) or None
    reporter = {"name": name, "phone": form.phone, "email": form.email}
    data = {
        "idempotency_key": f"open311:{token}",
        "channel": Channel.open311,
        "category_code": code,
        "lng": lng,
        "lat": lat,
        "occurred_at": clock.now(),
        "description": description,
        "address": form.address_string,
        "device_id": form.device_id,
        "media": form.media_urls,
        "reporter": reporter if any(reporter.values()) else None,
        "attributes": attributes or None,
    }
    try:
        return SignalIn.model_validate(data)
    except ValidationError as exc:
        fields = []
        for error in exc.errors():
            loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
            last = loc[-1] if loc else "request"
            fields.append("first_name/last_name" if loc[:2] == ["reporter", "name"] else _FIELD_NAMES.get(last, last))
        raise bad_request("open311.invalid", "参数不合法：" + "、".join(dict.fromkeys(fields))) from None


def _notice(result: IntakeResult) -> str:
    if result.snoozed:
        return SNOOZED_NOTE + "。"
    if result.merged:
        return f"附近已有同类问题的反映，已合并处理（案源编号 {result.case_source_code}）。"
    if result.needs_routing:
        return "已收到您的反映；该位置不在网格覆盖范围内，将由指挥中心人工分派。"
    return f"已收到您的反映，城管执法部门将在规定时限内受理处置（案源编号 {result.case_source_code}）。"


def submit(session: Session, form: Submission, accepted_keys: str) -> dict[str, Any]:
    """POST requests: check key, jurisdiction, service, location and attributes, then one intake signal."""
    if not api_key_valid(form.api_key, accepted_keys):
        raise Open311Error(403, "open311.api_key", "api_key 缺失或无效")
    jurisdiction(session, form.jurisdiction_id)
    if not form.service_code:
        raise bad_request("open311.service_code_required", "缺少 service_code")
    code = known_service(form.service_code)
    lng, lat = _location(form)
    token = uuid.uuid4().hex
    result = ingest(session, [_signal(form, code, lng, lat, token)], OPEN311_ACTOR)[0]
    if result.problem is not None:
        raise bad_request(result.problem.code, result.problem.detail)
    return {
        "service_request_id": str(result.signal_id),
        "token": token,
        "service_notice": _notice(result),
        "account_id": form.account_id,
    }
