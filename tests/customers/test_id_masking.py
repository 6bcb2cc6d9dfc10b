"""The national ID and the mobile number stay masked in the edit form and Django admin unless
revealed on purpose; every reveal, including one to correct a wrong number, is logged and
counted towards the reveal limit (issue 7 item 2)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.services import role_groups_sync
from customers import services
from customers.models import AuditEntry, Customer
from tests.accounts.factories import UserFactory
from tests.customers.factories import CustomerFactory, customer_form_data, national_id_for

PHONE = "13912345678"
MASKED_PHONE = "139****5678"


@pytest.fixture
def alices_customer(rm_alice):
    return CustomerFactory(relationship_manager=rm_alice, name="王建国", phone=PHONE)


def test_the_edit_form_shows_the_id_masked_and_logs_nothing(supervisor_client, alices_customer):
    page = supervisor_client.get(reverse("customers:edit", args=[alices_customer.pk]))
    body = page.content.decode()
    assert alices_customer.national_id not in body
    assert alices_customer.masked_national_id in body
    assert not AuditEntry.objects.filter(action="customer.id_revealed").exists()


def test_saving_with_the_masked_id_keeps_the_number(supervisor_client, alices_customer):
    url = reverse("customers:edit", args=[alices_customer.pk])
    response = supervisor_client.post(url, customer_form_data(alices_customer, occupation="教师"))
    assert response.status_code == 302
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert stored.national_id == alices_customer.national_id and stored.occupation == "教师"


def test_reveal_to_correct_is_logged_then_the_id_can_be_corrected(
    supervisor_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    revealed = supervisor_client.post(url, {"reveal_id": "1"})
    assert revealed.status_code == 200
    assert alices_customer.national_id in revealed.content.decode()
    entry = AuditEntry.objects.get(action="customer.id_revealed")
    assert entry.detail == {"purpose": "correct"}
    corrected = national_id_for(alices_customer.date_of_birth, 555)
    response = supervisor_client.post(
        url, customer_form_data(alices_customer, national_id=corrected)
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).national_id == corrected


def test_admin_masks_the_id_and_logs_a_reveal(head_office, head_office_client, alices_customer):
    head_office.groups.add(role_groups_sync())
    url = f"/admin/customers/customer/{alices_customer.pk}/change/"
    body = head_office_client.get(url).content.decode()
    assert alices_customer.national_id not in body
    assert "?reveal_id=1" in body
    assert not AuditEntry.objects.filter(action="customer.id_revealed").exists()
    body = head_office_client.get(url + "?reveal_id=1").content.decode()
    assert alices_customer.national_id in body
    assert AuditEntry.objects.filter(action="customer.id_revealed").count() == 1


def test_admin_history_masks_id_and_mobile(
    head_office, head_office_client, alices_customer, rm_alice
):
    from customers.services import customer_update

    head_office.groups.add(role_groups_sync())
    new_id = national_id_for(alices_customer.date_of_birth, 444)
    customer_update(
        actor=rm_alice,
        customer=alices_customer,
        fields={"national_id": new_id, "phone": "13911112222"},
    )
    url = f"/admin/customers/customer/{alices_customer.pk}/history/"
    body = head_office_client.get(url).content.decode()
    assert "139****2222" in body
    for whole in (new_id, alices_customer.national_id, "13911112222"):
        assert whole not in body


# -- The mobile number in the edit form ------------------------------------------------------


def _as_shown(response) -> dict:
    """The edit form's data exactly as the page shows it (what an untouched form submits)."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


def test_the_edit_form_shows_the_mobile_masked_and_logs_nothing(alice_client, alices_customer):
    page = alice_client.get(reverse("customers:edit", args=[alices_customer.pk]))
    body = page.content.decode()
    assert PHONE not in body
    assert f'value="{MASKED_PHONE}"' in body
    assert "Reveal to correct the mobile number (logged)" in body
    assert not AuditEntry.objects.filter(action="customer.phone_revealed").exists()


