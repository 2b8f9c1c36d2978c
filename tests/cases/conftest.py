"""Case test fixtures: the demo officer, a certified colleague without a login, and a matter of the knowledge base."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chengguan.core.db import Database
from chengguan.identity.models import User
from chengguan.law.models import EnforcementMatter
from chengguan.org.enums import OfficerKind
from chengguan.org.models import Officer


@pytest.fixture(scope="session")
def setup(shared_db: Database) -> dict:
    with shared_db.session(write=False) as s:
        me = s.scalar(select(User).where(User.username == "bdg_officer"))
        with_login = select(User.officer_id).where(User.officer_id.is_not(None))
        partner = s.scalars(  # a certified colleague with no demo login (the squad leader must stay an approver)
            select(Officer.id).where(
                Officer.unit_id == me.unit_id, Officer.kind == OfficerKind.certified, Officer.id.not_in(with_login)
            )
        ).first()
        # a national matter (in force in Qingdao) whose range for a citizen admits the fines the tests propose
        matter = s.scalars(
            select(EnforcementMatter.code)
            .where(EnforcementMatter.region_code.is_(None), EnforcementMatter.individual_min_fen <= 20_000)
            .where(EnforcementMatter.individual_max_fen >= 50_000)
            .order_by(EnforcementMatter.code)
        ).first()
        return {"unit_id": me.unit_id, "officers": [str(me.officer_id), str(partner)], "matter": matter}
