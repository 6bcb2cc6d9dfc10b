"""How a member of staff is named: one `person_name`, in code and as a template filter."""

from django.contrib.auth import get_user_model
from django.template import Context, Template

import accounts.models
from crm.names import person_name

User = get_user_model()


def named(who) -> str:
    template = Template('{% load crm_tags %}{{ who|person_name|default:"—" }}')
    return template.render(Context({"who": who}))


def test_staff_are_named_by_their_full_name_else_their_username():
    assert named(User(username="alice", first_name="丽", last_name="王")) == "丽 王"
    assert named(User(username="alice")) == "alice"


def test_nobody_is_named_with_a_dash():
    assert named(None) == "—"
    assert Template("{% load crm_tags %}[{{ missing|person_name }}]").render(Context()) == "[]"


def test_pages_and_code_share_one_definition():
    assert accounts.models.person_name is person_name
    assert person_name(User(username="bob", first_name="Bob")) == named(
        User(username="bob", first_name="Bob")
    )


def test_person_fields_are_all_person_name_reads(rm_alice, django_assert_num_queries):
    from crm.names import person_fields
    from customers.models import AuditEntry
    from customers.services import audit_record

    audit_record(actor=rm_alice, action="customer.viewed")
    with django_assert_num_queries(1):  # the entry and its actor's name fields, nothing more
        entry = AuditEntry.objects.select_related("actor").only("id", *person_fields("actor"))[0]
        assert person_name(entry.actor) == person_name(rm_alice)
