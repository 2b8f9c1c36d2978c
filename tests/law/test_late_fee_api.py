"""POST /api/v1/law/late-fee: 加处罚款 under 《行政处罚法》第七十二条第一款第（一）项 (3 % of the fine a day from
the day after the payment deadline, never more than the fine) and 第七十三条第三款 (review and litigation days are not
counted)."""

from __future__ import annotations

import pytest

URL = "/api/v1/law/late-fee"
DUE = "2025-06-17"  # the last day of the fifteen days of 第六十七条第三款


@pytest.fixture
def officer(login):
    return login("bdg_officer")


@pytest.mark.parametrize(
    ("as_of", "days", "fee_fen", "capped"),
    [
        (DUE, 0, 0, False),  # the deadline itself: nothing is late yet
        ("2025-06-18", 1, 30_00, False),  # day 1: 3 % of 1,000 yuan
        ("2025-06-27", 10, 300_00, False),
        ("2025-07-20", 33, 990_00, False),  # 99 %
        ("2025-07-21", 34, 1_000_00, True),  # day 34 would be 102 %: capped at the fine
        ("2026-07-21", 399, 1_000_00, True),
    ],
)
def test_article_72_three_percent_a_day_capped_at_the_fine(client, officer, as_of, days, fee_fen, capped):
    response = client.post(URL, json={"fine_fen": 1_000_00, "payment_due_date": DUE, "as_of": as_of}, headers=officer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["days"], body["late_fee_fen"], body["capped"]) == (days, fee_fen, capped)
    assert "第七十二条" in body["basis"] and body["fine_fen"] == 1_000_00


def test_rounded_down_to_the_fen_once(client, officer):
    body = client.post(
        URL, json={"fine_fen": 333_33, "payment_due_date": DUE, "as_of": "2025-06-20"}, headers=officer
    ).json()
    assert (body["days"], body["late_fee_fen"]) == (3, 29_99)  # 29.9997 yuan, not 3 × 9.99


def test_review_and_litigation_days_are_not_counted(client, officer):
    body = client.post(
        URL,
        json={
            "fine_fen": 1_000_00,
            "payment_due_date": DUE,
            "as_of": "2025-07-07",
            "paused": [{"start": "2025-06-20", "end": "2025-06-29"}],
        },
        headers=officer,
    ).json()
    assert (body["days"], body["late_fee_fen"]) == (10, 300_00)  # 20 days late, 10 of them under review


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"fine_fen": -1, "payment_due_date": DUE, "as_of": DUE}, "request.validation", "fine_fen"),
        ({"fine_fen": 100, "payment_due_date": DUE, "as_of": "2025-06-16"}, "law.late_fee.as_of_before_due", "as_of"),
        ({"fine_fen": 100, "payment_due_date": "2025-02-30", "as_of": DUE}, "request.validation", "payment_due_date"),
        ({"fine_fen": 1.5, "payment_due_date": DUE, "as_of": DUE}, "request.validation", "fine_fen"),
        (
            {"fine_fen": 100, "payment_due_date": DUE, "as_of": DUE, "paused": [{"start": DUE, "end": "2025-06-01"}]},
            "law.late_fee.bad_period",
            "paused.0.end",
        ),
    ],
)
def test_bad_input_is_problem_json(client, officer, payload, code, field):
    response = client.post(URL, json=payload, headers=officer)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert field in [e["field"] for e in body["errors"]]


def test_authenticated_only(client):
    response = client.post(URL, json={"fine_fen": 100, "payment_due_date": DUE, "as_of": DUE})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
