"""Bidirectional control characters never reach a page (issue 8 item 11)."""

import datetime as dt
import io

from django.urls import reverse

from crm.text import BIDI_CONTROLS, strip_bidi
from customers import importing
from customers.models import Customer
from tests.customers.factories import national_id_for

RLO = "\u202e"


def test_strip_bidi_keeps_letters_and_drops_controls():
    assert strip_bidi(f"王{RLO}小明") == "王小明"
    assert strip_bidi("买买提·艾力 ئەخمەت") == "买买提·艾力 ئەخمەت"  # RTL letters stay
    assert strip_bidi("".join(BIDI_CONTROLS)) == ""


def test_a_right_to_left_override_typed_in_a_name_is_not_stored_or_shown(
    head_office_client, branch_a
):
    born = dt.date(1980, 1, 2)
    response = head_office_client.post(
        reverse("customers:create"),
        {
            "customer_number": "CIF900001",
            "name": f"张{RLO}三gpj.exe",
            "date_of_birth": born.isoformat(),
            "national_id": national_id_for(born, 7),
            "segment": "mass",
            "status": "active",
            "branch": str(branch_a.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(customer_number="CIF900001")
    assert customer.name == "张三gpj.exe"
    page = head_office_client.get(customer.get_absolute_url()).content.decode()
    assert RLO not in page


def test_search_terms_lose_bidi_controls(alice_client):
    response = alice_client.get(reverse("customers:list"), {"q": f"王{RLO}"})
    assert response.status_code == 200
    assert RLO not in response.content.decode()


def test_imported_cells_lose_bidi_controls(head_office, branch_a):
    born = dt.date(1980, 1, 2)
    lines = io.StringIO(
        "customer_number,name,date_of_birth,national_id,branch_code,address\n"
        f"CIF900002,李{RLO}四,{born},{national_id_for(born, 8)},"
        f"{branch_a.code},上海{RLO}路\n"
    )
    report = importing.import_customers(actor=head_office, lines=lines, commit=True, branch=None)
    assert report.ok, report.errors
    customer = Customer.objects.get(customer_number="CIF900002")
    assert (customer.name, customer.address) == ("李四", "上海路")
