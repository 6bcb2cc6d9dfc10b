"""One normalisation per identifier (crm/identifiers.py), issue 7 items 4 and 5."""

import pytest

from crm import identifiers

MOBILE = "13521971213"


@pytest.mark.parametrize(
    "typed",
    [
        "13521971213",
        "+86 135 2197 1213",
        "0086 135 2197 1213",
        "(+86) 135 2197 1213",
        "（+86）135 2197 1213",
        "+86-135-2197-1213",
        "86 13521971213",
        "135.2197.1213",
        "(135) 2197-1213",
        "135 2197 1213",
        "１３５２１９７１２１３",
        "＋８６ １３５－２１９７－１２１３",
    ],
)
def test_every_written_form_of_a_mobile_number_is_the_same_number(typed):
    assert identifiers.phone(typed) == MOBILE


def test_a_number_that_is_not_a_mainland_mobile_stays_recognisably_wrong():
    assert identifiers.phone("+852 9123 4567") == "+85291234567"
    assert identifiers.phone("555") == "555"
    assert identifiers.phone("") == ""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("买买提·艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),
        ("买买提 · 艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("邵 倩华", "邵倩华"),
        ("  王\u3000建国 ", "王建国"),
        ("John  Smith", "John Smith"),
        ("J.Smith", "J.Smith"),
        ("Ｌｉ Ｎａ", "Li Na"),
    ],
)
def test_person_names_are_stored_in_one_form(typed, stored):
    assert identifiers.person_name(typed) == stored


def test_name_keys_ignore_separators_spaces_and_case():
    written = ["买买提·艾力", "买买提•艾力", "买买提艾力", "买买提 艾力"]
    keys = {identifiers.name_key(n) for n in written}
    assert keys == {"买买提艾力"}
    assert identifiers.name_key("Li Na") == identifiers.name_key("lina")


def test_single_line_keeps_the_words_of_a_multi_line_address():
    assert identifiers.single_line("上海市浦东新区\r\n世纪大道 1 号\t2 楼") == (
        "上海市浦东新区 世纪大道 1 号 2 楼"
    )


def test_identity_and_customer_numbers():
    assert identifiers.national_id(" 110101 19900307 001x ") == "11010119900307001X"
    assert identifiers.national_id("１１０１０１１９９００３０７００１ｘ") == "11010119900307001X"
    assert identifiers.customer_number(" cif-0001 23") == "CIF000123"


def test_email_domain_is_lower_cased_only():
    assert identifiers.email(" Wang.Li@Bank.EXAMPLE ") == "Wang.Li@bank.example"
