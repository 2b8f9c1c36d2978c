"""Templates of review and notice: investigation report, legal review, discussion, prior notice, statement,
hearing notice and record, decision approval."""

from __future__ import annotations

from chengguan.documents.builders.common import (
    case_rows,
    closing,
    field_text,
    joined,
    officers_line,
    party_sign_line,
    party_table,
    penalty_text,
    signature_pair,
)
from chengguan.documents.builders.filing import approval_table
from chengguan.documents.context import DocContext
from chengguan.documents.layout import Block, FieldTable, Heading, Paragraph
from chengguan.documents.layout import chinese_date as cn


def _findings(ctx: DocContext) -> list[Block]:
    evidence = joined((f"{e.no}. {e.title}" for e in ctx.evidence), "现场检查笔录、询问笔录等")
    return [
        Heading("一、违法事实"),
        Paragraph(ctx.facts),
        Heading("二、证据"),
        Paragraph(evidence),
        Heading("三、法律依据"),
        Paragraph(f"违反：{joined(ctx.violated)}；处罚依据：{joined(ctx.penalty_basis)}。"),
    ]


def investigation_report(ctx: DocContext) -> list[Block]:
    """Art. 57: when the investigation ends, facts, evidence and the proposed penalty go to the responsible person."""
    return [
        FieldTable((*case_rows(ctx), ("立案日期", cn(ctx.filed_on) if ctx.filed_on else "—"))),
        party_table(ctx),
        *_findings(ctx),
        Heading("四、处理意见"),
        Paragraph(field_text(ctx, "findings", f"建议给予{penalty_text(ctx)}。{ctx.penalty_reasoning}")),
        officers_line(ctx, "承办人"),
    ]


def legal_review_opinion(ctx: DocContext) -> list[Block]:
    """Art. 58: legal review of the facts, evidence, basis, procedure and discretion before the decision."""
    default = "经审核，本案事实清楚，证据确凿，适用依据正确，程序合法，处罚适当，同意承办机构意见。"
    return [
        FieldTable(case_rows(ctx)),
        party_table(ctx),
        *_findings(ctx),
        Heading("四、拟处罚意见"),
        Paragraph(penalty_text(ctx)),
        Heading("五、法制审核意见"),
        Paragraph(field_text(ctx, "opinion", default)),
        signature_pair("审核人", "日期"),
    ]


def discussion_record(ctx: DocContext) -> list[Block]:
    """Art. 57 第二款: complex or major cases are discussed and decided collectively by the bureau's leaders."""
    default = ctx.discussion or f"经集体讨论，同意给予当事人{penalty_text(ctx)}。"
    return [
        FieldTable((*case_rows(ctx), ("讨论时间", cn(ctx.issued_on)), ("讨论地点", ctx.authority))),
        Paragraph(ctx.facts, label="案情简介："),
        Paragraph(field_text(ctx, "record", default), label="讨论记录及结论："),
        signature_pair("主持人", "记录人"),
    ]


def prior_notice(ctx: DocContext) -> list[Block]:
    """Arts. 44–45 (and 63–64 when a hearing is owed): the content, facts, reasons and basis of the intended
    penalty, and the party's rights to state, defend and ask for a hearing."""
    proof = joined((e.title for e in ctx.evidence), "现场检查笔录等")
    blocks: list[Block] = [
        Paragraph(f"{ctx.party.name}：", indent=False),
        Paragraph(f"经查，你（单位）{ctx.facts_of_you}。以上事实有{proof}为证。"),
        Paragraph(
            f"你（单位）的上述行为违反了{joined(ctx.violated)}的规定。依据{joined(ctx.penalty_basis)}的规定，"
            f"本机关拟对你（单位）作出如下行政处罚：{penalty_text(ctx)}。"
        ),
        Paragraph(
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）享有陈述、申辩的权利。"
            f"如需陈述、申辩，请于收到本告知书之日起{ctx.statement_days}个工作日内向本机关提出；"
            "逾期未提出的，视为放弃上述权利。本机关不因你（单位）陈述、申辩而给予更重的处罚。"
        ),
    ]
    if ctx.hearing_right:
        blocks.append(
            Paragraph(
                "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有要求听证的权利。"
                "如要求听证，应当在收到本告知书之日起五个工作日内向本机关提出。"
            )
        )
    blocks += [party_sign_line(ctx, "当事人签收"), closing(ctx)]
    return blocks


def statement_record(ctx: DocContext) -> list[Block]:
    """Art. 45: the bureau hears the party fully and re-examines what they raise."""
    return [
        FieldTable((*case_rows(ctx), ("陈述申辩人", ctx.party.name), ("时间", cn(ctx.issued_on)))),
        Paragraph(
            field_text(ctx, "record", ctx.defense or "当事人对违法事实无异议，请求从轻处罚。"), label="陈述申辩内容："
        ),
        Paragraph("以上记录已向陈述申辩人宣读（交其阅看），确认无误。"),
        officers_line(ctx, "记录人"),
        party_sign_line(ctx, "陈述申辩人签名"),
    ]


def hearing_notice(ctx: DocContext) -> list[Block]:
    """Art. 64 (二): the party is told the time and place at least seven days before the hearing."""
    place = field_text(ctx, "hearing_place", f"{ctx.authority}听证室")
    when = cn(ctx.hearing_on) if ctx.hearing_on else "另行通知"
    return [
        Paragraph(f"{ctx.party.name}：", indent=False),
        Paragraph(f"根据你（单位）的申请，本机关定于{when}在{place}就{ctx.matter_name}一案举行听证。"),
        Paragraph(
            "听证公开举行（涉及国家秘密、商业秘密或者个人隐私的除外）。你（单位）可以亲自参加，也可以委托一至二人代理；"
            "认为主持人与本案有直接利害关系的，有权申请回避。无正当理由拒不出席的，视为放弃听证权利"
            "（《中华人民共和国行政处罚法》第六十四条）。"
        ),
        closing(ctx),
    ]


def hearing_record(ctx: DocContext) -> list[Block]:
    """Art. 64 (八): the record is checked by the party and signed; a refusal is noted by the presiding officer."""
    return [
        FieldTable(
            (*case_rows(ctx), ("听证时间", cn(ctx.hearing_on) if ctx.hearing_on else "—"), ("当事人", ctx.party.name))
        ),
        Paragraph(
            field_text(ctx, "record", "调查人员提出当事人违法的事实、证据和行政处罚建议；当事人进行申辩和质证。"),
            label="听证记录：",
        ),
        signature_pair("主持人", "记录人"),
        party_sign_line(ctx),
    ]


def decision_approval(ctx: DocContext) -> list[Block]:
    return [
        FieldTable(case_rows(ctx)),
        party_table(ctx),
        *_findings(ctx),
        Heading("四、拟决定"),
        Paragraph(penalty_text(ctx)),
        Paragraph(field_text(ctx, "opinion", ctx.penalty_reasoning or "—"), label="裁量理由："),
        officers_line(ctx, "承办人"),
        approval_table(ctx, "decision_approval"),
    ]
