"""The pure layout rules: Chinese line breaking (禁则), page breaking, amounts in words."""

from __future__ import annotations

import pytest

from chengguan.documents.linebreak import NO_END, NO_START, break_lines, justify_spacing
from chengguan.documents.pagination import Item, paginate
from chengguan.documents.templates import rmb_in_words, yuan

TEXT = (
    "当事人于2026年1月12日在长江中路218号“海韵小吃”门前人行道上擅自摆摊，占道经营（烧烤），"
    "占用面积约24平方米。执法人员依据《城市市容和环境卫生管理条例》第十四条、第三十六条，"
    "责令其改正；当事人拒不改正……罚款500.00元！见 gov.cn/7Q2K 核验。"
)


def widths_of(text: str) -> list[float]:
    return [0.5 if ch.isascii() else 1.0 for ch in text]


@pytest.mark.parametrize("width", [6, 7, 8, 9, 11, 13, 17, 20, 28])
def test_lines_respect_punctuation_rules_and_width(width: float) -> None:
    widths = widths_of(TEXT)
    lines = break_lines(TEXT, widths, width)
    assert "".join(TEXT[ln.start : ln.end] for ln in lines).replace(" ", "") == TEXT.replace(" ", "")
    for ln in lines:
        part = TEXT[ln.start : ln.end]
        assert sum(widths[ln.start : ln.end]) <= width + 1e-9, (width, part)
        if ln is not lines[0]:
            assert part[0] not in NO_START, (width, part)
        if ln is not lines[-1]:
            assert part[-1] not in NO_END, (width, part)
    assert [ln.last for ln in lines] == [False] * (len(lines) - 1) + [True]


def test_numbers_words_and_doubled_marks_stay_whole() -> None:
    widths = widths_of(TEXT)
    for width in range(6, 30):
        joints = {ln.end for ln in break_lines(TEXT, widths, width)}
        for word in ("2026", "500.00", "218", "……"):
            start = TEXT.index(word)
            assert not any(start < j < start + len(word) for j in joints), (width, word)


def test_first_line_width_is_the_indented_one() -> None:
    text = "一" * 30
    lines = break_lines(text, [1.0] * 30, 10, first_width=8)
    assert [ln.end - ln.start for ln in lines] == [8, 10, 10, 2]


def test_overlong_word_is_cut_rather_than_overflowing() -> None:
    text = "x" * 25
    lines = break_lines(text, [1.0] * 25, 10)
    assert [ln.end - ln.start for ln in lines] == [10, 10, 5]


def test_justification_stretches_short_lines_only_moderately() -> None:
    assert justify_spacing(9.5, 10.0, 11, 1.0) == pytest.approx(0.05)
    assert justify_spacing(10.0, 10.0, 11, 1.0) == 0.0
    assert justify_spacing(2.0, 10.0, 3, 1.0) == pytest.approx(0.09)  # capped: would spread 4 em per gap


def item(height: float = 1.0, **kw) -> Item:
    return Item(height, lambda c, y: None, **kw)


def test_table_header_repeats_and_headings_do_not_end_a_page() -> None:
    lines = [item() for _ in range(8)]
    heading = item(keep_with_next=True)
    header = item(keep_with_next=True)
    rows = [item(header=header) for _ in range(6)]
    for row in rows:
        row.header = header
    pages = paginate([*lines, heading, header, *rows], top=0, bottom=10)
    first, second = ([it for it, _ in page] for page in pages)
    assert heading not in first and header not in first  # both moved with the first row
    assert second[:3] == [heading, header, rows[0]]
    long_pages = paginate([header, *[item(header=header) for _ in range(25)]], top=0, bottom=10)
    assert all(page[0][0] is header for page in long_pages) and len(long_pages) == 3


def test_closing_takes_the_last_body_lines_to_the_next_page() -> None:
    body = [item() for _ in range(9)]
    closing = item(3, pull_back=2)
    pages = paginate([*body, closing], top=0, bottom=10)
    assert [it for it, _ in pages[1]] == [body[7], body[8], closing]
    assert [y for _, y in pages[1]] == [0, 1, 2]


def test_spacers_are_dropped_at_the_top_of_a_page() -> None:
    pages = paginate([item(10), item(2, spacer=True), item()], top=0, bottom=10)
    assert len(pages) == 2 and len(pages[1]) == 1


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (50000, "伍佰元整"),
        (100500, "壹仟零伍元整"),
        (1000000, "壹万元整"),
        (1050000, "壹万零伍佰元整"),
        (20000000, "贰拾万元整"),
        (12345, "壹佰贰拾叁元肆角伍分"),
        (12305, "壹佰贰拾叁元零伍分"),
        (50, "伍角"),
        (0, "零元整"),
        (300000000000, "叁拾亿元整"),
    ],
)
def test_amounts_in_capital_numerals(fen: int, words: str) -> None:
    assert rmb_in_words(fen) == words


def test_amount_in_figures() -> None:
    assert yuan(123456789) == "¥1,234,567.89"
