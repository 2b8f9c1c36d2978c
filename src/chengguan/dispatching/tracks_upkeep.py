"""The track history's retention: fixes older than ``CHENGGUAN_TRACK_RETENTION_DAYS`` are deleted by the jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.dispatching.models import TrackPoint


def purge_tracks(session: Session, retention_days: int) -> int:
    """Delete the fixes recorded before ``retention_days`` ago (by their fix time, the playback's index); count."""
    cutoff = clock.now() - timedelta(days=retention_days)
    return session.execute(delete(TrackPoint).where(TrackPoint.at < cutoff)).rowcount or 0
