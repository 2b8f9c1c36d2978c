"""Open311 GeoReport v2 server: every JSON response validated against our own JSON Schemas, every XML response
parsed back into the same shape; FixMyStreet's exact POST fields; filters, statuses, errors, privacy."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import httpx
import hypothesis
import pytest
from fastapi.testclient import TestClient
from hypothesis import strategies as st

from chengguan.core import clock
from chengguan.core.principals import SYSTEM
from chengguan.intake.enums import Outcome, SourceStatus
from chengguan.intake.ingest import ingest
from chengguan.intake.models import CaseSource, Signal, SnoozeRule
from chengguan.open311 import service
from open311.conftest import (
    BASE,
    KEY,
    form,
    json_document,
    normalised,
    validate,
    xml_document,
)

ROOTS = {
    "discovery": "discovery",
    "services": "services",
    "service_definition": "service_definition",
    "requests": "service_requests",
    "request_created": "service_requests",
    "tokens": "service_requests",
    "errors": "errors",
}


def both(client: TestClient, path: str, schema_name: str, *, status: int = 200, **kwargs: Any) -> Any:
    """GET ``path`` as .json and .xml: same status, JSON valid, XML the same document; returns the JSON."""
    js = client.get(f"{BASE}/{path}.json", **kwargs)
    xml = client.get(f"{BASE}/{path}.xml", **kwargs)
    assert js.status_code == xml.status_code == status, (js.status_code, js.text, xml.status_code)
    document = validate(schema_name, json_document(js))
    from_xml = validate(schema_name, xml_document(xml, ROOTS[schema_name]))
    assert normalised(from_xml) == normalised(document)
    return document


def create(client: TestClient, data: dict[str, Any], fmt: str = "json") -> dict[str, Any]:
    response = client.post(f"{BASE}/requests.{fmt}", data=data)
    assert response.status_code == 201, response.text
    if fmt == "json":
        [created] = validate("request_created", json_document(response))
    else:
        [created] = validate("request_created", xml_document(response, "service_requests"))
    return created


def error_of(response: Any, status: int, fmt: str = "json") -> dict[str, Any]:
    """The one error of a spec error response (JSON or XML), checked against the errors schema."""
    assert response.status_code == status, (response.status_code, response.text)
    if fmt == "json":
        [error] = validate("errors", json_document(response))
    else:
        [error] = validate("errors", xml_document(response, "errors"))
    assert error["code"] == status and any("\u4e00" <= c <= "\u9fff" for c in error["description"])
    return error


def request_of(client: TestClient, request_id: str, **params: str) -> dict[str, Any]:
    [found] = both(client, f"requests/{request_id}", "requests", params=params)
    return found


def set_source(db, request_id: str, **values: Any) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """Staff side, done directly: change the case source the request's signal belongs to."""
    with db.session() as session, session.begin():
        signal = session.get(Signal, uuid.UUID(request_id))
        source = session.get(CaseSource, signal.case_source_id)
        for key, value in values.items():
            setattr(source, key, value)
        return source.id


# ---------------------------------------------------------------------------------------------------------------
# Discovery and the service catalogue.


def test_discovery(o311: TestClient) -> None:
    document = both(o311, "discovery", "discovery")
    [endpoint] = document["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"] and endpoint["type"] == "production"


def test_services_cover_every_category_with_groups(o311: TestClient) -> None:
    services = both(o311, "services", "services")
    by_code = {s["service_code"]: s for s in services}
    assert len(by_code) == len(services) >= 30
    assert by_code["06001"]["service_name"] == "私搭乱建" and by_code["06001"]["group"] == "市容环境"
    assert by_code["09000"]["group"] == "街面秩序" and by_code["10000"]["group"] == "其他事项"
    assert {s["group"] for s in services} == {"市容环境", "宣传广告", "施工管理", "街面秩序", "其他事项"}
    assert all(s["type"] == "realtime" and s["metadata"] is True and s["keywords"] for s in services)
    assert "私搭乱建" in by_code["06001"]["keywords"]
    # a district's jurisdiction lists the same services; the city's code is the whole city
    assert both(o311, "services", "services", params={"jurisdiction_id": "370213"}) == services
    assert both(o311, "services", "services", params={"jurisdiction_id": "370200"}) == services


