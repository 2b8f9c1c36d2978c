"""Two months of case sources before the demo's last few days, all dealt with: reports arrive through the real intake
code at the hours people report (more on working days), and are walked to closed (a few voided as duplicates) at
their own past times — so the trends, rankings, hotspots and the monthly report have a past to compare with."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from chengguan.core import clock
from chengguan.core.progress import SILENT, Stage
from chengguan.demo.intake import gaps_for, load_town, take_in
from chengguan.intake.enums import SourceStatus

DAYS = 60  # how far back
RECENT = 3  # the days seed_intake fills (its open sources and their timelines)
WORKDAY, WEEKEND = (14, 24), (7, 13)  # reports a day, city-wide
VOIDED = 0.06  # share voided as duplicates or unfounded


def seed_history(session: Session, seed: int = 2026, stage: Stage = SILENT) -> int:
    """Returns how many sources the history made (reports that merged into an open one make none)."""
    rng = random.Random(seed * 31 + 7)
    town = load_town(session)
    now = clock.now()
    today = clock.local_now().date()
    days = [today - timedelta(days=d) for d in range(DAYS, RECENT, -1)]
    stage.start(len(days))
    made = 0
    for day in days:
        stage.advance()
        low, high = WEEKEND if day.weekday() >= 5 else WORKDAY
        for n in range(rng.randint(low, high)):
            local = datetime.combine(day, time(7, 0), clock.SHANGHAI) + timedelta(minutes=rng.uniform(0, 15 * 60))
            status = SourceStatus.voided if rng.random() < VOIDED else SourceStatus.closed
            made += take_in(session, town, rng, f"demo-history:{seed}:{day.isoformat()}:{n}", status,
                            local.astimezone(UTC), gaps_for(rng, status), now)  # fmt: skip
    return made
