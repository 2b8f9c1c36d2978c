"""Templates of the decision and after: the decisions (arts. 52, 57, 59), service, reminder, transfer, closure,
and the file catalogue."""

from __future__ import annotations

from chengguan.documents.builders.common import (
    case_rows,
    closing,
    field_text,
    joined,
    money,
    officers_line,
    party_rows,
    party_sign_line,
    party_table,
    penalty_text,
    remedy,
    signature_pair,
    yuan,
)
from chengguan.documents.builders.filing import approval_table
from chengguan.documents.context import DocContext
from chengguan.documents.layout import Block, FieldTable, Heading, Paragraph, Table
from chengguan.documents.layout import chinese_date as cn

LATE_FEE = (
    "到期不缴纳罚款的，本机关将每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（第七十二条第一款）"
)


def _payment(ctx: DocContext) -> Paragraph:
    """Art. 59 (四) with art. 67 第三款: 15 days from receipt, at the designated bank or by electronic payment."""
    if ctx.fine_fen is None:
        return Paragraph("本决定书送达之日起生效，当事人应当自觉履行。")
    return Paragraph(
        "当事人应当自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款"
        f"（{ctx.payment_account}），罚款直接上缴国库（《中华人民共和国行政处罚法》第六十七条）。{LATE_FEE}，"
        "并依法申请人民法院强制执行。"
    )


def penalty_decision(ctx: DocContext) -> list[Block]:
    """Art. 59: (一) party name and address, (二) facts and evidence, (三) kind and basis, (四) how and by when to
    comply, (五) review and litigation routes and periods, (六) authority and date — sealed."""
    evidence = [f"{e.no}. {e.title}（{e.kind}，{e.captured}）" for e in ctx.evidence]
    return [
        party_table(ctx),
        Heading("一、违法事实和证据"),
        Paragraph(f"经查，当事人{ctx.facts_of_party}。"),
        Paragraph("以上事实有下列证据证明：" + (joined(evidence, "现场检查笔录、询问笔录") + "。")),
        Heading("二、行政处罚的种类和依据"),
        Paragraph(
            f"当事人的上述行为违反了{joined(ctx.violated)}的规定。依据{joined(ctx.penalty_basis)}的规定，"
            f"本机关决定给予当事人如下行政处罚：{penalty_text(ctx)}。"
        ),
        Heading("三、履行方式和期限"),
        _payment(ctx),
        Heading("四、申请行政复议、提起行政诉讼的途径和期限"),
        remedy(ctx),
        closing(ctx),
    ]


def on_site_decision(ctx: DocContext) -> list[Block]:
    """Art. 52: pre-numbered form; the act, kind and basis, fine, time, place, remedies, authority; the officers
    sign; a refusal to sign is noted; filed with the bureau afterwards."""
    return [
        party_table(ctx),
        FieldTable((("违法时间", cn(ctx.act_on)), ("违法地点", ctx.place))),
        Paragraph(f"当事人{ctx.facts_of_party}，违反了{joined(ctx.violated)}的规定。", label="违法行为："),
        Paragraph(f"依据{joined(ctx.penalty_basis)}的规定，当场给予{penalty_text(ctx)}。", label="处罚决定："),
        _payment(ctx),
        remedy(ctx),
        officers_line(ctx),
        party_sign_line(ctx, "当事人签收（拒绝签收的由执法人员注明）"),
        closing(ctx),
    ]


def no_penalty_decision(ctx: DocContext) -> list[Block]:
    """Art. 57 第一款 (二)–(三) with art. 33: no penalty where the act is minor and corrected in time, or not
    established."""
    reason = field_text(
        ctx, "reason", "违法行为轻微并及时改正，没有造成危害后果（《中华人民共和国行政处罚法》第三十三条第一款）"
    )
    return [
        party_table(ctx),
        Paragraph(f"经查，当事人{ctx.facts_of_party}。"),
        Paragraph(f"鉴于{reason}，根据《中华人民共和国行政处罚法》第五十七条第一款的规定，本机关决定不予行政处罚。"),
        Paragraph("本机关对当事人进行了教育。" if "轻微" in reason else ""),
        remedy(ctx),
        closing(ctx),
    ]


def service_receipt(ctx: DocContext) -> list[Block]:
    """Art. 61: served under the Civil Procedure Law; the receipt records who received what, when, how."""
    served = cn(ctx.decision_served_on) if ctx.decision_served_on else ""
    title = f"行政处罚决定书（{ctx.decision_no}）" if ctx.decision_no else "行政处罚文书"
    rows = ctx.services or ((title, "直接送达", served or "　", "　"),)
    return [
        FieldTable((*case_rows(ctx), ("受送达人", ctx.party.name), ("送达地点", ctx.party.address or ctx.place))),
        Table(("送达文书名称及文号", "送达方式", "送达时间", "收件人签名"), rows, widths=(3.4, 1.2, 1.6, 1.6)),
        Paragraph("受送达人拒绝签收的，由送达人注明拒收事由和日期，并由见证人签名。"),
        signature_pair("送达人", "见证人"),
        closing(ctx),
    ]


