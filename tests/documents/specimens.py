"""Realistic document specs for the rendering and sealing tests (and bench/documents.py)."""

from __future__ import annotations

from datetime import date

from chengguan.documents.layout import DocumentSpec, SealSpec
from chengguan.documents.templates import Party, Remedies, penalty_decision, service_receipt

AUTHORITY = "青岛市西海岸新区综合行政执法局"
DOCUMENT_NO = "青西综执罚决字〔2026〕第0012号"
VERIFY_URL = "https://zf.xihaian.gov.cn/v/7Q2K-9XRM-4HDW"
FACT = (
    "当事人于2026年1月12日至2026年2月20日期间，在青岛市西海岸新区长江中路218号“海韵小吃”门前人行道上，"
    "未经城市人民政府市容环境卫生行政主管部门批准，擅自摆设摊点、占道经营烧烤，占用人行道面积约24平方米，"
    "影响市容和环境卫生。执法人员于2026年2月20日现场检查时，当事人未能提供相关批准文件。"
)


def decision(seal_png: bytes | None = None, *, repeat_facts: int = 3, sealed: bool = True) -> DocumentSpec:
    """A 行政处罚决定书 that runs to two pages."""
    return penalty_decision(
        authority=AUTHORITY,
        document_no=DOCUMENT_NO,
        party=Party(
            name="青岛海韵餐饮管理有限公司",
            address="青岛市西海岸新区长江中路218号",
            id_number="91370211MA3C8L2X4K",
            representative="王海军",
        ),
        facts=FACT * repeat_facts,
        evidence=("现场检查（勘验）笔录1份", "现场照片6张", "询问笔录2份", "当事人营业执照复印件1份", "授权委托书1份"),
        violated="《城市市容和环境卫生管理条例》第十四条",
        basis="《城市市容和环境卫生管理条例》第三十六条第（二）项",
        penalty="责令立即停止违法行为并限期清理现场",
        fine_fen=50000,
        payment="持本决定书到中国农业银行青岛西海岸新区各营业网点或者通过“山东省非税收入电子缴款系统”缴纳罚款",
        remedies=Remedies(review_body="青岛市西海岸新区管理委员会", court="青岛市黄岛区人民法院"),
        decided_on=date(2026, 3, 5),
        verify_url=VERIFY_URL,
        seal=SealSpec(png=seal_png) if sealed else None,
    )


def receipt(rows: int) -> DocumentSpec:
    """A 送达回证 listing ``rows`` documents, long enough to flow over pages when rows is large."""
    documents = tuple((f"询问通知书（第{i}份）", f"青西综执询通字〔2026〕第{i:04d}号") for i in range(1, rows + 1))
    return service_receipt(
        authority=AUTHORITY,
        document_no="青西综执送字〔2026〕第0031号",
        addressee="青岛海韵餐饮管理有限公司",
        documents=documents,
        address="青岛市西海岸新区长江中路218号",
    )
