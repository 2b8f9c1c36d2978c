"""The label dictionaries of GET /meta/labels: every enum value the web app shows, with its zh-CN label.

Each dictionary is read from the label table next to its enum in the owning domain package, in the enum's order;
this module only names them. A member without a label fails the build of the dictionaries (KeyError), which the
tests turn into a failure before any page can show a raw value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from enum import Enum
from functools import cache
from typing import Any, get_args

from chengguan.analytics import dims as analytics
from chengguan.audit import actions as audit
from chengguan.cases import enums as cases
from chengguan.cases import gates as case_gates
from chengguan.cases import workflow as case_workflow
from chengguan.core import geo
from chengguan.core import principals as identity
from chengguan.dispatching import models as dispatching
from chengguan.documents import delivery, kinds, signatures
from chengguan.documents import enums as documents
from chengguan.evidence import enums as evidence
from chengguan.evidence import review as evidence_review
from chengguan.identity import separation
from chengguan.intake import enums as intake
from chengguan.iot import enums as iot
from chengguan.law import assess
from chengguan.law import enums as law
from chengguan.law.seed import categories
from chengguan.mapping import enums as mapping
from chengguan.merchants import enums as merchants
from chengguan.open311.service import group_of
from chengguan.org import enums as org
from chengguan.payments import enums as payments
from chengguan.rectification import enums as rectification
from chengguan.rectification import leniency
from chengguan.shopfront import enums as shopfront
from chengguan.video import enums as video
from chengguan.video import schedule as video_schedule

Entry = dict[str, object]

# Each dictionary with every value it must label: an enum (its members), or for the code tables that are not enums
# (kept as plain dicts or a Literal by their domain) the codes the domain accepts.
DICTIONARIES: dict[str, tuple[Iterable[Any], Mapping[Any, str]]] = {
    # identity and organisation; the audit log's vocabulary
    "data_scope": (identity.DataScope, identity.DATA_SCOPE_LABELS),
    "admin_duty": (separation.Duty, separation.DUTY_LABELS),
    "audit_action": (audit.ACTION_LABELS, audit.ACTION_LABELS),
    "audit_verb": (audit.VERB_LABELS, audit.VERB_LABELS),
    "audit_target": (audit.TARGET_LABELS, audit.TARGET_LABELS),
    "refusal_reason": (audit.REFUSAL_LABELS, audit.REFUSAL_LABELS),
    "org_level": (org.OrgLevel, org.LEVEL_LABELS),
    "officer_kind": (org.OfficerKind, org.OFFICER_KIND_LABELS),
    "gender": (org.Gender, org.GENDER_LABELS),
    "active_status": (org.ActiveStatus, org.ACTIVE_STATUS_LABELS),
    "vehicle_kind": (org.VehicleKind, org.VEHICLE_KIND_LABELS),
    "vehicle_status": (org.VehicleStatus, org.VEHICLE_STATUS_LABELS),
    "device_kind": (org.DeviceKind, org.DEVICE_KIND_LABELS),
    "device_status": (org.DeviceStatus, org.DEVICE_STATUS_LABELS),
    "crs": (geo.Crs, geo.CRS_LABELS),
    # legal knowledge base and the penalty calculator
    "law_level": (law.LawLevel, law.LAW_LEVEL_LABELS),
    "party_type": (law.PartyType, law.PARTY_TYPE_LABELS),
    "penalty_kind": (law.PenaltyKind, law.PENALTY_KIND_LABELS),
    "tier": (law.Tier, law.TIER_LABELS),
    "matter_status": (law.MatterStatus, law.MATTER_STATUS_LABELS),
    "search_kind": (law.SearchKind, law.SEARCH_KIND_LABELS),
    "harm_level": (assess.HARM_LEVELS, assess.HARM_LABELS),
    "mitigating": (
        [*assess.MANDATORY_MITIGATION, *assess.OPTIONAL_MITIGATION],
        assess.MANDATORY_MITIGATION | assess.OPTIONAL_MITIGATION,
    ),
    "aggravating": (assess.AGGRAVATING, assess.AGGRAVATING),
    # intake and dispatching
    "source_channel": (intake.Channel, intake.CHANNEL_LABELS),
    "source_status": (intake.SourceStatus, intake.STATUS_LABELS),
    "source_action": (intake.SourceAction, intake.ACTION_LABELS),
    "source_outcome": (intake.Outcome, intake.OUTCOME_LABELS),
    "time_unit": (intake.TimeUnit, intake.TIME_UNIT_LABELS),
    "duty_status": (dispatching.DutyStatus, dispatching.DUTY_LABELS),
    "task_status": (dispatching.TaskStatus, dispatching.TASK_LABELS),
    # cases
    "case_procedure": (cases.Procedure, cases.PROCEDURE_LABELS),
    "case_status": (cases.CaseStatus, cases.STATUS_LABELS),
    "case_action": (cases.CaseAction, cases.ACTION_LABELS),
    "decision_kind": (cases.DecisionKind, cases.DECISION_KIND_LABELS),
    "legal_review_state": (case_workflow.LegalReview, case_workflow.LEGAL_REVIEW_LABELS),
    "legal_review_ground": (case_gates.LEGAL_REVIEW_GROUNDS, case_gates.LEGAL_REVIEW_GROUNDS),
    # evidence
    "evidence_kind": (evidence.EvidenceKind, evidence.KIND_LABELS),
    "evidence_origin": (evidence.EvidenceOrigin, evidence.ORIGIN_LABELS),
    "evidence_review_status": (evidence.ReviewStatus, evidence.REVIEW_LABELS),
    "evidence_review_level": (evidence_review.LEVEL_LABELS, evidence_review.LEVEL_LABELS),
    # documents and service
    "document_kind": (kinds.DocumentKind, {kind: info.title for kind, info in kinds.CATALOGUE.items()}),
    "document_status": (documents.DocumentStatus, documents.STATUS_LABELS),
    "document_field": (kinds.FIELD_LABELS, kinds.FIELD_LABELS),
    "signer_role": (get_args(signatures.Role), signatures.ROLE_LABELS),
    "sign_algorithm": (documents.SignAlgorithm, documents.ALGORITHM_LABELS),
    "delivery_method": (documents.DeliveryMethod, documents.METHOD_LABELS),
    "delivery_status": (documents.DeliveryStatus, documents.DELIVERY_LABELS),
    "consent_channel": (delivery.CHANNEL_LABELS, delivery.CHANNEL_LABELS),
    # merchants
    "merchant_kind": (merchants.MerchantKind, merchants.KIND_LABELS),
    "merchant_status": (merchants.MerchantStatus, merchants.STATUS_LABELS),
    # payments (码上付)
    "payment_order_status": (payments.OrderStatus, payments.ORDER_STATUS_LABELS),
    "payment_paid_via": (payments.PaidVia, payments.PAID_VIA_LABELS),
    "payment_notify_outcome": (payments.NotifyOutcome, payments.NOTIFY_OUTCOME_LABELS),
    "payment_mismatch": (payments.Mismatch, payments.MISMATCH_LABELS),
    "cash_ground": (payments.CashGround, payments.CASH_GROUND_LABELS),
    "cash_status": (payments.CashStatus, payments.CASH_STATUS_LABELS),
    # notices, rectification and warning first; the merchant H5
    "notice_kind": (rectification.NoticeKind, rectification.KIND_LABELS),
    "notice_origin": (rectification.NoticeOrigin, rectification.ORIGIN_LABELS),
    "rectification_status": (rectification.RectStatus, rectification.STATUS_LABELS),
    "rectification_action": (rectification.RectAction, rectification.ACTION_LABELS),
    "harm": (rectification.Harm, rectification.HARM_LABELS),
    "warning_outcome": (rectification.Suggestion, rectification.SUGGESTION_LABELS),
    "warning_rule": (leniency.RULE_LABELS, leniency.RULE_LABELS),
    "claim_method": (shopfront.ClaimMethod, shopfront.CLAIM_METHOD_LABELS),
    "claim_status": (shopfront.ClaimStatus, shopfront.CLAIM_STATUS_LABELS),
    "submission_kind": (shopfront.SubmissionKind, shopfront.SUBMISSION_LABELS),
    "report_category": (shopfront.REPORT_CATEGORIES, shopfront.REPORT_CATEGORIES),
    # analytics: the cube's measures and dimensions
    "analytics_measure": (analytics.Measure, analytics.MEASURE_LABELS),
    "analytics_dim": (analytics.Dim, analytics.DIM_LABELS),
    # maps: areas and places of the offline base (and search results), kinds of base layer
    "map_place_kind": (mapping.PlaceKind, mapping.PLACE_KIND_LABELS),
    "base_layer_kind": (mapping.BaseLayerKind, mapping.BASE_LAYER_LABELS),
    # sensing: video patrol and IoT
    "video_alarm_status": (video.AlarmStatus, video.ALARM_STATUS_LABELS),
    "holiday_mode": (video_schedule.HolidayMode, video_schedule.HOLIDAY_LABELS),
    "sensor_kind": (iot.SensorKind, iot.SENSOR_LABELS),
    "iot_rule_kind": (iot.RuleKind, iot.RULE_LABELS),
    "iot_alarm_state": (iot.AlarmState, iot.ALARM_STATE_LABELS),
    "device_health": (iot.Health, iot.HEALTH_LABELS),
}

# Extra fields the web app needs and the domain owns: the status filter groups cases by procedure, the discretion
# tables head their columns with the short party name.
EXTRAS: dict[str, dict[str, Mapping[Any, str]]] = {
    "case_status": {"group": cases.STATUS_GROUPS},
    "party_type": {"short": law.PARTY_TYPE_SHORT},
}


def entries(values: Iterable[Any], labels: Mapping[Any, str], **extras: Mapping[Any, str]) -> list[Entry]:
    """``[{"value", "label", **extras}]`` for every value in order; a value without a label raises KeyError."""
    return [
        {
            "value": value.value if isinstance(value, Enum) else value,
            "label": labels[value],
            **{name: extra[value] for name, extra in extras.items()},
        }
        for value in values
    ]


def event_categories() -> list[Entry]:
    """GB/T 47678.5 event categories (code order), each with its major class (市容环境, 宣传广告 …)."""
    known = categories()
    return [{"value": code, "label": name, "group": group_of(code, known)} for code, name in sorted(known.items())]


def dictionaries() -> dict[str, list[Entry]]:
    """Every dictionary by its stable English name."""
    out = {name: entries(values, labels, **EXTRAS.get(name, {})) for name, (values, labels) in DICTIONARIES.items()}
    out["event_category"] = event_categories()
    return out


@cache
def payload() -> tuple[bytes, str]:
    """The response body and its strong ETag; the labels change only with a new release, so both are built once."""
    body = json.dumps(dictionaries(), ensure_ascii=False, separators=(",", ":")).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
