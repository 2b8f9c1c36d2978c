"""Daily rollups of the snapshot's case sources (汇总表): per local day and owning unit, the count by one dimension at
a time — district, street squad, category, channel, hour, grid. A figure then sums at most a few million rollup rows
instead of scanning a hundred million sources; day and month come from the district rollup. Written beside each
month's Parquet parts (``unit_rollups/<dim>/<month>.parquet``) and hard-linked into the next generation with them
when the month did not change.

Keyed by the owning unit (``u``) so that a scoped caller (a district bureau, a squad) reads them too: the units of
its scope come from the rollups; its own rows outside those units (reported by the user or dispatched to its officer
card, which the list also shows) are few and come from the sources themselves (``analytics.columnar``).
(``rollups/``, the city-wide-only layout before the unit key, is no longer read and is rebuilt as ``unit_rollups/``.)
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

FOLDER = "unit_rollups"
LOCAL = "(created_at + INTERVAL 8 HOUR)"
KEYS = {
    "district": "district_id",
    "street": "squad_id",
    "category": "category_code",
    "channel": "channel",
    "hour": f"lpad(CAST(hour({LOCAL}) AS VARCHAR), 2, '0')",
    "grid": "grid_code",
}


def build(con: duckdb.DuckDBPyConnection, table: Path, rollups: Path, parts: set[str] | None = None) -> None:
    """Rollups of the partition folders of ``table`` (all, or those named in ``parts``), and each dimension's
    zero-row schema file."""
    folders = sorted(p for p in table.iterdir() if p.is_dir() and (parts is None or p.name in parts))
    for dim, key in KEYS.items():
        target = rollups / dim
        target.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT CAST(NULL AS DATE) AS day, CAST(NULL AS VARCHAR) AS u, "
                    f"CAST(NULL AS VARCHAR) AS k, CAST(NULL AS BIGINT) AS n LIMIT 0) "
                    f"TO '{target / 'schema.parquet'}' (FORMAT parquet)")  # fmt: skip
        for folder in folders:
            con.execute(f"COPY (SELECT CAST({LOCAL} AS DATE) AS day, unit_id AS u, CAST({key} AS VARCHAR) AS k, "
                        f"count(*) AS n FROM read_parquet('{folder}/*.parquet') GROUP BY ALL ORDER BY day, u) "
                        f"TO '{target / (folder.name + '.parquet')}' (FORMAT parquet)")  # fmt: skip


def link_clean(old: Path, new: Path, dirty: set[str]) -> None:
    """Hard-link the rollups of the months that were not exported again."""
    if not old.is_dir():
        return
    for dim in KEYS:
        (new / dim).mkdir(parents=True, exist_ok=True)
        for path in (old / dim).glob("*.parquet"):
            if path.stem != "schema" and path.stem not in dirty:
                os.link(path, new / dim / path.name)
