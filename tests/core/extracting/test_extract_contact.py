"""Phone and e-mail patterns, and finding them verbatim in message text."""

from __future__ import annotations

import pytest

from chatsum.core.pipelines.extracting.contact import (
    find_email,
    find_phone,
    is_valid_email,
    is_valid_phone,
    phone_key,
)


@pytest.mark.parametrize(
    "value",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "0086 19912345678"],
)
def test_chinese_mobiles_are_valid(value: str) -> None:
    assert is_valid_phone(value)


@pytest.mark.parametrize(
    "value", ["+1 (415) 555-0132", "+44 7700 900123", "0049 30 1234567", "+81-90-1234-5678"]
)
def test_international_numbers_with_country_code_are_valid(value: str) -> None:
    assert is_valid_phone(value)


@pytest.mark.parametrize(
    "value",
    ["12345678901", "1381234567", "138123456789", "021-12345678", "415-555-0132", "电话", "+0 12"],
)
def test_other_numbers_are_not_phones(value: str) -> None:
    assert not is_valid_phone(value)


def test_same_number_however_written() -> None:
    assert phone_key("+86 138-1234-5678") == phone_key("13812345678")
    assert phone_key("+1 415 555 0132") != phone_key("14155550132")


def test_found_verbatim_with_the_chats_spelling() -> None:
    assert find_phone("13812345678", "我的手机是138 1234 5678，谢谢") == "138 1234 5678"
    assert find_phone("+14155550132", "call me at +1 (415) 555-0132.") == "+1 (415) 555-0132"
    assert find_phone("13812345678", "电话+86-138-1234-5678") == "+86-138-1234-5678"


def test_not_found_inside_longer_numbers_or_elsewhere() -> None:
    assert find_phone("13812345678", "订单号 9913812345678") is None
    assert find_phone("13812345678", "订单号 1381234567899") is None
    assert find_phone("13812345678", "我的手机是13812345679") is None


@pytest.mark.parametrize("value", ["a.b@example.com", "wang_fei+crm@mail.qq.com", "X@Y.CN"])
def test_valid_emails(value: str) -> None:
    assert is_valid_email(value)


@pytest.mark.parametrize("value", ["wang@", "@qq.com", "wang at qq.com", "wang@qq", "a b@c.com"])
def test_invalid_emails(value: str) -> None:
    assert not is_valid_email(value)


def test_email_found_case_insensitively_keeping_its_spelling() -> None:
    assert find_email("wang.fei@example.com", "邮箱 Wang.Fei@Example.com 谢谢") == (
        "Wang.Fei@Example.com"
    )
    assert find_email("wang.fei@example.com", "邮箱 wang.fe@example.com") is None
