"""Pieces every template shares: the party block, money in figures and in capitals, citations, the officers'
signature line, the closing with the authority and date, and the remedy sentence (art. 59 (五))."""

from __future__ import annotations

from collections.abc import Iterable

from chengguan.documents.context import DocContext
from chengguan.documents.kinds import CATALOGUE, DocumentKind
from chengguan.documents.layout import (
    Block,
    Closing,
    DocumentSpec,
    FieldTable,
    Paragraph,
    SealSpec,
    SignatureField,
    SignatureLine,
    chinese_date,
)
from chengguan.documents.money import rmb_in_words


def yuan(fen: int | None) -> str:
    """¥ in figures: 500.00元."""
    return "—" if fen is None else f"{fen // 100:,}.{fen % 100:02d}元"


def yuan_upper(fen: int) -> str:
    """The amount in capitals as on financial documents: 人民币伍佰元整, 人民币壹仟零伍元伍角."""
    return "人民币" + rmb_in_words(fen)


def money(fen: int | None) -> str:
    """罚款人民币伍佰元整（500.00元）."""
    return "—" if fen is None else f"{yuan_upper(fen)}（{yuan(fen)}）"


def joined(items: Iterable[str], empty: str = "—") -> str:
    values = [i for i in items if i]
    return "、".join(values) if values else empty


def penalty_text(ctx: DocContext) -> str:
    """The penalty as decided: each kind, the fine with its amount."""
    parts = [f"罚款{money(ctx.fine_fen)}" if k == "罚款" and ctx.fine_fen is not None else k for k in ctx.penalty_kinds]
    return joined(parts, "不予行政处罚")


def party_rows(ctx: DocContext) -> tuple[tuple[str, str], ...]:
    """The party as art. 59 (一) asks: name, address, and the identity number that makes the name unambiguous."""
    p = ctx.party
    if p.type == "individual":
        return (
            ("当事人", p.name),
            (p.id_label, p.id_no or "—"),
            ("住址", p.address or "—"),
            ("联系电话", p.phone or "—"),
        )
    return (
        ("当事人", p.name),
        (p.id_label, p.id_no or "—"),
        ("法定代表人（负责人）", p.representative or "—"),
        ("住所", p.address or "—"),
        ("联系电话", p.phone or "—"),
    )


def party_table(ctx: DocContext) -> FieldTable:
    return FieldTable(rows=party_rows(ctx))


def case_rows(ctx: DocContext) -> tuple[tuple[str, str], ...]:
    return (("案号", ctx.case_code), ("案由", ctx.matter_name), ("承办单位", ctx.unit_name))


PRINTED_OFFICERS = 2  # the officers a document names and who sign it (art. 42: at least two)


def officers_line(ctx: DocContext, label: str = "执法人员") -> SignatureLine:
    """Names and certificate numbers of the officers (art. 42: two or more, art. 55: they show their certificates),
    each with the officer's handwritten signature above the rule once signed."""
    fields = []
    for i, o in enumerate(ctx.officers[:PRINTED_OFFICERS]):
        slot = f"officer:{o.id}" if o.id else ""
        signed = ctx.signatures.get(slot)
        fields.append(
            SignatureField(
                f"{label}{i + 1}：",
                f"{o.name}（执法证号 {o.certificate_no}）",
                image=signed.png if signed else None,
                slot=slot,
            )
        )
    return SignatureLine(tuple(fields))


def party_sign_line(ctx: DocContext, label: str = "当事人签名") -> SignatureLine:
    """The party's slot and its date: the handwritten signature and the day it was drawn once the party signed."""
    signed = ctx.signatures.get("party")
    return SignatureLine((
        SignatureField(f"{label}：", image=signed.png if signed else None, blank_chars=8, slot="party"),
        SignatureField("日期：", chinese_date(signed.on) if signed else "", blank_chars=8),
    ))  # fmt: skip


def signature_pair(left: str, right: str) -> SignatureLine:
    """Two blank signature slots, e.g. 主持人 / 记录人."""
    return SignatureLine((SignatureField(f"{left}：", blank_chars=8), SignatureField(f"{right}：", blank_chars=8)))


def closing(ctx: DocContext) -> Closing:
    return Closing(authority=ctx.authority, date=chinese_date(ctx.issued_on))


def remedy(ctx: DocContext) -> Paragraph:
    """Art. 59 (五) / art. 52: the routes and periods of review and litigation."""
    r = ctx.remedy
    return Paragraph(
        f"如不服本决定，可以在收到本决定书之日起{r.review_days}日内向{r.review_body}申请行政复议；"
        f"也可以在收到本决定书之日起{r.litigation_months}个月内直接向{r.court}提起行政诉讼。"
        "申请行政复议或者提起行政诉讼的，不停止本决定的执行（《中华人民共和国行政处罚法》第七十三条）。"
    )


def field_text(ctx: DocContext, key: str, default: str) -> str:
    """A text a person wrote for this document, else what the case record says."""
    value = (ctx.fields.get(key) or "").strip()
    return value or default


def spec(
    ctx: DocContext,
    kind: DocumentKind,
    blocks: Iterable[Block],
    document_no: str | None,
    *,
    verify_url: str | None,
    sealed: bool = True,
    footer: str | None = None,
) -> DocumentSpec:
    """The document: its title from the catalogue, the number (or the case code for internal forms), the body."""
    info = CATALOGUE[kind]
    return DocumentSpec(
        kind=kind.value,
        title=info.title,
        authority=ctx.authority,
        document_no=document_no or f"案号：{ctx.case_code}",
        blocks=tuple(blocks),
        verify_url=verify_url,
        seal=SealSpec() if sealed else None,
        editable_fields=frozenset(info.editable),
        footer_note=footer,
    )
