"""Builders of the common enforcement documents from plain values (no database): the decisions and the receipt.

Each builder lays out the items the statute requires, in the order the 执法文书 samples use; wording around the
values is fixed text. Money is integer fen and printed both in words and in figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .layout import (
    Closing,
    DocumentSpec,
    Paragraph,
    SealSpec,
    SignatureField,
    SignatureLine,
    Spacer,
    Table,
    chinese_date,
)
from .money import rmb_in_words


def yuan(fen: int) -> str:
    """Figures with the yuan sign: 50000 fen → ¥500.00."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@dataclass(frozen=True)
class Party:
    """当事人 as the decision names it (art. 59 (一)): name, address and the identifying number."""

    name: str
    address: str
    id_label: str = "统一社会信用代码"  # "公民身份号码" for a person
    id_number: str = ""
    representative: str | None = None  # 法定代表人 (负责人) of an organisation


@dataclass(frozen=True)
class Remedies:
    """Where and how long to challenge the decision (art. 59 (五)); the periods are the general ones of
    行政复议法 art. 20 (六十日) and 行政诉讼法 art. 46 (六个月)."""

    review_body: str  # e.g. "青岛市黄岛区人民政府"
    court: str  # e.g. "青岛市黄岛区人民法院"
    review_period: str = "六十日"
    litigation_period: str = "六个月"

    def text(self) -> str:
        """The remedies sentence, with art. 73: the penalty is not suspended meanwhile."""
        return (
            f"如不服本决定，可以在收到本决定书之日起{self.review_period}内向{self.review_body}申请行政复议，"
            f"或者在{self.litigation_period}内依法向{self.court}提起行政诉讼。"
            "申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外。"
        )


def _party_blocks(party: Party) -> list[Paragraph]:
    blocks = [Paragraph(party.name, label="当事人：", indent=False)]
    if party.id_number:
        blocks.append(Paragraph(party.id_number, label=f"{party.id_label}：", indent=False))
    if party.representative:
        blocks.append(Paragraph(party.representative, label="法定代表人：", indent=False))
    blocks.append(Paragraph(party.address, label="地址：", indent=False))
    return blocks


def _payment_text(fine_fen: int | None, payment: str) -> list[Paragraph]:
    if not fine_fen:
        return []
    return [
        Paragraph(
            f"当事人应当自收到本决定书之日起十五日内，{payment}（《中华人民共和国行政处罚法》第六十七条）。"
            "逾期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额"
            "（第七十二条）。"
        )
    ]


def penalty_decision(
    *,
    authority: str,
    document_no: str,
    party: Party,
    facts: str,
    evidence: tuple[str, ...],
    violated: str,
    basis: str,
    penalty: str,
    fine_fen: int | None,
    payment: str,
    remedies: Remedies,
    decided_on: date,
    verify_url: str | None = None,
    seal: SealSpec | None = None,
) -> DocumentSpec:
    """行政处罚决定书 (general procedure), carrying the six items of 行政处罚法 art. 59 and the authority's seal.

    (一) party name and address; (二) facts and evidence; (三) kind of penalty and its legal basis; (四) how and
    by when to comply; (五) review and litigation routes and periods; (六) authority and date — sealed.
    """
    amount = f"罚款人民币{rmb_in_words(fine_fen)}（{yuan(fine_fen)}）" if fine_fen else ""
    listed = "；".join(f"{i}. {e}" for i, e in enumerate(evidence, start=1))
    blocks = [
        *_party_blocks(party),
        Paragraph(f"经查，{facts}"),
        Paragraph(f"以上事实有下列证据证明：{listed}。"),
        Paragraph(
            f"本机关认为，当事人的上述行为违反了{violated}的规定。依据{basis}的规定，"
            f"本机关决定对当事人作出如下行政处罚：{penalty}{'，' + amount if amount else ''}。"
        ),
        *_payment_text(fine_fen, payment),
        Paragraph(remedies.text()),
        Closing(authority, chinese_date(decided_on)),
    ]
    return DocumentSpec(
        kind="penalty_decision",
        title="行政处罚决定书",
        authority=authority,
        document_no=document_no,
        blocks=tuple(blocks),
        verify_url=verify_url,
        seal=seal,
        footer_note="本决定书一式两份，一份送达当事人，一份存档。",
    )


def on_the_spot_decision(
    *,
    authority: str,
    document_no: str,
    party: Party,
    violation: str,
    when: str,
    where: str,
    basis: str,
    penalty: str,
    fine_fen: int | None,
    remedies: Remedies,
    officers: tuple[tuple[str, str], ...],
    decided_on: date,
    verify_url: str | None = None,
) -> DocumentSpec:
    """当场行政处罚决定书 (art. 52): the pre-numbered form with time, place, the officers' signatures and the
    party's receipt; art. 51 limits it to fines up to 200 yuan (persons) / 3,000 yuan (organisations) or a warning.
    """
    amount = f"，罚款人民币{rmb_in_words(fine_fen)}（{yuan(fine_fen)}）" if fine_fen else ""
    blocks = [
        *_party_blocks(party),
        Paragraph(f"{when}，当事人在{where}{violation}。", label="违法行为："),
        Paragraph(f"依据{basis}的规定，决定给予{penalty}{amount}。", label="处罚依据及决定："),
        Paragraph(remedies.text()),
        Spacer(0.5),
        *(
            SignatureLine((SignatureField("执法人员：", name), SignatureField("执法证号：", number)))
            for name, number in officers
        ),
        SignatureLine((SignatureField("当事人签收："), SignatureField("日期：", blank_chars=7))),
        Closing(authority, chinese_date(decided_on)),
    ]
    return DocumentSpec(
        kind="on_the_spot_decision",
        title="当场行政处罚决定书",
        authority=authority,
        document_no=document_no,
        blocks=tuple(blocks),
        verify_url=verify_url,
        footer_note="本决定书由执法人员当场交付当事人；当事人拒绝签收的，执法人员在本决定书上注明。",
    )


def service_receipt(
    *,
    authority: str,
    document_no: str,
    addressee: str,
    documents: tuple[tuple[str, str], ...],
    address: str,
    method: str = "直接送达",
    verify_url: str | None = None,
) -> DocumentSpec:
    """送达回证 (art. 61, 民事诉讼法 rules): one row per document served, signed by addressee and server."""
    rows = tuple((name, number, "", "", "") for name, number in documents)
    blocks = [
        Paragraph(addressee, label="受送达人：", indent=False),
        Paragraph(address, label="送达地点：", indent=False),
        Paragraph(method, label="送达方式：", indent=False),
        Spacer(0.4),
        Table(("送达文书名称", "文书编号", "收件人签名", "收件日期", "备注"), rows, widths=(3.0, 3.4, 1.9, 1.7, 1.0)),
        Spacer(0.6),
        SignatureLine((SignatureField("送达人："), SignatureField("见证人："))),
        Paragraph("受送达人拒绝签收的，由送达人在备注栏注明情况。", indent=True),
    ]
    return DocumentSpec(
        kind="service_receipt", title="送达回证", authority=authority, document_no=document_no, blocks=tuple(blocks)
    )