def test_every_service_has_a_valid_definition(o311: TestClient) -> None:
    for entry in o311.get(f"{BASE}/services.json").json():
        definition = both(o311, f"services/{entry['service_code']}", "service_definition")
        assert definition["service_code"] == entry["service_code"]
        assert definition["attributes"][0]["code"] == "ongoing"
        assert [a["order"] for a in definition["attributes"]] == list(range(1, len(definition["attributes"]) + 1))


def test_service_definitions_follow_the_table(o311: TestClient) -> None:
    noise = both(o311, "services/08001", "service_definition")["attributes"]
    period = next(a for a in noise if a["code"] == "period")
    assert period["required"] is True and period["datatype"] == "multivaluelist"
    assert {v["key"] for v in period["values"]} == {"day", "night"}
    shop = both(o311, "services/09005", "service_definition")["attributes"]
    assert [a["code"] for a in shop] == ["ongoing", "shop_name"] and shop[1]["required"] is False
    parking = both(o311, "services/09009", "service_definition")["attributes"]
    assert [a["code"] for a in parking] == ["ongoing", "shop_name", "plate_no"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("path", "status", "key"),
    [
        ("services/99999", 404, "open311.unknown_service"),
        ("services/abc", 404, "open311.unknown_service"),
        ("services", 404, "open311.unknown_jurisdiction"),  # with jurisdiction_id=999999 below
        ("requests/not-a-uuid", 404, "open311.request_not_found"),
        (f"requests/{uuid.UUID(int=7)}", 404, "open311.request_not_found"),
        ("tokens/0123456789abcdef0123456789abcdef", 404, "open311.token_not_found"),
        ("tokens/x", 404, "open311.token_not_found"),
        ("no-such-thing", 404, "open311.not_found"),
    ],
)
def test_not_found_errors_in_both_formats(o311: TestClient, path: str, status: int, key: str, fmt: str) -> None:
    params = {"jurisdiction_id": "999999"} if path == "services" else {}
    response = o311.get(f"{BASE}/{path}.{fmt}", params=params)
    assert error_of(response, status, fmt)["error_code"] == key


def test_xml_error_document_shape(o311: TestClient) -> None:
    response = o311.get(f"{BASE}/services/99999.xml")
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"]
    assert root.find("error/code").text == "404" and "service_code" in root.find("error/description").text


def test_wrong_method_is_405(o311: TestClient) -> None:
    for method, path in [
        ("PUT", "requests.json"),
        ("DELETE", "services.xml"),
        ("POST", "services/06012.json"),
        ("POST", "tokens/abc.json"),
        ("PATCH", "discovery.json"),
    ]:
        fmt = path.rsplit(".", 1)[1]
        error = error_of(o311.request(method, f"{BASE}/{path}"), 405, fmt)
        assert error["error_code"] == "open311.method_not_allowed"


def test_unknown_format_and_unknown_jurisdiction(o311: TestClient) -> None:
    assert error_of(o311.get(f"{BASE}/services.html"), 404, "xml")["error_code"] == "open311.unknown_format"
    for bad in ("999999", "abc", "37020", "\x00", "1" * 200):
        response = o311.get(f"{BASE}/requests.json", params={"jurisdiction_id": bad})
        assert error_of(response, 404)["error_code"] == "open311.unknown_jurisdiction"


# ---------------------------------------------------------------------------------------------------------------
# POST requests → tokens, requests/{id}.


