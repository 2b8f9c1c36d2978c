"""Open311 wire formats: the same dicts and lists as JSON or as UTF-8 XML (mandatory in the spec).

XML is built with ElementTree: a list is a container whose items take the singular tag (``services`` →
``service``, ``service_requests`` → ``request``), None is an empty element, booleans are ``true``/``false``.
Characters XML 1.0 cannot carry (control characters that other channels may have stored) become U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from starlette.responses import Response

from chengguan.open311.errors import Open311Error

JSON_TYPE = "application/json"
XML_TYPE = "text/xml; charset=utf-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    else:
        element.text = _text(value)


def to_xml(root: str, payload: Any) -> bytes:
    """``<root>`` holding the payload (a list: one item element per entry), with the UTF-8 declaration."""
    element = ET.Element(root)
    _fill(element, payload)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def respond(fmt: str, root: str, payload: Any, status_code: int = 200) -> Response:
    """``fmt`` is "json" or "xml"; ``root`` names the XML document element (JSON has none)."""
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        return Response(body, status_code=status_code, media_type=JSON_TYPE)
    return Response(to_xml(root, payload), status_code=status_code, media_type=XML_TYPE)


def error_response(fmt: str, error: Open311Error) -> Response:
    """``[{"code", "description"}]`` / ``<errors><error>…`` with the HTTP status; ``error_code`` is the stable key."""
    entry = {"code": error.status, "description": error.description, "error_code": error.key}
    return respond(fmt, "errors", [entry], status_code=error.status)
