"""Rectification and merchant-H5 test helpers: a fresh shop of the demo officer's squad, an order or a warning sent
to it, the shop's portal login by claiming it, photos as a phone takes them."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from PIL import Image

from chengguan.core import clock
from chengguan.core.idnumbers import uscc_check_char

Login = Callable[..., dict[str, str]]
STREET_ORDER = "09005-QD-01"  # 临街门店的经营者超出门、窗外墙经营、作业或者展示商品 (青岛市容环卫条例 第二十四条第一款)
FRONTAGE = "06012-QD-01"  # 门前三包: 责任人未履行责任区市容和环境卫生责任


def uscc() -> str:
    body = f"91370202MA{random.randrange(10**7):07d}"
    return body + uscc_check_char(body)


def phone() -> str:
    return f"138{random.randrange(10**8):08d}"


def new_shop(client: TestClient, login: Login, place: dict, **overrides) -> dict:
    """A company of the 八大关 squad with a phone and coordinates in one of its grids."""
    _, lng, lat = place["grid"]
    body = {
        "name": f"测试{random.randrange(10**6):06d}商行", "kind": "enterprise", "uscc": uscc(),
        "operator_name": "王测试", "phone": phone(), "business_type": "零售", "address": "青岛市市南区山海关路9号",
        "lng": lng, "lat": lat,
    } | overrides  # fmt: skip
    response = client.post("/api/v1/merchants", json=body, headers=login("bdg_leader"))
    assert response.status_code == 201, response.text
    return response.json() | {"number": body["phone"]}  # the API shows the phone masked; the outbox needs it whole


def today() -> date:
    return clock.local_now().date()


def send(client: TestClient, login: Login, shop: dict, kind: str = "rectification_order", expect: int = 201,
         **overrides) -> dict:  # fmt: skip
    body = {
        "kind": kind, "merchant_id": shop["id"], "matter_code": STREET_ORDER,
        "facts": "当事人在店门外人行道摆放货架展示商品，占用人行道约4平方米",
        "requirement": "将店外货架和商品全部移回店内，恢复人行道通行", "due_date": str(today() + timedelta(days=3)),
    } | overrides  # fmt: skip
    response = client.post("/api/v1/notices", json=body, headers=login("bdg_officer"))
    assert response.status_code == expect, response.text
    return response.json()


def outbox(client: TestClient, login: Login, number: str) -> list[dict]:
    return client.get("/api/v1/sms-messages", params={"phone": number}, headers=login("admin")).json()["items"]


def sms_code(client: TestClient, login: Login, shop: dict, number: str) -> str:
    sent = client.post(f"/api/v1/portal/shops/{shop['code']}/claim-code", json={"phone": number})
    assert sent.status_code == 202, sent.text
    message = next(m for m in outbox(client, login, number) if "验证码" in m["body"])
    return re.search(r"验证码 (\d{6})", message["body"]).group(1)  # type: ignore[union-attr]


def claim(client: TestClient, login: Login, shop: dict, number: str | None = None) -> dict[str, str]:
    """The shop claimed by its USCC from a new phone: the portal's Authorization headers."""
    number = number or phone()
    code = sms_code(client, login, shop, number)
    response = client.post(f"/api/v1/portal/shops/{shop['code']}/claim",
                           json={"phone": number, "code": code, "uscc": shop["uscc"]})  # fmt: skip
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def jpeg(color: tuple[int, int, int] = (40, 120, 200), *, taken: datetime | None = None,
         gps: tuple[float, float] | None = None) -> bytes:  # fmt: skip
    """A small photo as a phone camera writes it: EXIF time and GPS when given."""
    image = Image.new("RGB", (64, 48), color)
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    if gps is not None:
        lng, lat = gps

        def dms(v: float) -> tuple[float, float, float]:
            d = int(v)
            m = int((v - d) * 60)
            return (float(d), float(m), round(((v - d) * 60 - m) * 60, 4))

        exif[0x0110] = "TestPhone 1"  # Model
        exif.get_ifd(0x8825).update({1: "N", 2: dms(lat), 3: "E", 4: dms(lng)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def act(client: TestClient, login: Login, notice: dict, action: str, expect: int = 200, who: str = "bdg_officer",
        **data) -> dict:  # fmt: skip
    response = client.post(f"/api/v1/notices/{notice['id']}/actions/{action}",
                           json={"version": notice["version"], **data}, headers=login(who))  # fmt: skip
    assert response.status_code == expect, response.text
    return response.json()
