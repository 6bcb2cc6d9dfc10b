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


def test_raw_sql_names_staff_as_person_name_does(rm_alice):
    """The timeline's raw SQL selects a user's name fields (person_json) and names them with
    person_name_of: the same name as person_name, and "" for nobody (no such user, or none)."""
    import json

    from django.db import connection

    from crm.names import person_json, person_name_of

    rm_alice.first_name, rm_alice.last_name = "丽", "王"
    rm_alice.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {person_json('x.id')}, {person_json('x.other')}"  # noqa: S608
            " FROM (SELECT %s::bigint AS id, NULL::bigint AS other) AS x",
            [rm_alice.pk],
        )
        (found, missing) = cursor.fetchone()
    assert person_name_of(json.loads(found)) == person_name(rm_alice) == "丽 王"
    assert missing is None and person_name_of(missing) == ""
