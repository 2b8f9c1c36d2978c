"""Check digits of 身份证号码 and 统一社会信用代码 (legal-facts §6)."""

from __future__ import annotations

from chengguan.core.idnumbers import ric_check_digit, uscc_check_char, valid_ric, valid_uscc


def test_uscc_example_from_the_reference_and_one_changed_character():
    assert valid_uscc("91110000600037341L")
    assert valid_uscc("91110000600037341l")
    assert not valid_uscc("91110000600037342L")
    assert not valid_uscc("91110000600037341")  # 17 characters
    assert not valid_uscc("9111000060003734IL")  # I is not in the character set


def test_uscc_check_char_round_trip():
    assert uscc_check_char("91110000600037341") == "L"


def test_ric_check_digit_and_birth_date():
    body = "11010519491231002"  # synthetic: 110105, 1949-12-31, sequence 002
    check = ric_check_digit(body)
    assert valid_ric(body + check)
    wrong = "0" if check != "0" else "1"
    assert not valid_ric(body + wrong)
    assert not valid_ric("110105194902300021")  # 30 February
    assert not valid_ric("11010519491231002")  # 17 characters


def test_ric_x_check_character():
    # find a synthetic body whose check character is X, then accept it in either case
    body = next(f"1101051990010100{n}" for n in range(10) if ric_check_digit(f"1101051990010100{n}") == "X")
    assert valid_ric(body + "X") and valid_ric(body + "x")
