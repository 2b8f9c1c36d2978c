"""Repository base: every query of a table lives in its repository; scoped reads go through ``readable``."""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chengguan.core.db import Base
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.schemas import PageParams

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    """Queries of one table; subclasses define ``readable`` (the data-scope statement) when rows are scoped."""

    model: type[M]
    order_by: tuple[Any, ...] = ()

    def __init__(self, session: Session) -> None:
        self.session = session

    def readable(self, principal: StaffPrincipal) -> Select[tuple[M]]:
        """Rows this principal may see; unscoped tables see all."""
        return select(self.model)

    def get(self, id: uuid.UUID) -> M | None:
        return self.session.get(self.model, id)

    def get_readable(self, principal: StaffPrincipal, id: uuid.UUID) -> M | None:
        statement = self.readable(principal).where(self.model.id == id)  # type: ignore[attr-defined]
        return self.session.scalars(statement).first()

    def page(self, statement: Select[tuple[M]], page: PageParams) -> tuple[list[M], int]:
        total = self.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
        rows = self.session.scalars(statement.order_by(*self.order_by).offset(page.offset).limit(page.page_size))
        return list(rows), total

    def exists(self, **values: Any) -> bool:
        statement = select(self.model).filter_by(**values).limit(1)
        return self.session.scalars(statement).first() is not None
