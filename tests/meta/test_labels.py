"""GET /meta/labels: every enum the web app shows, labelled in Chinese from the domain's own tables, login only."""

from __future__ import annotations

import importlib
import pkgutil
import re
from enum import Enum, StrEnum

import pytest

import chengguan
from chengguan.analytics.dims import Dim, Measure
from chengguan.calendar.workdays import DaySource
from chengguan.cases.enums import CaseAction, CaseStatus, DecisionKind, Procedure
from chengguan.cases.enums import Role as CaseRole
from chengguan.cases.workflow import LegalReview
from chengguan.core.config import Environment, FieldCipher
from chengguan.core.geo import Crs
from chengguan.core.principals import DataScope, PrincipalType
from chengguan.dispatching.models import DutyStatus, FixSource, SubjectKind, TaskStatus
from chengguan.documents.enums import DeliveryMethod, DeliveryStatus, DocumentStatus, SignAlgorithm
from chengguan.documents.kinds import DocumentKind
from chengguan.evidence.enums import EvidenceKind, EvidenceOrigin, ReviewStatus
from chengguan.evidence.verify import Reason
from chengguan.identity.separation import Duty
from chengguan.intake.enums import Channel, Outcome, SourceAction, SourceStatus, TimeUnit
from chengguan.iot import enums as iot
from chengguan.iot.hj212 import FrameFault
from chengguan.iot.rules import EventKind, Phase
from chengguan.law.enums import LawLevel, MatterStatus, PartyType, PenaltyKind, SearchKind, Tier
from chengguan.mapping.enums import BaseLayerKind, PlaceKind
from chengguan.merchants.enums import MerchantKind, MerchantStatus
from chengguan.meta.labels import dictionaries
from chengguan.org import enums as org
from chengguan.payments import enums as payments
from chengguan.rectification import enums as rect
from chengguan.shopfront import enums as shopfront
from chengguan.video import enums as video
from chengguan.video.schedule import HolidayMode

URL = "/api/v1/meta/labels"
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

# The dictionary each enum of the domain packages is served as.
SERVED: dict[type[Enum], str] = {
    DataScope: "data_scope",
    Duty: "admin_duty",
    org.OrgLevel: "org_level",
    org.OfficerKind: "officer_kind",
    org.Gender: "gender",
    org.ActiveStatus: "active_status",
    org.VehicleKind: "vehicle_kind",
    org.VehicleStatus: "vehicle_status",
    org.DeviceKind: "device_kind",
    org.DeviceStatus: "device_status",
    Crs: "crs",
    LawLevel: "law_level",
    PartyType: "party_type",
    PenaltyKind: "penalty_kind",
    Tier: "tier",
    MatterStatus: "matter_status",
    SearchKind: "search_kind",
    Channel: "source_channel",
    SourceStatus: "source_status",
    SourceAction: "source_action",
    Outcome: "source_outcome",
    TimeUnit: "time_unit",
    DutyStatus: "duty_status",
    TaskStatus: "task_status",
    Procedure: "case_procedure",
    CaseStatus: "case_status",
    CaseAction: "case_action",
    DecisionKind: "decision_kind",
    LegalReview: "legal_review_state",
    EvidenceKind: "evidence_kind",
    EvidenceOrigin: "evidence_origin",
    ReviewStatus: "evidence_review_status",
    DocumentKind: "document_kind",
    DocumentStatus: "document_status",
    SignAlgorithm: "sign_algorithm",
    DeliveryMethod: "delivery_method",
    DeliveryStatus: "delivery_status",
    MerchantKind: "merchant_kind",
    MerchantStatus: "merchant_status",
    rect.NoticeKind: "notice_kind",
    rect.NoticeOrigin: "notice_origin",
    rect.RectStatus: "rectification_status",
    rect.RectAction: "rectification_action",
    rect.Harm: "harm",
    rect.Suggestion: "warning_outcome",
    shopfront.ClaimMethod: "claim_method",
    shopfront.ClaimStatus: "claim_status",
    shopfront.SubmissionKind: "submission_kind",
    video.AlarmStatus: "video_alarm_status",
    HolidayMode: "holiday_mode",
    iot.SensorKind: "sensor_kind",
    iot.RuleKind: "iot_rule_kind",
    iot.AlarmState: "iot_alarm_state",
    iot.Health: "device_health",
    payments.OrderStatus: "payment_order_status",
    payments.PaidVia: "payment_paid_via",
    payments.NotifyOutcome: "payment_notify_outcome",
    payments.Mismatch: "payment_mismatch",
    payments.CashGround: "cash_ground",
    payments.CashStatus: "cash_status",
    Measure: "analytics_measure",
    Dim: "analytics_dim",
    PlaceKind: "map_place_kind",
    BaseLayerKind: "base_layer_kind",
}
# Enums no page shows: who holds a token, who may act, where a fix came from, machine codes, settings, the states
# inside the IoT rule engine and the HJ 212 codec's refusal codes.
NOT_SHOWN: set[type[Enum]] = {PrincipalType, CaseRole, SubjectKind, FixSource, Reason, Environment, DaySource,
                              rect.Actor, FieldCipher, Phase, EventKind, FrameFault}  # fmt: skip


