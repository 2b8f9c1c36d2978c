"""Full-text search and recommendation latency through the HTTP API (in-process ASGI client, logged in as an officer).

Targets (issue 4): search p95 ≤ 50 ms, recommendation p95 ≤ 30 ms. Uses a fresh SQLite database (or --database-url,
e.g. the local PostgreSQL) with the shipped knowledge base: 14 statutes, 1,070 articles, 59 matters. Run:
    .venv/bin/python bench/law_search.py [--database-url URL] [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tomllib
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
warnings.filterwarnings("ignore")

from fastapi.testclient import TestClient  # noqa: E402

from chengguan.app import create_app  # noqa: E402
from chengguan.core.config import Settings  # noqa: E402
from chengguan.core.db import Database  # noqa: E402
from chengguan.core.migrate import upgrade  # noqa: E402
from chengguan.demo.loader import load_demo  # noqa: E402

QUERIES = [
    "露天烧烤",
    "油烟净化设施",
    "建设工程规划许可证",
    "夜间施工",
    "渣土 遗撒",
    "户外广告",
    "摆摊设点",
    "生活垃圾 分类投放",
    "听证",
    "当场作出行政处罚决定",
    "加处罚款",
    "查封 扣押",
    "扬尘",
    "噪声敏感建筑物",
    "挖掘城市道路",
    "非机动车",
    "小广告 张贴",
    "首次违法",
    "法制审核",
    "电子技术监控设备",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, values: list[float], target: str) -> None:
    print(
        f"{name}: {len(values)} requests, p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
        f"p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms  target {target}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="cg-search-"))
    url = args.database_url or f"sqlite:///{data / 'bench.db'}"
    upgrade(url)
    db = Database(url)
    load_demo(db, if_empty=True)
    app = create_app(Settings(env="test", database_url=url, data_dir=data, secret_key="bench-" + "x" * 40), db)
    cases = tomllib.loads((ROOT / "tests" / "law" / "recommend_cases.toml").read_text("utf-8"))["case"]
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login", json={"username": "bdg_officer", "password": "Officer@2026"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        client.get("/api/v1/law/search", params={"q": "预热"}, headers=headers)
        client.post("/api/v1/law/recommend", json={"text": "预热"}, headers=headers)
        search: list[float] = []
        for _ in range(args.rounds):
            for query in QUERIES:
                start = time.perf_counter()
                response = client.get("/api/v1/law/search", params={"q": query}, headers=headers)
                search.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
        recommend: list[float] = []
        for case in cases * max(1, args.rounds // 10):
            start = time.perf_counter()
            response = client.post(
                "/api/v1/law/recommend", json={"text": case["text"], "region": case["region"]}, headers=headers
            )
            recommend.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    print(f"database: {db.dialect}")
    report("GET /law/search", search, "p95 ≤ 50 ms")
    report("POST /law/recommend", recommend, "p95 ≤ 30 ms")
    db.dispose()


if __name__ == "__main__":
    main()
