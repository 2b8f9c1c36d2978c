"""Chinese labels of analytics keys, and rows in their reading order (time in sequence, the rest largest first)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chengguan.analytics.dims import NONE_KEY, NONE_LABELS, TIME_DIMS, Dim, Window, time_keys, time_label
from chengguan.intake.enums import CHANNEL_LABELS
from chengguan.law.seed import categories
from chengguan.org.models import Grid
from chengguan.org.repository import unit_names


def _uuid(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key)
    except ValueError:
        return None


def labels(session: Session, by: Dim, keys: list[str]) -> dict[str, str]:
    """``{key: 中文名称}`` for the keys of one dimension."""
    out = {NONE_KEY: NONE_LABELS.get(by, "未标注")}
    if by in TIME_DIMS:
        out |= {k: time_label(by, k) for k in keys if k}
    elif by in (Dim.district, Dim.street):
        ids = {u for u in (_uuid(k) for k in keys if k) if u}
        names = unit_names(session, ids)
        out |= {str(u): names.get(u, "（已撤销单位）") for u in ids}
    elif by is Dim.category:
        known = categories()
        out |= {k: known.get(k, k) for k in keys if k}
    elif by is Dim.channel:
        out |= {k: CHANNEL_LABELS.get(k, k) for k in keys if k}  # type: ignore[call-overload]
    else:
        out |= {k: k for k in keys if k}
    return out


def grid_labels(session: Session, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Grid names and centres for hotspot rows (a map places them)."""
    if not codes:
        return {}
    rows = session.execute(select(Grid.grid_code, Grid.name, Grid.centroid_lng, Grid.centroid_lat)
                           .where(Grid.grid_code.in_(codes)))  # fmt: skip
    return {code: {"name": name, "lng": lng, "lat": lat} for code, name, lng, lat in rows}


def rows(session: Session, by: Dim, values: dict[str, int], w: Window, *, fill: bool = True) -> list[dict[str, Any]]:
    """``[{key, label, value}]``: time buckets in order (empty ones too), other keys largest first."""
    if by in TIME_DIMS and fill:
        keys = time_keys(by, w)
        keys += sorted(k for k in values if k not in set(keys))
    else:
        keys = sorted(values, key=lambda k: (-values[k], k))
    names = labels(session, by, keys)
    return [{"key": k, "label": names.get(k, k), "value": values.get(k, 0)} for k in keys]