def _domain_enums() -> set[type[Enum]]:
    """Every StrEnum declared in the chengguan package (not the migrations, which only describe tables, nor the
    command line's entry point, which runs on import)."""
    for module in pkgutil.walk_packages(chengguan.__path__, "chengguan."):
        if not module.name.startswith("chengguan.migrations") and module.name != "chengguan.__main__":
            importlib.import_module(module.name)
    found: set[type[Enum]] = set()
    stack: list[type] = [StrEnum]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("chengguan."):
                found.add(sub)
    return found


def test_every_enum_of_the_platform_is_served_or_known_to_be_internal():
    unaccounted = _domain_enums() - SERVED.keys() - NOT_SHOWN
    assert not unaccounted, f"serve these in meta/labels.py (or list them in NOT_SHOWN): {unaccounted}"


@pytest.mark.parametrize("enum", SERVED, ids=lambda e: e.__name__)
def test_every_member_has_a_chinese_label_in_enum_order(enum):
    # A member added without a label fails here (the dictionaries are built from the enum, not from its labels).
    served = dictionaries()[SERVED[enum]]
    assert [e["value"] for e in served] == [m.value for m in enum]
    assert all(CHINESE.search(e["label"]) for e in served), served


def test_the_api_serves_every_dictionary_non_empty_with_chinese_labels(client, login):
    response = client.get(URL, headers=login("bdg_officer"))
    assert response.status_code == 200
    body = response.json()
    assert set(SERVED.values()) <= body.keys()
    for name, entries in body.items():
        assert entries, name
        values = [e["value"] for e in entries]
        assert len(values) == len(set(values)), name
        for entry in entries:
            assert entry["value"] not in ("", None) and CHINESE.search(entry["label"]), (name, entry)
    # the fields the web app groups and heads columns with
    groups = {e["value"]: e["group"] for e in body["case_status"]}
    assert (groups["registered"], groups["on_site"], groups["suspended"]) == ("普通程序", "简易程序", "终止与中止")
    assert {e["value"]: e["short"] for e in body["party_type"]} == {"individual": "公民", "organization": "单位"}
    assert {e["value"]: e["group"] for e in body["event_category"]}["06029"] == "市容环境"
    # the code tables that are not enums
    assert [e["value"] for e in body["evidence_review_level"]] == [1, 2]
    assert {e["value"] for e in body["signer_role"]} == {"officer", "party"}
    assert {e["value"] for e in body["consent_channel"]} == {"sms", "portal"}
    assert {e["value"] for e in body["harm_level"]} == {"none", "minor", "general", "serious"}


def test_intake_meta_says_the_same(client, login):
    headers = login("command")
    labels = client.get(URL, headers=headers).json()
    meta = client.get("/api/v1/intake/meta", headers=headers).json()
    for old, new in (("channels", "source_channel"), ("statuses", "source_status"), ("actions", "source_action")):
        assert meta[old] == labels[new], old
    assert meta["categories"] == [{"value": e["value"], "label": e["label"]} for e in labels["event_category"]]


def test_without_a_login_it_is_a_401_problem(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "auth.unauthenticated"
    assert response.headers["cache-control"] == "no-store"


def test_a_merchant_token_is_refused(client):
    response = client.get(URL, headers={"Authorization": "Bearer not-a-staff-token"})
    assert response.status_code == 401


def test_fetched_once_then_revalidated_by_etag(client, login):
    headers = login("bdg_officer")
    first = client.get(URL, headers=headers)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"  # no personal data: the browser may keep it
    assert len(first.content) < 32_000
    again = client.get(URL, headers={**headers, "If-None-Match": f'"other", W/{etag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    changed = client.get(URL, headers={**headers, "If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == first.content