def test_create_and_read_back(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370202")
    created = create(
        o311,
        form(
            lng,
            lat,
            service_code="07001",
            description="电线杆上贴满小广告",
            account_id="acct-1",
            media_url="https://img.example.com/a.jpg",
            address_string="香港中路 1 号附近",
        ),
    )
    assert created["account_id"] == "acct-1" and "受理" in created["service_notice"]
    [token] = both(o311, f"tokens/{created['token']}", "tokens")
    assert token == {"service_request_id": created["service_request_id"], "token": created["token"]}
    found = request_of(o311, created["service_request_id"])
    assert found["service_request_id"] == created["service_request_id"]
    assert (found["status"], found["status_notes"]) == ("open", "待受理")
    assert (found["service_code"], found["service_name"]) == ("07001", "非法小广告")
    assert found["description"] == "电线杆上贴满小广告" and found["address"] == "香港中路 1 号附近"
    assert found["media_url"] == "https://img.example.com/a.jpg"
    assert (found["lat"], found["long"]) == (round(lat, 6), round(lng, 6))
    assert found["agency_responsible"].endswith("中队")
    assert found["requested_datetime"].endswith("+08:00") and found["expected_datetime"]
    assert found["address_id"] == "" and found["zipcode"] == ""


def test_xml_post_response(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370203")
    created = create(o311, form(lng, lat, service_code="06010"), fmt="xml")
    assert created["service_request_id"] and created["token"] and created["account_id"] is None


def test_fixmystreet_post_fields(o311: TestClient, db, spot) -> None:  # type: ignore[no-untyped-def]
    """The form FixMyStreet's client sends (perllib/Open311.pm: _populate_service_request_params and _request),
    XML only, answered the way it reads it (service_requests/request[0]/service_request_id, then tokens/{t})."""
    lng, lat = spot("370202")
    fields = [
        ("jurisdiction_id", "370202"),  # _request: when the body has a jurisdiction configured
        ("api_key", KEY),  # _request: POST only
        ("description", "楼下烧烤\n\n每晚烟很大\n\nhttps://fms.example.org/report/42\n"),  # extended_description
        ("service_code", "06029"),
        ("first_name", "Wei"),  # split_name(problem->name)
        ("last_name", "Zhang"),
        ("phone", "+86 138 0000 0000"),  # phone_waste, when present
        ("email", "reporter@example.com"),
        ("account_id", "1c304134-ef12-c128-9212-123908123901"),
        ("lat", f"{lat:.6f}"),  # always_send_latlong (default on), truncate_coordinate: 6 decimals
        ("long", f"{lng:.6f}"),
        ("media_url", "https://fms.example.org/photo/42.0.full.jpeg"),  # multi_photos: repeated
        ("media_url", "https://fms.example.org/photo/42.1.full.jpeg"),
        ("deviceid", "fms-service-app"),  # use_service_as_deviceid
        ("attribute[fixmystreet_id]", "42"),  # the contact's id_field
        ("attribute[closest_address]", "香港中路 10 号"),
        ("attribute[easting]", "530000"),
        ("attribute[northing]", "180000"),
        ("attribute[title]", ""),  # an undefined extra field is sent empty
        ("attribute[report_url]", "https://fms.example.org/report/42"),
        ("attribute[uprn]", "100021234567"),
        ("attribute[public_anonymity_required]", "FALSE"),
        ("attribute[email_alerts_requested]", "FALSE"),
        ("attribute[ongoing]", "yes"),  # from our service definition
    ]
    response = o311.post(f"{BASE}/requests.xml", data=_encoded(fields), headers=_FORM)
    assert response.status_code == 201, response.text
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    request_id = root.findall("request")[0].findtext("service_request_id")
    token = root.findall("request")[0].findtext("token")
    again = ET.fromstring(o311.get(f"{BASE}/tokens/{token}.xml", params={"jurisdiction_id": "370202"}).content)
    assert again.findall("request")[0].findtext("service_request_id") == request_id
    with db.session(write=False) as session:
        signal = session.get(Signal, uuid.UUID(request_id))
        assert signal.channel == "open311" and signal.idempotency_key == f"open311:{token}"
        assert signal.reporter == {"name": "Wei Zhang", "phone": "+86 138 0000 0000", "email": "reporter@example.com"}
        assert signal.device_id == "fms-service-app" and len(signal.media) == 2
        assert signal.attributes["ongoing"] == "yes" and signal.attributes["fixmystreet_id"] == "42"
        assert signal.attributes["account_id"] == "1c304134-ef12-c128-9212-123908123901"
        assert "title" not in signal.attributes
    found = request_of(o311, request_id, jurisdiction_id="370202")
    assert found["media_url"] == "https://fms.example.org/photo/42.0.full.jpeg"
    assert found["description"].startswith("楼下烧烤")


@pytest.mark.parametrize(
    "location",
    [
        [("address_string", "SW1A 1AA")],  # FMS: no map pin, a postcode
        [("address_id", "#NOTPINPOINTED#")],  # FMS: send_notpinpointed
    ],
)
def test_fixmystreet_without_coordinates_is_asked_for_them(o311: TestClient, location) -> None:  # type: ignore[no-untyped-def]
    fields = [("api_key", KEY), ("service_code", "06012"), ("description", "x"), ("email", "a@example.com")]
    response = o311.post(f"{BASE}/requests.xml", data=_encoded(fields + location), headers=_FORM)
    error = error_of(response, 400, "xml")
    assert error["error_code"] == "open311.location_required" and "lat" in error["description"]


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _encoded(fields: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields)


def test_attribute_rules(o311: TestClient, db, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370203")
    missing = o311.post(f"{BASE}/requests.json", data=form(lng, lat, service_code="08001"))
    error = error_of(missing, 400)
    assert error["error_code"] == "open311.attribute_required" and "attribute[period]" in error["description"]
    wrong = form(lng, lat, service_code="08001", **{"attribute[period][]": "evening"})
    assert error_of(o311.post(f"{BASE}/requests.json", data=wrong), 400)["error_code"] == "open311.invalid_attribute"
    bad_single = form(lng, lat, **{"attribute[ongoing]": "maybe"})
    assert (
        error_of(o311.post(f"{BASE}/requests.json", data=bad_single), 400)["error_code"] == "open311.invalid_attribute"
    )
    fields = [(k, v) for k, v in form(lng, lat, service_code="08001").items()]
    fields += [("attribute[period][]", "day"), ("attribute[period][]", "night"), ("attribute[ongoing]", "no")]
    created = o311.post(f"{BASE}/requests.json", data=_encoded(fields), headers=_FORM)
    assert created.status_code == 201, created.text
    with db.session(write=False) as session:
        signal = session.get(Signal, uuid.UUID(created.json()[0]["service_request_id"]))
        assert signal.attributes == {"period": ["day", "night"], "ongoing": "no"}


@pytest.mark.parametrize(
    ("change", "status", "key"),
    [
        ({"api_key": "wrong"}, 403, "open311.api_key"),
        ({"api_key": ""}, 403, "open311.api_key"),
        ({"service_code": ""}, 400, "open311.service_code_required"),
        ({"service_code": "99999"}, 404, "open311.unknown_service"),
        ({"jurisdiction_id": "110101"}, 404, "open311.unknown_jurisdiction"),
        ({"lat": "", "long": ""}, 400, "open311.location_required"),
        ({"lat": "abc"}, 400, "open311.invalid_location"),
        ({"lat": "NaN"}, 400, "open311.invalid_location"),
        ({"long": "1e400"}, 400, "open311.invalid_location"),
        ({"lat": "95"}, 400, "open311.invalid_location"),
        ({"lat": "51.5", "long": "-0.12"}, 400, "open311.out_of_area"),  # London
        ({"description": "a\x00b"}, 400, "open311.control_character"),
        ({"description": "响铃\x07"}, 400, "open311.control_character"),
        ({"description": "长" * 4001}, 400, "open311.too_long"),
        ({"address_string": "路" * 300}, 400, "open311.too_long"),
        ({"email": "not-an-email"}, 400, "open311.invalid"),
        ({"phone": "call me maybe"}, 400, "open311.invalid_phone"),
        ({"first_name": "名" * 40, "last_name": "姓" * 40}, 400, "open311.invalid"),
        ({"media_url": "javascript:alert(1)"}, 400, "open311.invalid_media_url"),
        ({"attribute[bad code]": "x"}, 400, "open311.invalid_attribute"),
    ],
)
def test_post_refusals(o311: TestClient, spot, change, status, key) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370213")
    for fmt in ("json", "xml"):
        response = o311.post(f"{BASE}/requests.{fmt}", data=form(lng, lat) | change)
        assert error_of(response, status, fmt)["error_code"] == key


def test_post_body_limits(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370213")
    huge = _encoded(list(form(lng, lat).items())) + "&junk=" + "x" * (1024 * 1024)
    assert error_of(o311.post(f"{BASE}/requests.json", content=huge, headers=_FORM), 413)
    not_utf8 = b"api_key=" + KEY.encode() + b"&service_code=06012&description=\xff\xfe"
    assert error_of(o311.post(f"{BASE}/requests.json", content=not_utf8, headers=_FORM), 400)
    bad_escape = _encoded(list(form(lng, lat).items())) + "&description=%FF"
    assert error_of(o311.post(f"{BASE}/requests.json", content=bad_escape, headers=_FORM), 400)
    many = "&".join(f"f{i}=1" for i in range(300))
    assert error_of(o311.post(f"{BASE}/requests.json", content=many, headers=_FORM), 400)


def test_multipart_form_is_accepted(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370203")
    response = o311.post(
        f"{BASE}/requests.json",
        data=form(lng, lat, service_code="06042"),
        files={"photo1": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")},
    )
    assert response.status_code == 201, response.text


def test_long_description_is_kept_whole(o311: TestClient, db, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370203")
    text = "描述" * 1500  # 3,000 characters: within the spec's 4,000, over intake's 2,000
    created = create(o311, form(lng, lat, service_code="06036", description=text))
    with db.session(write=False) as session:
        signal = session.get(Signal, uuid.UUID(created["service_request_id"]))
        assert len(signal.description) == 2000 and signal.attributes["description_full"] == text


def test_posting_twice_makes_two_requests_that_share_the_source(o311: TestClient, db, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370202")
    data = form(lng, lat, service_code="09005", description="店外经营")
    first, second = create(o311, data), create(o311, data)
    assert first["service_request_id"] != second["service_request_id"] and first["token"] != second["token"]
    assert "合并" in second["service_notice"]
    a, b = request_of(o311, first["service_request_id"]), request_of(o311, second["service_request_id"])
    assert a["status"] == b["status"] == "open"
    assert service.MERGED_NOTE in a["status_notes"] and service.MERGED_NOTE in b["status_notes"]
    # staff close the source: both requests show closed, with the outcome, and no expected time
    set_source(
        db,
        first["service_request_id"],
        status=SourceStatus.closed,
        outcome=Outcome.rectification,
        closed_at=clock.now(),
        due_at=None,
    )
    for request_id in (first["service_request_id"], second["service_request_id"]):
        closed = request_of(o311, request_id)
        assert closed["status"] == "closed" and closed["expected_datetime"] is None
        assert closed["status_notes"] == "已结案：责令限期整改；" + service.MERGED_NOTE


def test_voided_source_is_closed(o311: TestClient, db, login, spot) -> None:  # type: ignore[no-untyped-def]
    """Staff void the source through the case-source API: the citizen's request shows closed."""
    lng, lat = spot("370203")
    created = create(o311, form(lng, lat, service_code="06007"))
    with db.session(write=False) as session:
        signal = session.get(Signal, uuid.UUID(created["service_request_id"]))
        source_id = signal.case_source_id
    headers = login("command")
    voided = o311.post(f"/api/v1/case-sources/{source_id}/actions/void", json={"reason": "重复"}, headers=headers)
    assert voided.status_code == 200, voided.text
    found = request_of(o311, created["service_request_id"])
    assert (found["status"], found["status_notes"]) == ("closed", "已作废")


def test_snoozed_spot_is_closed_with_a_note(o311: TestClient, db, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370213")
    with db.session() as session, session.begin():
        rule = SnoozeRule(
            category_code="06011",
            lng=lng,
            lat=lat,
            radius_m=20,
            until=clock.now() + timedelta(hours=1),
            reason="工地已备案",
            created_by="测试",
        )
        session.add(rule)
    try:
        created = create(o311, form(lng, lat, service_code="06011"))
        assert created["service_notice"].startswith(service.SNOOZED_NOTE)
        found = request_of(o311, created["service_request_id"])
        assert (found["status"], found["status_notes"]) == ("closed", service.SNOOZED_NOTE)
    finally:
        with db.session() as session, session.begin():
            session.get(SnoozeRule, rule.id).active = False


# ---------------------------------------------------------------------------------------------------------------
# GET requests: filters and windows.


def _ids(documents: list[dict[str, Any]]) -> set[str]:
    return {d["service_request_id"] for d in documents}


def test_jurisdiction_filter(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    shinan = create(o311, form(*spot("370202"), service_code="08002"))["service_request_id"]
    licang = create(o311, form(*spot("370213"), service_code="08002"))["service_request_id"]
    listed = {
        j: _ids(both(o311, "requests", "requests", params={"jurisdiction_id": j, "service_code": "08002"}))
        for j in ("370202", "370213", "370200", "")
    }
    assert shinan in listed["370202"] and licang not in listed["370202"]
    assert licang in listed["370213"] and shinan not in listed["370213"]
    assert {shinan, licang} <= listed["370200"] and {shinan, licang} <= listed[""]
    response = o311.get(f"{BASE}/requests/{licang}.json", params={"jurisdiction_id": "370202"})
    assert error_of(response, 404)["error_code"] == "open311.request_not_found"
    assert request_of(o311, licang, jurisdiction_id="370213")["service_request_id"] == licang


def test_status_and_service_code_filters(o311: TestClient, db, spot) -> None:  # type: ignore[no-untyped-def]
    still_open = create(o311, form(*spot("370203"), service_code="09010"))["service_request_id"]
    done = create(o311, form(*spot("370203"), service_code="09010"))["service_request_id"]
    set_source(db, done, status=SourceStatus.closed, outcome=Outcome.no_violation, closed_at=clock.now())
    by_status = {
        s: _ids(both(o311, "requests", "requests", params={"service_code": "09010", "status": s}))
        for s in ("open", "closed", "open,closed", "")
    }
    assert still_open in by_status["open"] and done not in by_status["open"]
    assert done in by_status["closed"] and still_open not in by_status["closed"]
    assert {still_open, done} <= by_status["open,closed"] and {still_open, done} <= by_status[""]
    other = _ids(both(o311, "requests", "requests", params={"service_code": "06001,06012"}))
    assert not {still_open, done} & other
    repeated = _ids(both(o311, "requests", "requests", params=[("service_code", "06001"), ("service_code", "09010")]))
    assert {still_open, done} <= repeated
    repeated_status = [("service_code", "09010"), ("status", "closed"), ("status", "open")]
    assert {still_open, done} <= _ids(both(o311, "requests", "requests", params=repeated_status))
    assert error_of(o311.get(f"{BASE}/requests.json", params={"status": "fixed"}), 400)
    assert error_of(o311.get(f"{BASE}/requests.json", params={"service_code": "00000"}), 404)


def test_service_request_id_overrides_other_filters(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    a = create(o311, form(*spot("370202"), service_code="07006"))["service_request_id"]
    b = create(o311, form(*spot("370213"), service_code="07007"))["service_request_id"]
    params = {
        "service_request_id": f"{a}, {b},not-an-id",
        "status": "closed",
        "service_code": "06001",
        "start_date": "2020-01-01T00:00:00Z",
        "end_date": "2020-02-01T00:00:00Z",
    }
    assert _ids(both(o311, "requests", "requests", params=params)) == {a, b}
    assert both(o311, "requests", "requests", params={"service_request_id": "nothing"}) == []
    too_many = ",".join(str(uuid.uuid4()) for _ in range(201))
    assert error_of(o311.get(f"{BASE}/requests.json", params={"service_request_id": too_many}), 400)


def test_date_window(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    request_id = create(o311, form(*spot("370202"), service_code="06027"))["service_request_id"]
    now = clock.now()
    inside = {"start_date": (now - timedelta(hours=1)).isoformat(), "end_date": (now + timedelta(hours=1)).isoformat()}
    assert request_id in _ids(both(o311, "requests", "requests", params=inside))
    later = {"start_date": (now + timedelta(days=1)).isoformat()}
    assert request_id not in _ids(both(o311, "requests", "requests", params=later))
    only_end = {"end_date": (now + timedelta(minutes=5)).isoformat()}
    assert request_id in _ids(both(o311, "requests", "requests", params=only_end))
    # a "+08:00" left unencoded in the URL arrives as " 08:00" and still counts
    local = (now - timedelta(hours=2)).astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    raw = o311.get(f"{BASE}/requests.json?service_code=06027&start_date={local}")
    assert raw.status_code == 200 and request_id in _ids(raw.json())
    day = o311.get(f"{BASE}/requests.json", params={"start_date": now.astimezone(clock.SHANGHAI).date().isoformat()})
    assert day.status_code == 200 and request_id in _ids(day.json())


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "open311.date_span"),
        ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, "open311.date_order"),
        ({"start_date": "yesterday"}, "open311.invalid_date"),
        ({"start_date": "1700000000"}, "open311.invalid_date"),
        ({"end_date": "0001-01-01T00:00:00+08:00"}, "open311.invalid_date"),
        ({"end_date": "9999-12-31T23:59:59Z"}, "open311.invalid_date"),
        ({"start_date": "2026-01-01T00:00:00\x00"}, "open311.control_character"),
        ({"start_date": "2" * 100}, "open311.too_long"),
    ],
)
def test_date_window_errors(o311: TestClient, params: dict[str, str], key: str) -> None:
    for fmt in ("json", "xml"):
        assert error_of(o311.get(f"{BASE}/requests.{fmt}", params=params), 400, fmt)["error_code"] == key


# ---------------------------------------------------------------------------------------------------------------
# Which signals are public, and what of them.


def test_only_public_channels_are_listed(o311: TestClient, db, spot) -> None:  # type: ignore[no-untyped-def]
    lng, lat = spot("370202")
    items = [
        {
            "idempotency_key": f"o311-test-{uuid.uuid4().hex}",
            "channel": channel,
            "category_code": "09022",
            "lng": lng + 0.0003 * n,
            "lat": lat,
            "occurred_at": clock.now().isoformat(),
            "description": "电话 13912345678，身份证 370202199001011234，邮箱 someone@example.com\x07",
            "reporter": {"name": "李四", "phone": "13912345678"},
        }
        for n, channel in enumerate(("ai_video", "iot", "patrol", "complaint"))
    ]
    with db.session() as session, session.begin():
        results = ingest(session, items, SYSTEM)
    assert all(r.problem is None for r in results), results
    hidden, complaint = [str(r.signal_id) for r in results[:3]], str(results[3].signal_id)
    listed = _ids(both(o311, "requests", "requests", params={"service_code": "09022"}))
    assert complaint in listed and not set(hidden) & listed
    for request_id in hidden:
        assert error_of(o311.get(f"{BASE}/requests/{request_id}.xml"), 404, "xml")
    found = request_of(o311, complaint)  # the stored text carries U+0007, which XML 1.0 cannot
    assert found["description"] == "电话 139****5678，身份证 370202********1234，邮箱 ***@***"


def test_no_personal_data_in_any_response(o311: TestClient, spot) -> None:  # type: ignore[no-untyped-def]
    marker = uuid.uuid4().hex[:8]
    lng, lat = spot("370213")
    secrets = {
        "email": f"p{marker}@example.com",
        "first_name": f"F{marker}",
        "last_name": f"L{marker}",
        "phone": "13700001111",
        "device_id": f"dev{marker}",
    }
    created = create(o311, form(lng, lat, service_code="09001", **secrets))
    request_id, token = created["service_request_id"], created["token"]
    texts = []
    for fmt in ("json", "xml"):
        for path, params in [
            (f"requests/{request_id}", {}),
            ("requests", {}),
            ("requests", {"service_request_id": request_id}),
            (f"tokens/{token}", {}),
        ]:
            response = o311.get(f"{BASE}/{path}.{fmt}", params=params)
            assert response.status_code == 200
            texts.append(response.text)
    for text in texts:
        for value in (*secrets.values(), "1370000"):
            assert value not in text


# ---------------------------------------------------------------------------------------------------------------
# Rendering details.


def test_xml_declaration_and_utf8(o311: TestClient) -> None:
    response = o311.get(f"{BASE}/services.xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert "市容环境".encode() in response.content  # UTF-8, not character references
    js = o311.get(f"{BASE}/services.json")
    assert js.headers["content-type"] == "application/json" and "市容环境".encode() in js.content


def test_xml_renderer_replaces_characters_xml_cannot_carry() -> None:
    from chengguan.open311.render import to_xml

    document = to_xml("service_requests", [{"description": "a\x07b\x00c", "lat": 36.5, "flag": True, "none": None}])
    request = ET.fromstring(document).find("request")
    assert request.findtext("description") == "a\ufffdb\ufffdc" and request.findtext("flag") == "true"
    assert request.findtext("lat") == "36.5" and request.find("none").text is None


# ---------------------------------------------------------------------------------------------------------------
# Anything a client may send: never a 500, always the spec's error format.

_TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "NaN", "-inf", "1e999", "36.06", "120.33", "0x10", "\x00", "\ud800", "370202", KEY]),
)
_FIELDS = [
    "api_key",
    "service_code",
    "lat",
    "long",
    "description",
    "email",
    "phone",
    "first_name",
    "last_name",
    "address_string",
    "media_url",
    "jurisdiction_id",
    "attribute[ongoing]",
    "attribute[period][]",
    "attribute[x]",
    "device_id",
    "account_id",
]


@hypothesis.settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(
    fields=st.lists(st.tuples(st.sampled_from(_FIELDS), _TEXT), max_size=12),
    code=st.sampled_from(["06012", "08001", "09009", "99999", ""]),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_post_never_fails_with_a_server_error(o311: TestClient, fields, code, fmt) -> None:  # type: ignore[no-untyped-def]
    # Coordinates somewhere in China but away from the demo city's grids, so nothing merges into other tests' spots.
    body = [("api_key", KEY), ("service_code", code), ("lat", "40.0"), ("long", "100.0"), *fields]
    encoded = "&".join(f"{quote(k, safe='')}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in body)
    response = o311.post(f"{BASE}/requests.{fmt}", content=encoded, headers=_FORM)
    assert response.status_code in (201, 400, 403, 404, 413), (response.status_code, response.text)
    if response.status_code == 201:
        return
    error_of(response, response.status_code, fmt)


@hypothesis.settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(
    params=st.dictionaries(
        st.sampled_from(["service_request_id", "service_code", "start_date", "end_date", "status", "jurisdiction_id"]),
        _TEXT,
        max_size=4,
    ),
    path=st.sampled_from(["requests", "services", "requests/x", "tokens/abc", "services/06012", "discovery"]),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_get_never_fails_with_a_server_error(o311: TestClient, params, path, fmt) -> None:  # type: ignore[no-untyped-def]
    query = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in params.items())
    response = o311.get(f"{BASE}/{path}.{fmt}?{query}")
    assert response.status_code in (200, 400, 404), (response.status_code, response.text)
    if response.status_code != 200:
        error_of(response, response.status_code, fmt)
    elif fmt == "xml":
        ET.fromstring(response.content)
    else:
        response.json()


# ---------------------------------------------------------------------------------------------------------------
# The georeport client (PyPI georeport 0.3.1) against a real server process, in JSON and in XML mode.


@pytest.mark.commits  # a live server with its own copy of the demo city
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client(live_open311: str, spot, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from georeport import GeoReport

    root = f"{live_open311}{BASE}"
    # georeport cannot POST (its README says so): create with a plain form POST, then read with the client.
    created = {}
    for district in ("370202", "370213"):  # the demo geography is fixed: the live database has the same grids
        lng, lat = spot(district)
        response = httpx.post(
            f"{root}/requests.json",
            data={"api_key": KEY, "service_code": "06001", "lat": str(lat), "long": str(lng), "description": "违建"},
        )
        assert response.status_code == 201, response.text
        created[district] = response.json()[0]["service_request_id"]
    request_id = created["370202"]

    client = GeoReport(root, jurisdiction="370202", output_format=fmt)
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"06001", "08001", "10000"}
    definition = client.get_service_definition("08001")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == ["ongoing", "period"]

    one = client.get_service_request(request_id)
    assert one["service_request_id"] == request_id and one["status"] == "open" and one["service_code"] == "06001"
    listed = client.get_service_requests(service_code="06001", status="open")
    listed = [listed] if isinstance(listed, dict) else listed  # xmltodict: a single <request> is not a list
    assert request_id in {r["service_request_id"] for r in listed}
    by_id = client.get_service_requests(service_request_id=request_id)
    by_id = [by_id] if isinstance(by_id, dict) else by_id
    assert [r["service_request_id"] for r in by_id] == [request_id]

    # (in XML mode georeport cannot read an empty list — <service_requests/> — so this one is never empty)
    elsewhere = GeoReport(root, jurisdiction="370213", output_format=fmt).get_service_requests(service_code="06001")
    elsewhere = [elsewhere] if isinstance(elsewhere, dict) else elsewhere
    assert created["370213"] in {r["service_request_id"] for r in elsewhere}
    assert request_id not in {r["service_request_id"] for r in elsewhere}
