"""A registry row other records still point at is refused with 409 ``{kind}.in_use``, whichever package points at it
(kit.crud.refuse_if_referenced walks every foreign key): a camera with zones here; a shop with notices in
tests/rectification/test_shop_delete.py."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_camera_with_zones_is_not_deleted(client: TestClient, login):
    admin = login("admin")
    cameras = client.get("/api/v1/video/cameras", headers=admin).json()
    camera = next(c for c in cameras if c["zones"] > 0)
    refused = client.delete(f"/api/v1/devices/{camera['id']}", headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "device.in_use", refused.text
    assert "不能删除" in refused.json()["detail"]
    assert client.get(f"/api/v1/devices/{camera['id']}", headers=admin).status_code == 200