def e_service_consent(ctx: DocContext) -> list[Block]:
    """Art. 61 第二款: documents may be served electronically once the party has agreed and signed this."""
    phone = ctx.consent_phone or ctx.party.phone or "　"
    return [
        FieldTable((*party_rows(ctx), ("接收号码", phone))),
        Paragraph(
            "本人（单位）同意"
            + ctx.authority
            + "采用电子方式向本人（单位）送达行政处罚事先告知书、行政处罚决定书等执法文书，"
            "接收方式为：向上述号码发送短信链接，或在商户端“执法文书”栏目中查阅。"
        ),
        Paragraph(
            "文书自本人（单位）打开链接查阅之时视为送达。上述号码变更的，本人（单位）将及时告知；"
            "未及时告知的，按原号码送达的视为有效送达。"
        ),
        party_sign_line(ctx, "当事人（受送达人）签名"),
        closing(ctx),
    ]


def payment_reminder(ctx: DocContext) -> list[Block]:
    """Art. 72 and 行政强制法 art. 35: before court enforcement the party is reminded in writing."""
    decided = cn(ctx.decided_on) if ctx.decided_on else "　"
    served = cn(ctx.decision_served_on) if ctx.decision_served_on else "　"
    return [
        Paragraph(f"{ctx.party.name}：", indent=False),
        Paragraph(
            f"本机关于{decided}作出的行政处罚决定（{ctx.decision_no or '　'}），"
            f"决定对你（单位）{penalty_text(ctx)}。该决定书已于{served}送达，你（单位）至今未履行。"
        ),
        Paragraph(
            f"截至{cn(ctx.issued_on)}，你（单位）已缴纳{yuan(ctx.paid_fen)}，依法加处罚款{yuan(ctx.late_fee_fen)}，"
            f"尚应缴纳{money(ctx.amount_due_fen)}。请于收到本催告书之日起十日内履行。"
            "逾期仍未履行的，本机关将依照《中华人民共和国行政强制法》的规定申请人民法院强制执行。"
        ),
        Paragraph("你（单位）有权进行陈述和申辩（《中华人民共和国行政强制法》第三十五条）。"),
        closing(ctx),
    ]


def transfer_letter(ctx: DocContext) -> list[Block]:
    """Art. 27: a suspected crime goes to the judiciary; a matter of another department goes there."""
    to = ctx.transfer_to or "有关机关"
    return [
        Paragraph(f"{to}：", indent=False),
        Paragraph(
            f"本机关在查处{ctx.party.name}涉嫌{ctx.matter_name}一案中发现：{field_text(ctx, 'reason', ctx.facts)}"
        ),
        Paragraph("根据《中华人民共和国行政处罚法》第二十七条的规定，现将该案移送你单位依法处理。"),
        Paragraph(f"附：案件材料 {len(ctx.evidence)} 项（见证据清单）。"),
        closing(ctx),
    ]


def closure_approval(ctx: DocContext) -> list[Block]:
    performed = f"已缴纳{yuan(ctx.paid_fen)}" if ctx.paid_fen else "—"
    return [
        FieldTable((*case_rows(ctx), ("立案日期", cn(ctx.filed_on) if ctx.filed_on else "—"))),
        party_table(ctx),
        FieldTable((("处罚决定", penalty_text(ctx)), ("决定文号", ctx.decision_no or "—"), ("执行情况", performed))),
        Paragraph(field_text(ctx, "summary", "本案处罚决定已执行完毕，建议结案。"), label="结案理由："),
        officers_line(ctx, "承办人"),
        approval_table(ctx, "closure_approval"),
    ]


def file_catalogue(ctx: DocContext) -> list[Block]:
    """Art. 47: the whole procedure is recorded and archived; the catalogue lists the file in legal order."""
    rows = tuple((str(i + 1), title, number or "—", when) for i, (title, number, when) in enumerate(ctx.documents))
    evidence = (str(len(rows) + 1), f"证据材料（{len(ctx.evidence)} 项，见证据清单）", "—", "—")
    return [
        FieldTable((*case_rows(ctx), ("当事人", ctx.party.name))),
        Table(("序号", "文书名称", "文号", "日期"), (*rows, evidence), widths=(0.6, 3.2, 3, 1.6)),
    ]
