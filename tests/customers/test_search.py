"""Search without pg_trgm: bigram containment for names, btree lookups for numbers."""

import pytest

from customers.models import Customer
from customers.search import name_grams, query_grams, search_filter
from tests.customers.factories import CustomerFactory


def test_name_grams_are_characters_and_neighbouring_pairs():
    assert name_grams("王建国") == ["国", "建", "建国", "王", "王建"]
    assert name_grams("Li Na") == ["a", "i", "in", "l", "li", "n", "na"]


def test_query_grams():
    assert query_grams("王") == ["王"]
    assert query_grams("建国") == ["建国"]
    assert query_grams("欧阳娜") == ["欧阳", "阳娜"]


def _customer(**kwargs) -> Customer:
    return CustomerFactory(**kwargs)  # the factory fills the search keys


@pytest.mark.django_db
def test_partial_chinese_names_match():
    wang = _customer(name="王建国")
    zhang = _customer(name="张建华")
    _customer(name="李娜")

    def found(q):
        return set(Customer.objects.filter(search_filter(q)))

    assert found("王") == {wang}
    assert found("建国") == {wang}
    assert found("建") == {wang, zhang}
    assert found("王建国") == {wang}
    assert found("国建") == set()  # both bigrams' characters occur, not in this order


@pytest.mark.django_db
def test_numbers_find_customer_number_phone_and_id_tail():
    customer = _customer(name="赵敏", phone="13912345678")
    other = _customer(name="钱多多", phone="13700000000")

    def found(q):
        return set(Customer.objects.filter(search_filter(q)))

    assert found(customer.customer_number) == {customer}
    assert found("139 1234 5678") == {customer}
    assert found("+86 13912345678") == {customer}
    assert found(customer.national_id[-4:]) >= {customer}
    assert other not in found(customer.national_id[-4:]) or (
        other.national_id[-4:] == customer.national_id[-4:]
    )
    assert found(customer.national_id) == {customer}


def test_numeric_search_never_uses_a_sequential_like():
    sql = str(Customer.objects.filter(search_filter("1234")).query)
    assert "LIKE" not in sql.upper()
    assert "id_last4" in sql