def test_saving_the_form_untouched_keeps_both_numbers_and_changes_nothing(
    alice_client, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    versions = alices_customer.history.count()
    response = alice_client.post(url, _as_shown(alice_client.get(url)))
    assert response.status_code == 302
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert (stored.phone, stored.national_id) == (PHONE, alices_customer.national_id)
    assert alices_customer.history.count() == versions
    assert not AuditEntry.objects.filter(action="customer.updated").exists()


def test_a_new_mobile_replaces_the_stored_one(alice_client, alices_customer):
    url = reverse("customers:edit", args=[alices_customer.pk])
    data = _as_shown(alice_client.get(url)) | {"phone": "+86 137 0000 1111"}
    assert alice_client.post(url, data).status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).phone == "13700001111"
    entry = AuditEntry.objects.get(action="customer.updated")
    assert entry.detail == {"fields": ["phone"]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "Enter an 11-digit mainland mobile number, e.g. 13812345678."),
        ("139****5679", "This number is shown masked and cannot be changed in part"),
    ],
)
def test_a_bad_mobile_is_refused_with_a_clear_message_and_nothing_saved(
    alice_client, alices_customer, typed, message
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    data = _as_shown(alice_client.get(url)) | {"phone": typed, "occupation": "教师"}
    response = alice_client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert PHONE not in body
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert (stored.phone, stored.occupation) == (PHONE, alices_customer.occupation)


def test_reveal_to_correct_the_mobile_is_logged_then_the_mobile_can_be_corrected(
    alice_client, rm_alice, alices_customer
):
    url = reverse("customers:edit", args=[alices_customer.pk])
    revealed = alice_client.post(url, {"reveal_phone": "1"})
    assert revealed.status_code == 200
    body = revealed.content.decode()
    assert f'value="{PHONE}"' in body
    assert alices_customer.national_id not in body  # only what was asked for
    entry = AuditEntry.objects.get(action="customer.phone_revealed")
    assert (entry.actor, entry.customer, entry.detail) == (
        rm_alice,
        alices_customer,
        {"purpose": "correct"},
    )
    assert not AuditEntry.objects.filter(action="customer.id_revealed").exists()
    data = _as_shown(revealed) | {"phone": "13912345679"}
    assert alice_client.post(url, data).status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).phone == "13912345679"
    assert AuditEntry.objects.filter(action="customer.phone_revealed").count() == 1


def test_reveal_to_correct_keeps_what_was_typed_in_the_form(alice_client, alices_customer):
    """The reveal button posts the form: the entries made so far come back with the number."""
    url = reverse("customers:edit", args=[alices_customer.pk])
    typed = _as_shown(alice_client.get(url)) | {"occupation": "教师", "reveal_phone": "1"}
    typed.pop("marketing_consent", None)  # unticked
    revealed = alice_client.post(url, typed)
    form = revealed.context["form"]
    assert (form["occupation"].value(), form["phone"].value()) == ("教师", PHONE)
    assert form["marketing_consent"].value() is False
    assert alices_customer.national_id not in revealed.content.decode()
    data = _as_shown(revealed) | {"phone": "13912345679"}
    assert alice_client.post(url, data).status_code == 302
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert (stored.phone, stored.occupation) == ("13912345679", "教师")


def test_reveal_to_correct_the_mobile_stops_at_the_reveal_limit(
    alice_client, alices_customer, settings
):
    settings.REVEAL_LIMIT = 2
    url = reverse("customers:edit", args=[alices_customer.pk])
    assert alice_client.post(url, {"reveal_id": "1"}).status_code == 200  # the same limit
    assert PHONE in alice_client.post(url, {"reveal_phone": "1"}).content.decode()
    refused = alice_client.post(url, {"reveal_phone": "1"})
    body = refused.content.decode()
    assert "reached the limit of 2 reveals" in body
    assert PHONE not in body and MASKED_PHONE in body
    assert AuditEntry.objects.filter(action="customer.phone_revealed").count() == 1
    assert AuditEntry.objects.filter(action="customer.reveal_limited").count() == 1


