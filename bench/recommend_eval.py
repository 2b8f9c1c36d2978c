"""Case-cause recommendation: top-1 / top-3 accuracy over the labelled set and latency over the full knowledge base.

Targets (issue 4): top-3 accuracy ≥ 90 %, p95 latency ≤ 30 ms. Builds a fresh SQLite database with the shipped
knowledge base (or uses --database-url), then runs every case of tests/law/recommend_cases.toml through the same
code path as ``POST /api/v1/law/recommend`` (service layer, no HTTP). Accuracy is also split into the even-numbered
"dev" half (whose misses --misses prints, for vocabulary work) and the odd-numbered "held-out" half, never inspected
while tuning, so the held-out figure shows how the vocabulary generalises. Run:
    .venv/bin/python bench/recommend_eval.py [--misses] [--database-url URL] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import select  # noqa: E402

from chengguan.core.db import Database  # noqa: E402
from chengguan.core.migrate import upgrade  # noqa: E402
from chengguan.law import service  # noqa: E402
from chengguan.law.jurisdiction import region_applies  # noqa: E402
from chengguan.law.models import EnforcementMatter  # noqa: E402
from chengguan.law.schemas import RecommendRequest  # noqa: E402
from chengguan.law.seed import seed_knowledge_base  # noqa: E402

CASES = ROOT / "tests" / "law" / "recommend_cases.toml"


def prepared_database(url: str | None) -> Database:
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='cg-rec-')}/bench.db"
        upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_knowledge_base(session)
        session.commit()
    return db


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--misses", action="store_true", help="print the dev-half cases not answered in the top 3")
    parser.add_argument("--repeat", type=int, default=5, help="latency passes over all cases")
    args = parser.parse_args()
    cases = tomllib.loads(CASES.read_text(encoding="utf-8"))["case"]
    db = prepared_database(args.database_url)
    with db.session(write=False) as session:
        matters = len(service.recommend_index(session).docs)
        top1 = top3 = 0
        split = {"dev": [0, 0], "held-out": [0, 0]}
        qingdao = [0, 0]  # cases whose best answer is a Qingdao (-QD-) matter: the city's own law
        regions = {m.code: m.region_code for m in session.scalars(select(EnforcementMatter))}
        leaks = 0  # a recommended matter not in force in the case's region (must be 0)
        misses = []
        for number, case in enumerate(cases):
            part = "dev" if number % 2 == 0 else "held-out"
            request = RecommendRequest(text=case["text"], region=case.get("region"), limit=3)
            codes = [item.matter_code for item in service.recommend(session, request).items]
            expected = set(case["expected"])
            top1 += bool(codes[:1] and codes[0] in expected)
            hit3 = bool(expected & set(codes[:3]))
            top3 += hit3
            split[part][0] += hit3
            split[part][1] += 1
            if "-QD-" in case["expected"][0]:
                qingdao[0] += hit3
                qingdao[1] += 1
            region = case.get("region")
            leaks += sum(1 for c in codes if region and not region_applies(regions[c], region))
            if not hit3 and part == "dev":
                misses.append((case["text"], case["region"], case["expected"], codes))
        latencies: list[float] = []
        for _ in range(args.repeat):
            for case in cases:
                request = RecommendRequest(text=case["text"], region=case.get("region"), limit=5)
                start = time.perf_counter()
                service.recommend(session, request)
                latencies.append((time.perf_counter() - start) * 1000)
    n = len(cases)
    print(f"cases: {n}  matters in the index: {matters}")
    print(f"top-1 accuracy: {top1 / n:.1%} ({top1}/{n})")
    print(f"top-3 accuracy: {top3 / n:.1%} ({top3}/{n})  target ≥ 90 %")
    print(
        f"latency over {len(latencies)} calls: p50 {statistics.median(latencies):.2f} ms, "
        f"p95 {percentile(latencies, 95):.2f} ms, p99 {percentile(latencies, 99):.2f} ms, "
        f"max {max(latencies):.2f} ms  target p95 ≤ 30 ms"
    )
    for part, (hits, total) in split.items():
        print(f"top-3 on the {part} half: {hits / total:.1%} ({hits}/{total})")
    print(
        f"top-3 where the answer is a Qingdao-only matter: {qingdao[0] / max(1, qingdao[1]):.1%} "
        f"({qingdao[0]}/{qingdao[1]})  target ≥ 90 %"
    )
    print(f"recommended matters not in force in the case's region: {leaks}  (must be 0)")
    if args.misses:
        for text, region, expected, got in misses:
            print(f"MISS [{region}] {text} → expected {expected}, got {got}")
    db.dispose()


if __name__ == "__main__":
    main()
