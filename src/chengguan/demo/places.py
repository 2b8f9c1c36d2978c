"""Street names of each demo squad's area (real Qingdao streets of those 街道), so a shop, a case and its photos
name a street of the squad that handles them, and addresses are written as a bureau writes them."""

from __future__ import annotations

import random

DISTRICT_NAMES = {"370202": "市南区", "370203": "市北区", "370213": "李沧区"}
STREETS: dict[str, tuple[str, ...]] = {
    "370202001": ("团岛路", "四川路", "云南路", "西藏路", "贵州路", "东平路"),  # 八大峡
    "370202002": ("中山路", "湖北路", "天津路", "曲阜路", "德县路", "肥城路"),  # 中山路
    "370202003": ("山海关路", "居庸关路", "韶关路", "正阳关路", "汇泉路", "太平角一路"),  # 八大关
    "370202004": ("香港中路", "东海西路", "闽江路", "福州南路", "南京路", "燕儿岛路"),  # 香港中路
    "370203001": ("台东一路", "台东三路", "威海路", "辽宁路", "延安三路", "华阳路"),  # 台东
    "370203002": ("宁夏路", "福州北路", "山东路", "南京路", "镇江路", "延吉路"),  # 宁夏路
    "370203003": ("嘉定路", "鞍山路", "杭州路", "瑞昌路", "洛阳路", "南山路"),  # 四方
    "370203004": ("敦化路", "标山路", "鞍山二路", "连云港路", "开平路", "哈尔滨路"),  # 敦化路
    "370213001": ("兴华路", "四流中路", "振华路", "沧安路", "大枣园路", "衡阳路"),  # 兴华路
    "370213002": ("京口路", "书院路", "向阳路", "李村路", "夏庄路", "东山路"),  # 李村
    "370213003": ("楼山路", "四流北路", "永平路", "金水路", "遵义路", "汾阳路"),  # 楼山
    "370213004": ("九水路", "青山路", "东川路", "九水东路", "广水路", "紫薇路"),  # 九水
}


def street_address(rng: random.Random, squad_division: str) -> str:
    """``市南区山海关路17号``: a numbered address on a street of the squad's area."""
    streets = STREETS.get(squad_division) or STREETS["370202003"]
    district = DISTRICT_NAMES.get(squad_division[:6], "")
    return f"{district}{rng.choice(streets)}{rng.randint(1, 200)}号"
