"""The POST requests body: form-urlencoded (the spec; multipart accepted), read with a size cap, into fields.

Text fields are refused when they carry control characters (U+0000 breaks PostgreSQL, the others break XML 1.0)
and are trimmed; empty values count as absent (FixMyStreet sends ``last_name=`` for one-word names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from chengguan.open311.errors import Open311Error

MAX_BODY = 1024 * 1024
MAX_FIELDS = 200
MAX_ATTRIBUTES = 25
MAX_MEDIA = 20
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]*)\](\[\])?")
_ATTRIBUTE_CODE = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
_MEDIA = re.compile(r"https?://[^\s]+")
_PHONE = re.compile(r"[0-9+\-() ]{5,20}")
# field → longest accepted value (the intake limits; the spec's 4,000 for description)
LIMITS = {
    "api_key": 128,
    "jurisdiction_id": 64,
    "service_code": 64,
    "lat": 32,
    "long": 32,
    "address_string": 256,
    "address_id": 64,
    "email": 254,
    "device_id": 64,
    "account_id": 64,
    "first_name": 50,
    "last_name": 50,
    "phone": 20,
    "description": 4000,
}
ALIASES = {"deviceid": "device_id"}  # FixMyStreet sends ``deviceid`` when a cobrand uses the service as device


def clean_text(name: str, value: str | None, limit: int) -> str | None:
    """Trimmed text or None when empty; control characters or more than ``limit`` characters → 400."""
    if value is None:
        return None
    if _CONTROL.search(value):
        raise Open311Error(400, "open311.control_character", f"{name} 含有不允许的控制字符")
    value = value.strip()
    if len(value) > limit:
        raise Open311Error(400, "open311.too_long", f"{name} 不能超过 {limit} 个字符")
    return value or None


@dataclass
class Submission:
    """The fields of one POST requests, cleaned; ``attributes`` maps CODE → the values sent for it."""

    api_key: str | None = None
    jurisdiction_id: str | None = None
    service_code: str | None = None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    description: str | None = None
    media_urls: list[str] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)


def parse_fields(pairs: Iterable[tuple[str, str]]) -> Submission:
    """Form pairs → Submission: the first non-empty value of a field wins; repeated media_url and
    ``attribute[CODE]`` / ``attribute[CODE][]`` collect; other names are ignored."""
    form = Submission()
    count = 0
    for raw_key, raw_value in pairs:
        count += 1
        if count > MAX_FIELDS:
            raise Open311Error(400, "open311.too_many", f"表单字段不能超过 {MAX_FIELDS} 个")
        key = ALIASES.get(raw_key, raw_key)
        if key in LIMITS:
            value = clean_text(key, raw_value, LIMITS[key])
            if value is not None and getattr(form, key) is None:
                setattr(form, key, value)
        elif key in ("media_url", "media_url[]"):
            value = clean_text("media_url", raw_value, 500)
            if value is None:
                continue
            if not _MEDIA.fullmatch(value):
                raise Open311Error(400, "open311.invalid_media_url", "media_url 须为 http(s) 地址")
            form.media_urls.append(value)
            if len(form.media_urls) > MAX_MEDIA:
                raise Open311Error(400, "open311.too_many", f"media_url 最多 {MAX_MEDIA} 个")
        elif match := _ATTRIBUTE.fullmatch(key):
            code = match.group(1)
            if not _ATTRIBUTE_CODE.fullmatch(code):
                raise Open311Error(
                    400, "open311.invalid_attribute", "attribute[CODE] 的 CODE 须为 1–64 个字母、数字或 _ . : -"
                )
            value = clean_text(f"attribute[{code}]", raw_value, 500)
            values = form.attributes.setdefault(code, [])
            if value is not None:
                values.append(value)
            if len(form.attributes) > MAX_ATTRIBUTES or len(values) > MAX_MEDIA:
                raise Open311Error(
                    400, "open311.too_many", f"attribute 最多 {MAX_ATTRIBUTES} 项，每项最多 {MAX_MEDIA} 个值"
                )
    form.attributes = {code: values for code, values in form.attributes.items() if values}
    if form.phone is not None and not _PHONE.fullmatch(form.phone):
        raise Open311Error(400, "open311.invalid_phone", "phone 格式不正确（5–20 位数字，可含 + - ( ) 空格）")
    return form


async def read_form(request: Request) -> Submission:
    """The POST body (at most 1 MiB) as a Submission; query-string fields count too, the body's win."""
    too_large = Open311Error(413, "open311.too_large", "请求体过大（最多 1 MiB；照片请以 media_url 地址提交）")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise too_large
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    try:
        if content_type == "multipart/form-data":
            pairs = await _multipart(request, bytes(body))
        else:
            pairs = _pairs(bytes(body).decode("utf-8"))
        pairs += _pairs(request.url.query)
    except (ValueError, MultiPartException, HTTPException):
        raise Open311Error(
            400, "open311.invalid_body", "请求体须为 UTF-8 编码的 application/x-www-form-urlencoded 表单"
        ) from None
    return parse_fields(pairs)


def _pairs(text: str) -> list[tuple[str, str]]:
    if not text:
        return []
    return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)


async def _multipart(request: Request, body: bytes) -> list[tuple[str, str]]:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, receive).form(max_files=MAX_MEDIA, max_fields=MAX_FIELDS)
    pairs = []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            await value.close()  # photos are referenced by media_url; uploaded files are not kept
        else:
            pairs.append((key, value))
    return pairs
