"""Warning first (首违不罚) as officers use it: the matters' rules, and a decision from the shop's and the party's
history, recorded with the rule that decided (the pure rule is ``leniency``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.audit import events
from chengguan.core import clock
from chengguan.core.errors import NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.law.models import EnforcementMatter
from chengguan.merchants.models import Merchant
from chengguan.merchants.repository import MerchantRepository
from chengguan.rectification import leniency, repository
from chengguan.rectification.enums import SUGGESTION_LABELS
from chengguan.rectification.models import WarningDecision, WarningRule
from chengguan.rectification.schemas import DecideIn, DecisionRead, RuleIn, RuleRead


def matter_of(session: Session, code: str) -> EnforcementMatter:
    matter = session.scalar(select(EnforcementMatter).where(EnforcementMatter.code == code))
    if matter is None:
        raise field_error("matter_code", f"知识库中没有执法事项 {code}", code="notice.matter_unknown")
    return matter


def rule_of(session: Session, matter_code: str) -> leniency.LeniencyRule | None:
    row = session.scalar(select(WarningRule).where(WarningRule.matter_code == matter_code))
    if row is None:
        return None
    return leniency.LeniencyRule(row.matter_code, row.enabled, row.window_days)


def record(session: Session, principal: StaffPrincipal, data: DecideIn) -> WarningDecision:
    """Decide warning or case for a finding and keep the decision: the matter's rule, the 第三十三条 conditions
    that can be known now, and the earlier offences of the same matter by the shop (notices and cases) and by its
    party (cases under its USCC or its operator's ID, at any shop) within the rule's window."""
    matter = matter_of(session, data.matter_code)
    merchant: Merchant | None = None
    if data.merchant_id is not None:
        merchant = MerchantRepository(session).get_readable(principal, data.merchant_id)
        if merchant is None:
            raise NotFound("商户不存在或不在您的数据权限范围内", code="merchant.not_found")
    elif not data.party_id_no:
        raise field_error("merchant_id", "请选择商户或填写当事人证件号", code="warning.party_required")
    rule = rule_of(session, matter.code)
    window = rule.window_days if rule else leniency.DEFAULT_WINDOW_DAYS
    now = clock.now()
    since = now - timedelta(days=window)
    id_nos = [n for n in (data.party_id_no, merchant.uscc if merchant else None,
                          merchant.operator_id_no if merchant else None) if n]  # fmt: skip
    history = leniency.History(
        notices=repository.prior_notices(session, merchant.id, matter.code, since) if merchant else 0,
        cases=repository.prior_cases(session, merchant.id if merchant else None, id_nos, matter.code, since),
    )
    decided = leniency.decide(rule, matter.first_offense_exempt_possible, data.harm, history)
    facts = {
        "harm": data.harm.value,
        "window_days": window,
        "since": since.isoformat(),
        "prior_notices": history.notices,
        "prior_cases": history.cases,
        "rule_configured": rule is not None,
        "rule_enabled": bool(rule and rule.enabled),
        "exempt_possible": matter.first_offense_exempt_possible,
    }
    row = WarningDecision(
        matter_code=matter.code, merchant_id=merchant.id if merchant else None, source_id=data.source_id,
        outcome=decided.outcome, rule=decided.rule, reason=decided.reason[:500], facts=facts,
        decided_by_id=principal.user_id, decided_by_name=principal.display_name, decided_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def decision_read(row: WarningDecision) -> DecisionRead:
    return DecisionRead(
        id=row.id, matter_code=row.matter_code, merchant_id=row.merchant_id, outcome=row.outcome,
        outcome_label=SUGGESTION_LABELS[row.outcome], rule=row.rule,
        rule_label=leniency.RULE_LABELS.get(row.rule, row.rule), reason=row.reason, basis=leniency.ARTICLE_33,
        facts=row.facts, decided_by_name=row.decided_by_name, decided_at=row.decided_at,
    )  # fmt: skip


def rules(session: Session) -> list[RuleRead]:
    rows = session.execute(
        select(WarningRule, EnforcementMatter.name)
        .outerjoin(EnforcementMatter, EnforcementMatter.code == WarningRule.matter_code)
        .order_by(WarningRule.matter_code)
    ).all()
    return [RuleRead(matter_code=r.matter_code, matter_name=name or r.matter_code, enabled=r.enabled,
                     window_days=r.window_days, note=r.note, updated_by_name=r.updated_by_name,
                     updated_at=r.updated_at) for r, name in rows]  # fmt: skip


def put_rule(session: Session, principal: StaffPrincipal, matter_code: str, data: RuleIn) -> RuleRead:
    """Set a matter's rule (audited): warning first on or off, and its window."""
    matter = matter_of(session, matter_code)
    row = session.scalar(select(WarningRule).where(WarningRule.matter_code == matter.code))
    before = None if row is None else {"enabled": row.enabled, "window_days": row.window_days}
    if row is None:
        row = WarningRule(matter_code=matter.code, updated_by_name=principal.display_name)
        session.add(row)
    row.enabled, row.window_days, row.note = data.enabled, data.window_days, data.note
    row.updated_by_name = principal.display_name
    row.updated_at = clock.now()
    session.flush()
    after = {"enabled": row.enabled, "window_days": row.window_days}
    events.record(session, principal, "warning_rule.put", "warning_first_rule", row.id, f"{matter.code} {matter.name}",
                  before=before, after=after)  # fmt: skip
    return next(r for r in rules(session) if r.matter_code == matter.code)
