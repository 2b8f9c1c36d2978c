"""The track history's retention: the jobs delete fixes older than CHENGGUAN_TRACK_RETENTION_DAYS, no others."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, insert, select

from chengguan.core import clock
from chengguan.dispatching.models import SubjectKind, TrackPoint
from chengguan.dispatching.tracks_upkeep import purge_tracks


def test_fixes_older_than_the_retention_are_deleted(db):
    subject = uuid.uuid4()
    now = clock.now()
    ages = [timedelta(days=31), timedelta(days=30, minutes=1), timedelta(days=29, hours=23), timedelta(hours=1)]
    with db.session() as session, session.begin():
        session.execute(insert(TrackPoint), [
            {"subject_kind": SubjectKind.vehicle, "subject_id": subject, "at": now - age, "lng": 120.3, "lat": 36.0}
            for age in ages
        ])  # fmt: skip
    with db.session() as session, session.begin():
        assert purge_tracks(session, 30) >= 2
    with db.session(write=False) as session:
        kept = session.scalar(select(func.count()).select_from(TrackPoint).where(TrackPoint.subject_id == subject))
    assert kept == 2
