"""Imports every table so ``Base.metadata`` is complete (Alembic autogenerate, drift test)."""

from chengguan.audit import models as audit_models
from chengguan.calendar import models as calendar_models
from chengguan.cases import models as case_models
from chengguan.core import counters as counter_models
from chengguan.core.db import Base
from chengguan.dispatching import models as dispatching_models
from chengguan.documents import models as document_models
from chengguan.evidence import models as evidence_models
from chengguan.identity import models as identity_models
from chengguan.intake import models as intake_models
from chengguan.iot import models as iot_models
from chengguan.law import models as law_models
from chengguan.merchants import models as merchant_models
from chengguan.notify import models as notify_models
from chengguan.org import models as org_models
from chengguan.payments import models as payment_models
from chengguan.payments.simulated import models as sim_gateway_models
from chengguan.portal import models as portal_models
from chengguan.public import models as public_models
from chengguan.rectification import models as rectification_models
from chengguan.shopfront import models as shopfront_models
from chengguan.video import models as video_models

__all__ = [
    "Base",
    "audit_models",
    "calendar_models",
    "case_models",
    "counter_models",
    "dispatching_models",
    "document_models",
    "evidence_models",
    "identity_models",
    "intake_models",
    "iot_models",
    "law_models",
    "merchant_models",
    "notify_models",
    "org_models",
    "payment_models",
    "portal_models",
    "public_models",
    "rectification_models",
    "shopfront_models",
    "sim_gateway_models",
    "video_models",
]
