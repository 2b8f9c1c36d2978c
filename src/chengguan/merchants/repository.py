"""Queries of the merchant register; scoped reads go through ``readable``."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from chengguan.cases.enums import MerchantKind
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.repository import Repository
from chengguan.law.enums import PartyType
from chengguan.merchants.models import Merchant
from chengguan.org.scope import scope_clause


class MerchantRepository(Repository[Merchant]):
    model = Merchant
    order_by = (Merchant.name, Merchant.code)

    def readable(self, principal: StaffPrincipal) -> Select[tuple[Merchant]]:
        """Merchants of the principal's scope; a field officer (scope 本人) sees the shops of their own squad."""
        own = Merchant.unit_id == principal.unit_id if principal.unit_id is not None else None
        return select(Merchant).where(scope_clause(principal, Merchant.unit_id, own=own))


def merchant_of_party(session: Session, party_type: PartyType, id_no: str | None) -> Merchant | None:
    """The one registered shop whose licence names this party: an organisation by its USCC, an individual as the
    operator of an individual business (个体工商户); none when there is no match or the match is ambiguous."""
    if not id_no:
        return None
    if party_type is PartyType.organization:
        statement = select(Merchant).where(Merchant.uscc == id_no, Merchant.kind != MerchantKind.individual_business)
    else:
        statement = select(Merchant).where(
            Merchant.operator_id_no_hash == id_no, Merchant.kind == MerchantKind.individual_business
        )
    found = session.scalars(statement.limit(2)).all()
    return found[0] if len(found) == 1 else None


def matches_party(merchant: Merchant, party_type: PartyType, id_no: str | None) -> bool:
    """Whether the party named on a case is this shop (its organisation, or its individual operator)."""
    if not id_no:
        return True  # no number to compare: the handler's link stands
    if party_type is PartyType.organization:
        return merchant.uscc == id_no
    operator = merchant.kind is MerchantKind.individual_business
    return merchant.operator_id_no == id_no or (operator and merchant.uscc == id_no)
