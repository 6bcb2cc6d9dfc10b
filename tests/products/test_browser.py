"""In a real browser, at phone width: an RM completes the risk questionnaire with a customer,
sees the class, opens suitable products, records a recommendation, and is refused — with the
reason shown — for an unsuitable product."""

import pytest

from products.models import Recommendation, RiskQuestionnaire
from tests.conftest import sign_in
from tests.customers.factories import CustomerFactory, need_type
from tests.products.conftest import give_need
from tests.products.factories import product_on_shelf


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_questionnaire_then_suitable_products_then_a_refusal(live_server, page, rm_alice):
    from importlib import import_module

    from django.apps import apps

    # A transactional test empties tables: put the default questionnaire back.
    import_module("products.migrations.0002_default_questionnaire").load(apps, None)
    customer = CustomerFactory(relationship_manager=rm_alice, name="赵敏")
    give_need(customer, "retirement", 80)
    product_on_shelf("R2", code="INS-YL10", name="颐养年金保险", needs=[need_type("retirement")])
    product_on_shelf("R5", code="FUND-GP03", name="成长股票基金", needs=[need_type("retirement")])
    questionnaire = RiskQuestionnaire.objects.get(is_active=True)
    # The second answer of every question: 47 points, class C3.
    second = [
        (q.pk, q.options.order_by("position")[1].pk)
        for q in questionnaire.questions.order_by("position")
    ]

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, rm_alice.username)
    page.goto(f"{live_server.url}{customer.get_absolute_url()}")

    page.get_by_text("Risk questionnaire", exact=True).click()  # unfold: htmx fetches the form
    form = page.locator("[data-testid=questionnaire-form]")
    for question_id, option_id in second:
        form.locator(f"input[name=q{question_id}][value='{option_id}']").check()
    form.locator("button[type=submit]").click()
    assert "score 47, risk tolerance class C3 Balanced" in page.locator("main").inner_text()
    assert "C3 Balanced" in page.locator("[data-testid=risk]").inner_text()
    assert "questionnaire 2026-1" in page.locator("[data-testid=assessment-history]").inner_text()

    page.get_by_text("Suitable products and recommendations", exact=True).click()
    suitable = page.locator("[data-testid=suitable-products]")
    suitable.locator("text=颐养年金保险").wait_for()
    assert "成长股票基金" not in suitable.inner_text()  # R5 is above C3
    suitable.locator("input[name=rationale]").fill("退休规划，低波动")
    page.click("[data-testid=recommend-INS-YL10]")
    assert "Recommendation recorded." in page.locator("main").inner_text()
    assert "颐养年金保险" in page.locator("[data-testid=recommendations]").inner_text()

    page.get_by_text("Recommend another product", exact=True).click()
    other = page.locator("[data-testid=recommend-form]")
    other.locator("select[name=product]").select_option(label="FUND-GP03 成长股票基金")
    other.get_by_label("Retirement").check()
    other.locator("textarea[name=rationale]").fill("客户想要高收益")
    other.locator("button[type=submit]").click()
    text = page.locator("main").inner_text()
    assert "The product's risk level R5 is above the customer's risk tolerance class C3." in text
    assert list(Recommendation.objects.values_list("product__code", flat=True)) == ["INS-YL10"]
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
