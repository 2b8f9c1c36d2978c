"""Video test helpers: a demo camera, frames with real JPEG snapshots, a stall standing in a zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from chengguan.core import clock
from chengguan.core.db import Database
from chengguan.org.enums import DeviceKind
from chengguan.org.models import Device
from chengguan.video.models import CameraReview


@pytest.fixture(scope="session")
def cameras(shared_db: Database) -> list[tuple[str, str]]:
    """(id, code) of the demo's fixed cameras that have a place."""
    with shared_db.session(write=False) as session:
        rows = session.scalars(
            select(Device).where(Device.kind == DeviceKind.camera, Device.lng.is_not(None)).order_by(Device.code)
        ).all()
        return [(str(d.id), d.code) for d in rows]


@pytest.fixture(scope="session")
def unreviewed(shared_db: Database) -> list[tuple[str, str]]:
    """(id, code) of the demo cameras never reviewed (no 第四十一条 review row)."""
    with shared_db.session(write=False) as session:
        reviewed = select(CameraReview.device_id)
        rows = session.scalars(
            select(Device).where(Device.kind == DeviceKind.camera, Device.lng.is_not(None), Device.id.not_in(reviewed))
            .order_by(Device.code)
        ).all()  # fmt: skip
        return [(str(d.id), d.code) for d in rows]


@pytest.fixture
def review_camera(client, admin) -> Callable[[str], None]:  # type: ignore[no-untyped-def]
    """Pass both art. 41 reviews of a camera and publish its site."""

    def _review(device_id: str) -> None:
        today = clock.local_now().date()
        for which, body in (
            ("legal", {"passed": True, "opinion": "设置合理、标志明显"}),
            ("technical", {"passed": True, "calibrated_on": (today - timedelta(days=30)).isoformat()}),
        ):
            r = client.put(f"/api/v1/video/cameras/{device_id}/review/{which}", json=body, headers=admin)
            assert r.status_code == 200, r.text
        r = client.put(
            f"/api/v1/video/cameras/{device_id}/site",
            json={"site": "香港中路 8 号路口东北角", "published_on": today.isoformat()},
            headers=admin,
        )
        assert r.status_code == 200, r.text

    return _review
