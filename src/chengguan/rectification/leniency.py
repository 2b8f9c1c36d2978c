"""Warning first (首违不罚) — pure: given a matter's rule, what was found and the history, warning or case.

《中华人民共和国行政处罚法》第三十三条第一款："违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。初次违法且
危害后果轻微并及时改正的，可以不予行政处罚。" 第三款："对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行
教育。" — the conditions are: the act is minor, it is the first (no earlier offence of the same matter within the
rule's window), its harm is at most minor, and it is corrected in time. The first three are decided here; the last
is what the 温馨提醒 with its due date checks (an uncorrected one becomes a case source, see ``rules.escalation``).

Each matter's rule is configured by the bureau (enabled, window of N days); every decision names the rule that
decided it, so the file shows why a shop was warned rather than punished, or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from chengguan.rectification.enums import Harm, Suggestion

ARTICLE_33 = (
    "《中华人民共和国行政处罚法》第三十三条第一款：违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。"
    "初次违法且危害后果轻微并及时改正的，可以不予行政处罚。第三款：对当事人的违法行为依法不予行政处罚的，"
    "行政机关应当对当事人进行教育。"
)
DEFAULT_WINDOW_DAYS = 365


@dataclass(frozen=True)
class LeniencyRule:
    """A matter's warning-first rule as the bureau configured it."""

    matter_code: str
    enabled: bool = True
    window_days: int = DEFAULT_WINDOW_DAYS


@dataclass(frozen=True)
class History:
    """Earlier offences of the same matter within the window: the shop's notices (温馨提醒 or 整改通知) and the cases
    of the shop or of the party (its licence's organisation or its operator, any shop)."""

    notices: int = 0
    cases: int = 0


@dataclass(frozen=True)
class Decision:
    outcome: Suggestion
    rule: str  # which condition decided: first_minor, no_rule, disabled, matter_excluded, harm, repeat_case, …
    reason: str  # zh-CN, naming the condition and the window


RULE_LABELS = {
    "first_minor": "初次违法且危害后果轻微（首违不罚）",
    "no_rule": "本事项未配置首违不罚规则",
    "disabled": "本事项的首违不罚规则已停用",
    "matter_excluded": "知识库规定本事项不适用首违不罚",
    "harm": "危害后果超出轻微",
    "repeat_case": "期间内已因同一事项立案",
    "repeat_notice": "期间内已因同一事项被提醒或责令整改",
}


def decide(rule: LeniencyRule | None, exempt_possible: bool, harm: Harm, history: History) -> Decision:
    """Warning when every condition of 第三十三条 that can be known now holds, else case; the first failing
    condition is the rule that decided."""
    if rule is None:
        return Decision(Suggestion.case, "no_rule", RULE_LABELS["no_rule"] + "，按一般程序处理")
    if not rule.enabled:
        return Decision(Suggestion.case, "disabled", RULE_LABELS["disabled"])
    if not exempt_possible:
        return Decision(Suggestion.case, "matter_excluded", RULE_LABELS["matter_excluded"])
    if harm in (Harm.general, Harm.serious):
        return Decision(Suggestion.case, "harm", "危害后果超出轻微，不符合第三十三条第一款的条件")
    days = rule.window_days
    if history.cases:
        return Decision(Suggestion.case, "repeat_case",
                        f"{days} 日内已因同一事项立案 {history.cases} 件，不属于初次违法")  # fmt: skip
    if history.notices:
        reason = f"{days} 日内已因同一事项被提醒或责令整改 {history.notices} 次，再次违法应立案查处"
        return Decision(Suggestion.case, "repeat_notice", reason)
    lead = "违法行为轻微且没有造成危害后果" if harm is Harm.none else "初次违法且危害后果轻微"
    return Decision(Suggestion.warning, "first_minor",
                    f"{lead}，{days} 日内无同一事项的违法记录：发送温馨提醒、责令限期改正并进行教育；"
                    "逾期未改正的转为案源（第三十三条第一款、第三款）")  # fmt: skip