@pytest.mark.parametrize("param", ["reveal_phone", "reveal_id"])
def test_reveal_to_correct_of_another_branchs_customer_is_404(bob_client, alices_customer, param):
    url = reverse("customers:edit", args=[alices_customer.pk])
    response = bob_client.post(url, {param: "1"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(customer=alices_customer).exists()


def test_a_colleague_who_may_only_read_cannot_reveal_to_correct(carol_client, alices_customer):
    url = reverse("customers:edit", args=[alices_customer.pk])
    assert carol_client.post(url, {"reveal_phone": "1"}).status_code == 403
    assert not AuditEntry.objects.filter(action="customer.phone_revealed").exists()


def test_the_profile_reveal_of_the_mobile_is_logged_without_a_purpose(
    alice_client, alices_customer
):
    url = reverse("customers:reveal_phone", args=[alices_customer.pk])
    response = alice_client.post(url, HTTP_HX_REQUEST="true")
    assert PHONE in response.content.decode()
    assert AuditEntry.objects.get(action="customer.phone_revealed").detail == {}


def test_an_untouched_mask_keeps_a_colleagues_new_number(alice_client, supervisor, alices_customer):
    """Alice edits while her supervisor changes the mobile: Alice's untouched (masked) mobile
    stands for the number stored now, so her save keeps both changes without a conflict."""
    url = reverse("customers:edit", args=[alices_customer.pk])
    shown = _as_shown(alice_client.get(url))
    services.customer_update(
        actor=supervisor, customer=alices_customer, fields={"phone": "13600002222"}
    )
    assert alice_client.post(url, shown | {"occupation": "教师"}).status_code == 302
    stored = Customer.objects.get(pk=alices_customer.pk)
    assert (stored.phone, stored.occupation) == ("13600002222", "教师")


def test_an_edit_conflict_on_the_mobile_shows_it_masked(alice_client, supervisor, alices_customer):
    """Both change the mobile: the conflict names the colleague's change, masked, and Alice's
    informed second save keeps her number."""
    url = reverse("customers:edit", args=[alices_customer.pk])
    shown = _as_shown(alice_client.get(url))
    services.customer_update(
        actor=supervisor, customer=alices_customer, fields={"phone": "13600002222"}
    )
    conflict = alice_client.post(url, shown | {"phone": "13911113333"})
    assert conflict.status_code == 200
    body = conflict.content.decode()
    assert "while you were editing" in body
    assert f"{MASKED_PHONE} → 136****2222" in body
    for whole in (PHONE, "13600002222", alices_customer.national_id):
        assert whole not in body
    again = alice_client.post(url, _as_shown(conflict))
    assert again.status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).phone == "13911113333"


# -- The mobile number in Django admin --------------------------------------------------------


def test_admin_masks_the_mobile_and_logs_a_reveal_to_correct_once(
    head_office, head_office_client, alices_customer
):
    head_office.groups.add(role_groups_sync())
    url = f"/admin/customers/customer/{alices_customer.pk}/change/"
    page = head_office_client.get(url)
    body = page.content.decode()
    assert PHONE not in body and MASKED_PHONE in body
    assert "?reveal_phone=1" in body
    assert not AuditEntry.objects.filter(action="customer.phone_revealed").exists()
    untouched = {
        name: page.context["adminform"].form[name].value()
        for name in ("customer_number", "name", "national_id", "phone", "segment", "status")
    } | {
        "date_of_birth": alices_customer.date_of_birth.isoformat(),
        "branch": alices_customer.branch_id,
        "relationship_manager": alices_customer.relationship_manager_id,
        "version": page.context["adminform"].form["version"].value(),
    }
    assert head_office_client.post(url, untouched).status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).phone == PHONE

    body = head_office_client.get(url + "?reveal_phone=1").content.decode()
    assert PHONE in body
    entry = AuditEntry.objects.get(action="customer.phone_revealed")
    assert entry.detail == {"purpose": "correct (admin)"}
    # Saving the form opened that way reveals nothing again.
    version = Customer.objects.get(pk=alices_customer.pk).updated_at.isoformat()
    saved = head_office_client.post(
        url + "?reveal_phone=1", untouched | {"phone": "13912345679", "version": version}
    )
    assert saved.status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).phone == "13912345679"
    assert AuditEntry.objects.filter(action="customer.phone_revealed").count() == 1


def test_admin_shows_a_past_version_with_its_numbers_masked(
    head_office, head_office_client, alices_customer, rm_alice
):
    head_office.groups.add(role_groups_sync())
    services.customer_update(
        actor=rm_alice, customer=alices_customer, fields={"phone": "13600002222"}
    )
    oldest = alices_customer.history.order_by("history_date").first()
    url = f"/admin/customers/customer/{alices_customer.pk}/history/{oldest.history_id}/"
    response = head_office_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert MASKED_PHONE in body
    assert PHONE not in body and alices_customer.national_id not in body


def test_admin_view_only_user_sees_the_numbers_masked(client, alices_customer):
    viewer = UserFactory(username="auditor", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(viewer)
    response = client.get(f"/admin/customers/customer/{alices_customer.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert MASKED_PHONE in body and alices_customer.masked_national_id in body
    assert PHONE not in body and alices_customer.national_id not in body


# -- The access log ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [PHONE, "+86 139 1234 5678"])
def test_the_access_log_shows_an_export_searched_by_mobile_masked(
    alice_client, supervisor_client, alices_customer, typed
):
    alice_client.get(reverse("customers:export"), {"q": typed})
    entry = AuditEntry.objects.get(action="customer.exported")
    assert entry.detail["q"] == MASKED_PHONE  # the log itself keeps no whole number
    page = supervisor_client.get(reverse("customers:access_log")).content.decode()
    assert f"search “{MASKED_PHONE}”" in page and PHONE not in page


def test_the_access_log_masks_a_searched_number_logged_before(
    supervisor, supervisor_client, alices_customer
):
    for q in (PHONE, alices_customer.national_id):
        services.audit_record(
            actor=supervisor,
            action="customer.exported",
            detail={"q": q},
            branch=alices_customer.branch,
        )
    page = supervisor_client.get(reverse("customers:access_log")).content.decode()
    csv = b"".join(
        supervisor_client.get(reverse("customers:access_log_export")).streaming_content
    ).decode()
    for shown in (page, csv):
        assert MASKED_PHONE in shown and alices_customer.masked_national_id in shown
        assert PHONE not in shown and alices_customer.national_id not in shown


def test_admin_shows_an_audit_entrys_searched_number_masked(
    head_office, head_office_client, alices_customer
):
    head_office.groups.add(role_groups_sync())
    entry = services.audit_record(
        actor=head_office,
        action="customer.exported",
        detail={"q": PHONE, "segment": "mass"},
        branch=alices_customer.branch,
    )
    response = head_office_client.get(f"/admin/customers/auditentry/{entry.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert MASKED_PHONE in body and "mass" in body
    assert PHONE not in body
