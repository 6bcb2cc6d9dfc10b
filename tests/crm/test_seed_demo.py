"""seed_demo: the demo data every demo, script and benchmark relies on (DOMAIN.md contracts)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Branch, Role, Staff
from accounts.seed import rm_username, supervisor_username
from customers import national_id
from customers.models import Customer

User = get_user_model()


def seed(customers=1200, seed=7, password="crm-demo", **kwargs):
    call_command("seed_demo", customers=customers, seed=seed, password=password, **kwargs)


def snapshot():
    return list(
        Customer.objects.order_by("id").values_list(
            "customer_number",
            "name",
            "national_id",
            "phone",
            "segment",
            "branch__code",
            "relationship_manager__username",
        )
    )


def test_contract_users_and_scale(db):
    seed(customers=12_000)
    assert Branch.objects.count() == 3  # about one per 5,000 customers, at least 3
    assert Staff.objects.filter(role=Role.RM).count() == 60  # about 200 customers each
    assert User.objects.get(username="admin").is_superuser
    assert Staff.objects.get(user__username="sup01").role == Role.SUPERVISOR
    rm001 = Staff.objects.get(user__username="rm001")
    assert rm001.role == Role.RM
    assert rm001.branch.code == "B001"
    assert Customer.objects.count() == 12_000
    assert User.objects.get(username="rm001").check_password("crm-demo")


def test_customers_are_realistic_and_valid(db):
    seed()
    for customer in Customer.objects.all()[:300]:
        assert national_id.problems(customer.national_id) == []
        assert national_id.birth_date(customer.national_id) == customer.date_of_birth
        assert customer.phone.startswith("1") and len(customer.phone) == 11
        assert customer.relationship_manager.staff.branch_id == customer.branch_id
        assert 2 <= len(customer.name) <= 4
    assert Customer.objects.values("segment").distinct().count() == 4


def test_same_seed_same_data(db):
    seed(seed=3)
    first = snapshot()
    seed(seed=3, reset=True)
    assert snapshot() == first
    seed(seed=4, reset=True)
    assert snapshot() != first


def test_refuses_to_overwrite_data_without_reset(db):
    seed(customers=10)
    with pytest.raises(CommandError, match="--reset"):
        seed(customers=10)


def test_password_option(db):
    seed(customers=10, password="another-secret")
    assert User.objects.get(username="sup01").check_password("another-secret")


def test_new_rows_after_seeding_get_fresh_ids(db):
    seed(customers=10)
    branch = Branch.objects.create(code="NEW", name="新网点", city="上海")
    assert branch.pk == 4


def test_contract_user_names_hold_at_any_scale():
    # 1,000,000 customers give 200 branches and 5,000 RMs: sup01 and rm001 must still exist.
    assert [supervisor_username(n) for n in (1, 99, 200)] == ["sup01", "sup99", "sup200"]
    assert [rm_username(n) for n in (1, 999, 5000)] == ["rm001", "rm999", "rm5000"]
