"""Admin edit forms of shared reference data: a save over a colleague's is refused with what
changed, nothing saved (crm.admin.VersionCheckedAdmin, issue 8 item 3)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.services import staff_create
from customers.models import AuditEntry, NeedType
from feedback.models import BranchHours, SlaPolicy
from insights.models import AlertRule
from tests.accounts.factories import BranchFactory

pytestmark = pytest.mark.django_db

PW = "a long password 1"


def _head_office(username: str, number: str, first_name: str) -> Client:
    user = staff_create(
        username=username, password=PW, role=Role.HEAD_OFFICE, employee_number=number
    ).user
    user.first_name = first_name
    user.save(update_fields=["first_name"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hannah():
    return _head_office("hannah", "HO71", "Hannah")


@pytest.fixture
def henry():
    return _head_office("henry", "HO72", "Henry")


def _value(bf):
    value = bf.value()
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _loaded(client: Client, url: str) -> dict:
    """What the browser would post back unchanged: the form and its inline formsets."""
    context = client.get(url).context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            bf = form[name]
            if bf.field.disabled:
                continue
            value = _value(bf)
            if value is not None:
                data[bf.html_name] = value
    return data


def _sla_policy() -> SlaPolicy:
    return SlaPolicy.objects.update_or_create(
        case_type="complaint",
        severity="high",
        defaults={
            "acknowledge_within": 1,
            "acknowledge_unit": "working_days",
            "resolve_within": 15,
            "resolve_unit": "working_days",
        },
    )[0]


def test_sla_policy_save_over_a_colleagues_is_refused_with_what_changed(hannah, henry):
    policy = _sla_policy()
    url = reverse("admin:feedback_slapolicy_change", args=[policy.pk])
    first, second = _loaded(hannah, url), _loaded(henry, url)
    assert first["edit_stamp"]

    assert hannah.post(url, {**first, "resolve_within": "10"}).status_code == 302
    response = henry.post(url, {**second, "resolve_within": "20", "warn_at_percent": "70"})

    assert response.status_code == 200  # the form again
    page = response.content.decode()
    assert "Nothing was saved: Hannah changed this record while you were editing it" in page
    assert "Resolve within: 15 → 10" in page
    policy.refresh_from_db()
    assert (policy.resolve_within, policy.warn_at_percent) == (10, 80)
    # The form keeps Henry's entries and now carries the current values: his informed second
    # save goes through.
    form = response.context["adminform"].form
    assert form["resolve_within"].value() == "20"
    again = {**second, "resolve_within": "20", "edit_stamp": form["edit_stamp"].value()}
    assert henry.post(url, again).status_code == 302
    policy.refresh_from_db()
    assert policy.resolve_within == 20


def test_a_single_sla_policy_save_still_works(hannah):
    policy = _sla_policy()
    url = reverse("admin:feedback_slapolicy_change", args=[policy.pk])
    response = hannah.post(url, {**_loaded(hannah, url), "warn_at_percent": "75"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.warn_at_percent == 75


def test_a_tampered_stamp_is_refused(hannah):
    policy = _sla_policy()
    url = reverse("admin:feedback_slapolicy_change", args=[policy.pk])
    data = {**_loaded(hannah, url), "warn_at_percent": "75", "edit_stamp": "forged"}
    response = hannah.post(url, data)
    assert response.status_code == 200
    assert "could not be checked against the stored record" in response.content.decode()
    policy.refresh_from_db()
    assert policy.warn_at_percent == 80


def test_need_type_save_over_a_colleagues_is_refused(hannah, henry):
    need = NeedType.objects.create(code="pension", name="Pension planning", sort_order=5)
    url = reverse("admin:customers_needtype_change", args=[need.pk])
    first, second = _loaded(hannah, url), _loaded(henry, url)

    assert hannah.post(url, {**first, "name": "Retirement"}).status_code == 302
    response = henry.post(url, {**second, "sort_order": "9"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hannah changed this record while you were editing it" in page
    assert "Name: Pension planning → Retirement" in page
    need.refresh_from_db()
    assert (need.name, need.sort_order) == ("Retirement", 5)


def test_a_single_need_type_save_still_works(hannah):
    need = NeedType.objects.create(code="pension", name="Pension planning", sort_order=5)
    url = reverse("admin:customers_needtype_change", args=[need.pk])
    assert hannah.post(url, {**_loaded(hannah, url), "sort_order": "9"}).status_code == 302
    need.refresh_from_db()
    assert need.sort_order == 9
    audit = AuditEntry.objects.get(action="need_type.updated")
    assert audit.detail["fields"] == ["sort_order"]  # the stamp is no edit


def _changelist_data(client: Client, url: str) -> dict:
    formset = client.get(url).context["cl"].formset
    data = {}
    for form in [formset.management_form, *formset.forms]:
        for name, field in form.fields.items():
            bf = form[name]
            value = _value(bf)
            if value is not None:
                data[bf.html_name] = value
            if field.show_hidden_initial:  # as the page renders it
                initial = bf.initial
                data[bf.html_initial_name] = str(initial)
    return {**data, "_save": "Save"}


def test_need_type_list_edit_over_a_colleagues_is_refused(hannah, henry):
    need = NeedType.objects.create(code="pension", name="Pension planning", sort_order=5)
    url = reverse("admin:customers_needtype_changelist")
    first, second = _changelist_data(hannah, url), _changelist_data(henry, url)
    row = next(
        k[: -len("-id")] for k, v in first.items() if k.endswith("-id") and v == str(need.pk)
    )

    assert hannah.post(url, {**first, f"{row}-sort_order": "7"}).status_code == 302
    response = henry.post(url, {**second, f"{row}-sort_order": "9"})

    assert response.status_code == 200
    assert "Sort order: 5 → 7" in response.content.decode()
    need.refresh_from_db()
    assert need.sort_order == 7


def test_staff_user_save_over_a_colleagues_is_refused(hannah, henry):
    colleague = staff_create(
        username="rosa", password=PW, role=Role.RM, employee_number="R71", branch=BranchFactory()
    ).user
    colleague.last_name = "Li"
    colleague.save(update_fields=["last_name"])
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    first, second = _loaded(hannah, url), _loaded(henry, url)
    assert first["staff-0-edit_stamp"]  # the staff profile inline carries its own

    response = hannah.post(url, {**first, "last_name": "Wang"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    response = henry.post(url, {**second, "email": "rosa@bank.example"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hannah changed this record while you were editing it" in page
    assert "Last name: Li → Wang" in page
    colleague.refresh_from_db()
    assert (colleague.last_name, colleague.email) == ("Wang", "")


def test_staff_profile_inline_save_over_a_colleagues_is_refused(hannah, henry):
    colleague = staff_create(
        username="rosa", password=PW, role=Role.RM, employee_number="R71", branch=BranchFactory()
    ).user
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    first, second = _loaded(hannah, url), _loaded(henry, url)

    assert hannah.post(url, {**first, "staff-0-employee_number": "R72"}).status_code == 302
    response = henry.post(url, {**second, "first_name": "Rosa"})

    assert response.status_code == 200
    assert "R71 → R72" in response.content.decode()
    colleague.refresh_from_db()
    assert (colleague.first_name, colleague.staff.employee_number) == ("", "R72")


def test_a_single_staff_user_save_still_works(hannah):
    colleague = staff_create(
        username="rosa", password=PW, role=Role.RM, employee_number="R71", branch=BranchFactory()
    ).user
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    response = hannah.post(url, {**_loaded(hannah, url), "first_name": "Rosa"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    colleague.refresh_from_db()
    assert colleague.first_name == "Rosa"


def test_branch_hours_and_alert_rules_are_checked_too(hannah, henry):
    hours = BranchHours.objects.create(branch=BranchFactory())
    url = reverse("admin:feedback_branchhours_change", args=[hours.pk])
    first, second = _loaded(hannah, url), _loaded(henry, url)
    assert hannah.post(url, {**first, "closes_at": "17:30"}).status_code == 302
    response = henry.post(url, {**second, "opens_at": "08:30"})
    assert response.status_code == 200
    hours.refresh_from_db()
    assert (hours.opens_at, hours.closes_at) == (dt.time(9), dt.time(17, 30))

    rule = AlertRule.objects.first()
    if rule is None:
        pytest.skip("no alert rules installed")
    # The head-office group has no insights rights (accounts.services.HEAD_OFFICE_APPS).
    perms = Permission.objects.filter(codename__in=["view_alertrule", "change_alertrule"])
    for client in (hannah, henry):
        get_user(client).user_permissions.add(*perms)
    url = reverse("admin:insights_alertrule_change", args=[rule.pk])
    first, second = _loaded(hannah, url), _loaded(henry, url)
    days = rule.expire_after_days
    assert hannah.post(url, {**first, "expire_after_days": str(days + 1)}).status_code == 302
    response = henry.post(url, {**second, "expire_after_days": str(days + 2)})
    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.expire_after_days == days + 1


def test_risk_questionnaire_and_its_questions_are_checked_too(hannah, henry):
    from products.models import RiskQuestionnaire

    questionnaire = RiskQuestionnaire.objects.create(
        version="T-1",
        title="Draft",
        c2_min_score=10,
        c3_min_score=20,
        c4_min_score=30,
        c5_min_score=40,
    )
    question = questionnaire.questions.create(position=1, text="How long can you invest?")
    url = reverse("admin:products_riskquestionnaire_change", args=[questionnaire.pk])
    first, second = _loaded(hannah, url), _loaded(henry, url)
    assert first["questions-0-edit_stamp"]

    edited = {**first, "questions-0-text": "For how long can you invest?"}
    assert hannah.post(url, edited).status_code == 302
    response = henry.post(url, {**second, "title": "Draft 2"})

    assert response.status_code == 200
    assert "How long can you invest? → For how long can you invest?" in response.content.decode()
    questionnaire.refresh_from_db()
    question.refresh_from_db()
    assert (questionnaire.title, question.text) == ("Draft", "For how long can you invest?")
