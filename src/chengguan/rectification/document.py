"""The 责令（限期）整改通知书 as printed — pure: the notice's values in, a ``DocumentSpec`` out, rendered and sealed
by the documents module's machinery (the same fonts, layout and seal as every case document).

《行政处罚法》第二十八条第一款: 行政机关实施行政处罚时，应当责令当事人改正或者限期改正违法行为 — the order names the
provisions violated (from the matter of the knowledge base), what must be done and by when, and what follows if it
is not done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chengguan.documents.layout import (
    Closing,
    DocumentSpec,
    FieldTable,
    Paragraph,
    SealSpec,
    SignatureField,
    SignatureLine,
    chinese_date,
)

TITLE = "责令（限期）整改通知书"
ORDER_BASIS = "《中华人民共和国行政处罚法》第二十八条第一款"


@dataclass(frozen=True)
class OrderText:
    """What one order prints."""

    bureau: str
    document_no: str
    shop_name: str
    shop_code: str
    licence_label: str  # 统一社会信用代码 / 经营者
    licence: str
    operator: str
    address: str
    facts: str
    violated: str  # 《青岛市市容和环境卫生管理条例》第二十四条第一款
    penalty: str  # the provision that punishes it, when the order is ignored
    requirement: str
    due_date: date
    issued_on: date
    officer: str  # 张三（执法证号 …）
    portal_url: str


def order_spec(t: OrderText) -> DocumentSpec:
    """The order as a sealed A4 document."""
    ignored = (
        f"逾期不改正的，本机关将依照{t.penalty}的规定依法立案查处。"
        if t.penalty
        else "逾期不改正的，本机关将依法处理。"
    )
    return DocumentSpec(
        kind="shop_rectification_order",
        title=TITLE,
        authority=t.bureau,
        document_no=t.document_no,
        blocks=(
            FieldTable(
                rows=(
                    ("当事人", t.shop_name),
                    (t.licence_label, t.licence or "—"),
                    ("经营者（负责人）", t.operator),
                    ("经营场所", t.address),
                    ("店铺编码", t.shop_code),
                )
            ),
            Paragraph(f"经查，{t.facts.rstrip('。')}。"),
            Paragraph(f"你（单位）的上述行为违反了{t.violated}的规定。"),
            Paragraph(
                f"根据{ORDER_BASIS}的规定，现责令你（单位）于{chinese_date(t.due_date)}前改正上述违法行为：{t.requirement}"
            ),
            Paragraph(
                f"整改完成后，请扫描店铺门口的城市共治识别码或访问 {t.portal_url} ，在商户端上传整改后的现场照片；"
                "执法人员将在线确认或到场复查。" + ignored
            ),
            SignatureLine((SignatureField("执法人员：", t.officer, blank_chars=10),)),
            Closing(authority=t.bureau, date=chinese_date(t.issued_on)),
        ),
        seal=SealSpec(),
        footer_note="本通知书一式两份，一份送达当事人，一份存档。",
    )
