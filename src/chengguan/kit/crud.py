"""Audited, data-scoped CRUD use cases shared by the registry-like tables (units, officers, equipment, grids …).

A domain service subclasses ``CrudService`` and says only what is particular to it: how a row is read out,
how filters apply, what a valid write is, what blocks a delete.

kit imports no domain: the audit log and the organisation tree reach it through ``wire`` (audit.service and
org.scope call it when imported; a write before that fails loudly instead of going unaudited).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, inspect, or_, select
from sqlalchemy.orm import Session

from chengguan.core.auditnotes import refusal
from chengguan.core.db import Base
from chengguan.core.errors import Conflict, FieldProblem, NotFound, field_error
from chengguan.core.principals import StaffPrincipal
from chengguan.kit.repository import Repository
from chengguan.kit.schemas import PageParams, Paginated
from chengguan.kit.snapshot import changes, snapshot
from chengguan.kit.xlsx import Column, StreamedBook, export_query

M = TypeVar("M", bound=Base)

AuditWriter = Callable[..., Any]  # audit.service.record(session, actor, action, *, target_type, target_id, …)
UnitsBelow = Callable[[Any], Select[Any]]  # the ids of a unit and of every unit below it


class _Wiring:
    audit_write: AuditWriter | None = None
    units_below: UnitsBelow | None = None


def wire(*, audit_write: AuditWriter | None = None, units_below: UnitsBelow | None = None) -> None:
    """Hand kit the domain functions it calls back (see the module docstring)."""
    if audit_write is not None:
        _Wiring.audit_write = audit_write
    if units_below is not None:
        _Wiring.units_below = units_below


def _audit(session: Session, *args: Any, **kwargs: Any) -> None:
    if _Wiring.audit_write is None:
        raise RuntimeError("kit.crud: no audit writer wired (import chengguan.audit.service first)")
    _Wiring.audit_write(session, *args, **kwargs)


def _units_below(unit_id: Any) -> Select[Any]:
    if _Wiring.units_below is None:
        raise RuntimeError("kit.crud: no organisation tree wired (import chengguan.org.scope first)")
    return _Wiring.units_below(unit_id)


def conflict(field: str, message: str) -> Conflict:
    """A uniqueness clash on one field (409, the field named)."""
    return Conflict(message, code="conflict.duplicate", errors=[FieldProblem(field=field, message=message)])


class CrudService(Generic[M]):
    """List / read / create / update / delete with data scope and an audit entry per write."""

    model: type[M]
    repository: type[Repository[M]]
    target_type: ClassVar[str]
    noun: ClassVar[str]  # zh-CN name of the thing, for messages

    # --- what a subclass says -------------------------------------------------------------------------------
    def label(self, obj: M) -> str:
        return str(getattr(obj, "name", obj.id))  # type: ignore[attr-defined]

    def to_read(self, session: Session, objs: list[M]) -> list[BaseModel]:
        raise NotImplementedError

    subtree_filters: ClassVar[tuple[str, ...]] = ("unit_id", "squad_id")
    keyword_columns: ClassVar[tuple[str, ...]] = ()  # columns the ``q`` filter searches (substring, any of them)
    # Search-hash columns of encrypted ones (core.fieldtypes) the ``q`` filter matches exactly: a whole identity or
    # phone number finds its row, a part of one finds nothing (the database holds no plain number to scan).
    keyword_hashes: ClassVar[tuple[str, ...]] = ()

    def apply_filters(self, statement: Select[tuple[M]], filters: BaseModel | None) -> Select[tuple[M]]:
        """Each set filter field equals the column of the same name; ``q`` searches ``keyword_columns``."""
        if filters is None:
            return statement
        for field, value in filters.model_dump(exclude_none=True).items():
            if field == "q":
                pattern = f"%{value.strip()}%"
                columns = [getattr(self.model, c) for c in self.keyword_columns]
                hashes = [getattr(self.model, c) for c in self.keyword_hashes]
                statement = statement.where(
                    or_(*(c.ilike(pattern) for c in columns), *(c == value.strip() for c in hashes))
                )
            elif field in self.subtree_filters:
                # Filtering by a unit means the unit and every unit below it (a district shows its squads' rows).
                statement = statement.where(getattr(self.model, field).in_(_units_below(value)))
            else:
                statement = statement.where(getattr(self.model, field) == value)
        return statement

    def clean(
        self, session: Session, principal: StaffPrincipal, values: dict[str, Any], obj: M | None
    ) -> dict[str, Any]:
        """Validate a write (``obj`` is None on create) and return the column values to set."""
        return values

    def before_delete(self, session: Session, principal: StaffPrincipal, obj: M) -> None:
        """Raise Conflict when something still depends on the row."""

    def after_write(self, session: Session, obj: M | None) -> None:
        """Hook for derived state (e.g. the grid index) once a write is flushed."""

    # --- the use cases ----------------------------------------------------------------------------------------
    def load(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> M:
        """The row if it exists and lies in the principal's data scope; otherwise 404 (never 403: no probing)."""
        repo = self.repository(session)
        obj = repo.get_readable(principal, id)
        if obj is None:
            refused = NotFound(f"{self.noun}不存在或不在您的数据权限范围内")
            other = repo.get(id)  # only on the way out: whether it exists elsewhere (a refusal the log must keep)
            if other is not None:
                refused.noting(refusal(principal, self.target_type, id, "out_of_scope", status=404,
                                       label=self.label(other)))  # fmt: skip
            raise refused
        return obj

    def list(
        self, session: Session, principal: StaffPrincipal, filters: BaseModel | None, page: PageParams
    ) -> Paginated[Any]:
        repo = self.repository(session)
        rows, total = repo.page(self.apply_filters(repo.readable(principal), filters), page)
        return Paginated[Any](items=self.to_read(session, rows), total=total)

    def listed(self, session: Session, principal: StaffPrincipal, filters: BaseModel | None) -> Select[tuple[M]]:
        """Every row ``list`` pages through for these filters, in its order (what an export of the list streams)."""
        repo = self.repository(session)
        return self.apply_filters(repo.readable(principal), filters).order_by(*repo.order_by)

    def export(
        self,
        session: Session,
        principal: StaffPrincipal,
        filters: BaseModel | None,
        *,
        title: str,
        columns: Sequence[Column],
        row: Callable[[Any], Sequence[Any]],
        unit: str = "条",
    ) -> StreamedBook:
        """Every row the list shows for ``filters``, in its order, as a saved workbook: each batch goes through
        ``to_read`` (what the list masks stays masked) and ``row`` (the read model to cells). Audited as
        ``<target_type>_export.download`` with the count and the filters."""

        def rows(batch: list[M]) -> list[Sequence[Any]]:
            return [row(r) for r in self.to_read(session, batch)]

        def audited(count: int) -> None:
            asked = filters.model_dump(mode="json", exclude_defaults=True) if filters is not None else {}
            _audit(session, principal.actor, f"{self.target_type}_export.download",
                   target_type=f"{self.target_type}_export", target_id=None,
                   target_label=f"{title}导出（{count} {unit}）",
                   summary={"rows": count, "filters": asked})  # fmt: skip

        return export_query(session, self.listed(session, principal, filters), title=title, columns=columns,
                            noun=self.noun, rows=rows, audited=audited)  # fmt: skip

    def read(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> BaseModel:
        return self.to_read(session, [self.load(session, principal, id)])[0]

    def create(self, session: Session, principal: StaffPrincipal, data: BaseModel) -> BaseModel:
        values = self.clean(session, principal, data.model_dump(), None)
        obj = self.model(**values)
        session.add(obj)
        session.flush()
        _audit(
            session,
            principal.actor,
            f"{self.target_type}.create",
            target_type=self.target_type,
            target_id=obj.id,
            target_label=self.label(obj),  # type: ignore[attr-defined]
            summary={"after": snapshot(obj)},
        )
        self.after_write(session, obj)
        return self.to_read(session, [obj])[0]

    def update(self, session: Session, principal: StaffPrincipal, id: uuid.UUID, data: BaseModel) -> BaseModel:
        obj = self.load(session, principal, id)
        before = snapshot(obj)
        values = data.model_dump(exclude_unset=True)
        self._refuse_nulls(values)
        values = self.clean(session, principal, values, obj)
        for key, value in values.items():
            setattr(obj, key, value)
        session.flush()
        diff = changes(before, snapshot(obj))
        if diff["after"] or values:
            _audit(
                session,
                principal.actor,
                f"{self.target_type}.update",
                target_type=self.target_type,
                target_id=obj.id,
                target_label=self.label(obj),
                summary=diff,
            )  # type: ignore[attr-defined]
        self.after_write(session, obj)
        return self.to_read(session, [obj])[0]

    def _refuse_nulls(self, values: dict[str, Any]) -> None:
        """PATCH semantics: an absent field is unchanged, an explicit null clears it — not allowed for required ones."""
        columns = inspect(self.model).columns
        for field, value in values.items():
            if value is None and field in columns and not columns[field].nullable:
                raise field_error(field, "不能为空")

    def delete(self, session: Session, principal: StaffPrincipal, id: uuid.UUID) -> None:
        obj = self.load(session, principal, id)
        self.before_delete(session, principal, obj)
        refuse_if_referenced(session, self.model, obj.id, self.noun, self.target_type)
        before = snapshot(obj)
        label = self.label(obj)
        session.delete(obj)
        session.flush()
        _audit(
            session,
            principal.actor,
            f"{self.target_type}.delete",
            target_type=self.target_type,
            target_id=before["id"],
            target_label=label,
            summary={"before": before},
        )
        self.after_write(session, None)


def refuse_if_referenced(session: Session, model: type[Base], id: uuid.UUID, noun: str, target_type: str) -> None:
    """409 ``{target_type}.in_use`` while a row of any table still points at the one to delete (a foreign key the
    database would refuse at the delete, or cascade through business records): packages added later (shopfronts,
    cameras, sensors …) are covered without org or merchants knowing them. Keys that cascade or clear themselves,
    in the database or through the model's own relationships, are left to them."""
    target = model.__table__
    owned = {column for rel in inspect(model).relationships if rel.cascade.delete for column in rel.remote_side}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not target or fk.parent in owned:
                continue
            if (fk.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue
            if session.execute(select(fk.parent).where(fk.parent == id).limit(1)).first() is not None:
                message = f"该{noun}仍被其他业务记录引用，不能删除（可改为停用或注销）"
                raise Conflict(message, code=f"{target_type}.in_use")
