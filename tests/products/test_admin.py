"""Product admin: term changes go through products.services.product_update (audit, version)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from customers.models import AuditEntry
from products import services
from tests.products.factories import product_on_shelf

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_admin(head_office, head_office_client):
    head_office.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="products", codename__in=["view_product", "change_product"]
        )
    )
    return head_office_client


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = value
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    data.update(
        {
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        }
    )
    return data


def test_changing_terms_goes_through_the_service_and_is_audited(catalogue_admin):
    product = product_on_shelf("R2", name="稳健理财1号")
    url = reverse("admin:products_product_change", args=[product.pk])
    form = catalogue_admin.get(url).context["adminform"].form
    response = catalogue_admin.post(url, {**_form_data(form), "name": "稳健理财2号"}, follow=True)
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.name == "稳健理财2号"
    assert AuditEntry.objects.get(action="product.updated").detail["fields"] == ["name"]


def test_a_colleagues_save_in_between_is_a_conflict_not_a_silent_revert(
    catalogue_admin, head_office
):
    product = product_on_shelf("R2", name="稳健理财1号")
    url = reverse("admin:products_product_change", args=[product.pk])
    form = catalogue_admin.get(url).context["adminform"].form
    data = _form_data(form)
    services.product_update(actor=head_office, product=product, fields={"name": "同事改的"})
    response = catalogue_admin.post(url, {**data, "name": "我改的"}, follow=True)
    page = response.content.decode()
    assert "Nothing was saved" in page and "while you were editing" in page
    product.refresh_from_db()
    assert product.name == "同事改的"
