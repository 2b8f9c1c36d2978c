"""Templates of the filing and investigation stage: source register, filing approval, records, notices."""

from __future__ import annotations

from chengguan.documents.builders.common import (
    case_rows,
    closing,
    field_text,
    joined,
    officers_line,
    party_rows,
    party_sign_line,
    party_table,
)
from chengguan.documents.context import DocContext
from chengguan.documents.layout import Block, FieldTable, Paragraph, Table
from chengguan.documents.layout import chinese_date as cn


def approval_table(ctx: DocContext, stage: str) -> Table:
    """The approvals recorded for one stage (each signed by the approver, see cases.approvals)."""
    rows = tuple(
        (a.step, a.user, "同意" if a.approved else "退回", a.opinion or "—", a.at)
        for a in ctx.approvals
        if a.stage == stage
    )
    return Table(
        ("审批环节", "审批人", "结果", "意见", "时间"),
        rows or (("—", "—", "—", "—", "—"),),
        widths=(2, 1.2, 0.8, 3, 2),
        caption="审批意见",
    )


def source_register(ctx: DocContext) -> list[Block]:
    return [
        FieldTable((*case_rows(ctx), ("来源", ctx.source_note or "直接立案"), ("登记日期", cn(ctx.issued_on)))),
        FieldTable(party_rows(ctx), caption="当事人"),
        Paragraph(field_text(ctx, "source_note", ctx.facts), label="案源情况："),
        officers_line(ctx, "登记人"),
    ]


def filing_approval(ctx: DocContext) -> list[Block]:
    """Art. 54: filing needs the approval of the bureau's responsible person."""
    return [
        FieldTable((*case_rows(ctx), ("违法行为发生日期", cn(ctx.act_on)), ("发生地点", ctx.place))),
        FieldTable(party_rows(ctx), caption="当事人"),
        Paragraph(ctx.facts, label="简要案情："),
        Paragraph(joined(ctx.violated), label="涉嫌违反："),
        Paragraph(field_text(ctx, "filing_reason", "符合立案条件，建议立案调查。"), label="立案理由："),
        officers_line(ctx, "承办人"),
        approval_table(ctx, "filing_approval"),
    ]


def not_filing_approval(ctx: DocContext) -> list[Block]:
    return [
        FieldTable(case_rows(ctx)),
        FieldTable(party_rows(ctx), caption="当事人"),
        Paragraph(ctx.facts, label="简要案情："),
        Paragraph(field_text(ctx, "decline_reason", "经初查，不符合立案条件。"), label="不予立案理由："),
        officers_line(ctx, "承办人"),
        approval_table(ctx, "filing_approval"),
    ]


def inspection_record(ctx: DocContext) -> list[Block]:
    """Art. 55: officers show their certificates; the record is checked and signed by the party."""
    return [
        FieldTable((("检查时间", cn(ctx.issued_on)), ("检查地点", ctx.place), ("被检查人", ctx.party.name))),
        Paragraph("执法人员已向被检查人出示执法证件，表明身份，告知其有申请回避的权利，被检查人不申请回避。"),
        Paragraph(field_text(ctx, "record", ctx.facts), label="现场检查情况："),
        Paragraph("以上笔录已经被检查人核对（向其宣读），确认无误。"),
        officers_line(ctx),
        party_sign_line(ctx, "被检查人签名"),
    ]


def inquiry_notice(ctx: DocContext) -> list[Block]:
    place = field_text(ctx, "inquiry_place", f"{ctx.unit_name}办公室")
    return [
        Paragraph(f"{ctx.party.name}：", indent=False),
        Paragraph(
            f"因你（单位）涉嫌{ctx.matter_name}一案，根据《中华人民共和国行政处罚法》第五十五条的规定，"
            f"请于收到本通知书之日起三日内到{place}接受询问调查。"
        ),
        Paragraph("届时请携带身份证明（营业执照）及与本案有关的材料。委托他人的，请携带授权委托书。"),
        closing(ctx),
    ]


def inquiry_record(ctx: DocContext) -> list[Block]:
    p = ctx.party
    return [
        FieldTable(
            (
                ("询问时间", cn(ctx.issued_on)),
                ("询问地点", f"{ctx.unit_name}"),
                ("被询问人", p.name),
                (p.id_label, p.id_no or "—"),
                ("联系电话", p.phone or "—"),
            )
        ),
        Paragraph(
            "我们是执法人员，已出示执法证件。依法就有关问题进行询问，你应当如实回答，"
            "如认为执法人员与本案有利害关系，可以申请回避。你是否申请回避？答：不申请。"
        ),
        Paragraph(field_text(ctx, "record", f"问：请说明{ctx.matter_name}的情况。答：{ctx.facts}"), label="询问记录："),
        Paragraph("以上笔录我已看过（已向我宣读），与我所说一致。"),
        officers_line(ctx, "询问人"),
        party_sign_line(ctx, "被询问人签名"),
    ]


def evidence_list(ctx: DocContext) -> list[Block]:
    """Art. 46: the evidence, each item with its kind, when it was captured, by whom, and its digest in the ledger."""
    rows = tuple((str(e.no), e.title, e.kind, e.captured, e.collector, e.digest) for e in ctx.evidence)
    return [
        FieldTable(case_rows(ctx)),
        Table(
            ("序号", "证据名称", "类型", "采集时间", "采集人", "存证摘要"),
            rows or (("—", "暂无证据", "—", "—", "—", "—"),),
            widths=(0.6, 3, 0.8, 2, 1.2, 1.6),
        ),
        Paragraph("存证摘要为证据文件 SHA-256 值的前十六位，完整摘要与存证链记录可在核验页面查询。"),
        officers_line(ctx, "制表人"),
    ]


def preservation_notice(ctx: DocContext) -> list[Block]:
    """Art. 56: evidence may be registered and preserved with approval when it might be lost; decided within 7 days."""
    items = field_text(ctx, "items", "（见所附清单）")
    return [
        Paragraph(f"{ctx.party.name}：", indent=False),
        Paragraph(
            f"因你（单位）涉嫌{ctx.matter_name}，在证据可能灭失或者以后难以取得的情况下，经本机关负责人批准，"
            "根据《中华人民共和国行政处罚法》第五十六条的规定，对下列物品予以先行登记保存，"
            "本机关将在七日内作出处理决定。保存期间，不得销毁或者转移。"
        ),
        Paragraph(items, label="登记保存物品："),
        officers_line(ctx),
        party_sign_line(ctx),
        closing(ctx),
    ]


def rectification_notice(ctx: DocContext) -> list[Block]:
    """Art. 28: the bureau orders the party to correct the violation, or to correct it within a time limit."""
    order = field_text(ctx, "order", "立即停止违法行为，并于收到本通知书之日起三日内改正。")
    return [
        party_table(ctx),
        Paragraph(f"经查，你（单位）{ctx.facts_of_you}，违反了{joined(ctx.violated)}的规定。"),
        Paragraph(f"根据《中华人民共和国行政处罚法》第二十八条第一款的规定，现责令你（单位）：{order}"),
        Paragraph("逾期不改正的，本机关将依法处理。"),
        officers_line(ctx),
        party_sign_line(ctx),
        closing(ctx),
    ]
