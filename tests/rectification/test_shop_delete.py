"""A shop that has been sent a notice keeps its register entry: deleting it is refused with 409 ``merchant.in_use``
(the notice points at it; kit.crud.refuse_if_referenced), while a shop nothing points at is deleted."""

from __future__ import annotations

from fastapi.testclient import TestClient

from rectification.helpers import Login, new_shop, send


def test_a_shop_with_a_notice_is_kept_and_one_without_is_deleted(client: TestClient, login: Login, place):
    noticed, bare = new_shop(client, login, place), new_shop(client, login, place)
    send(client, login, noticed, kind="warning")
    leader = login("bdg_leader")
    refused = client.delete(f"/api/v1/merchants/{noticed['id']}", headers=leader)
    assert refused.status_code == 409 and refused.json()["code"] == "merchant.in_use", refused.text
    assert client.get(f"/api/v1/merchants/{noticed['id']}", headers=leader).status_code == 200
    assert client.delete(f"/api/v1/merchants/{bare['id']}", headers=leader).status_code == 204
