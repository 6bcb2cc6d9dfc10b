"""seed_demo's products step: volumes, shelf history, suitability of what it recommends and
targets, and the pages working on seeded data."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from customers.models import Customer, RiskAssessment
from interactions.models import Interaction
from products.models import (
    Campaign,
    CampaignTarget,
    Holding,
    Product,
    ProductVersion,
    QuestionnaireAnswers,
    Recommendation,
)
from products.selectors import holdings_for_customer
from products.suitability import Purpose, check_suitability


def test_seeded_products(db):
    call_command("seed_demo", customers=3000, seed=5, password="crm-demo")
    today = timezone.localdate()

    # About 60 products, some with shelf history; every product discussed is in the catalogue.
    assert Product.objects.count() == 60
    history = Product.objects.annotate(n=Count("versions")).filter(n__gt=1).count()
    assert history >= 5
    assert ProductVersion.objects.filter(status__in=["closed", "matured"]).exists()
    discussed = set(
        code
        for codes in Interaction.objects.values_list("product_codes", flat=True)
        for code in codes
    )
    assert discussed and discussed <= set(Product.objects.values_list("code", flat=True))

    # About 1.5 holdings per customer, maturities within 18 months, a few above the class.
    holdings = Holding.objects.count()
    assert 1.3 * 3000 < holdings < 1.7 * 3000
    assert not Holding.objects.filter(maturity_date__gt=today.replace(year=today.year + 2)).exists()
    flagged = sum(
        1
        for c in Customer.objects.filter(pk__in=range(1, 400)).exclude(risk_class="")
        for row in holdings_for_customer(customer=c)
        if row.above_class
    )
    assert flagged > 0

    # Questionnaire behind the recent assessments; older ones have none.
    answered = QuestionnaireAnswers.objects.select_related("assessment")
    assert answered.count() > 300
    assert all(len(a.answers) == 10 for a in answered[:50])
    assert all(sum(x["score"] for x in a.answers) == a.assessment.score for a in answered[:50])
    assert RiskAssessment.objects.filter(questionnaire_answers__isnull=True).exists()

    # Recommendations: each suitable when made, outcomes spread.
    recommendations = Recommendation.objects.select_related("customer", "product")
    assert recommendations.count() > 100
    outcomes = set(recommendations.values_list("outcome", flat=True))
    assert outcomes == {"pending", "accepted", "declined"}
    for rec in recommendations[:100]:
        on = rec.recommended_at.date()
        assert rec.needs.exists()
        assert check_suitability(rec.customer, rec.product, on=today).suitable or on < today

    # Three campaigns; every target suitable for every product of its campaign.
    assert Campaign.objects.filter(status="launched").count() == 3
    stats = CampaignTarget.objects.aggregate(
        n=Count("id"), subscribed=Count("id", filter=Q(status="subscribed"))
    )
    assert stats["n"] > 50 and stats["subscribed"] > 0
    for target in CampaignTarget.objects.select_related("customer", "campaign")[:100]:
        for product in target.campaign.products.all():
            assert check_suitability(target.customer, product, purpose=Purpose.CAMPAIGN).suitable

    # The pages work on seeded data.
    client = Client()
    client.force_login(get_user_model().objects.get(username="rm001"))
    assert client.get("/products/").status_code == 200
    product = Product.objects.get(code="INS-YL10")
    assert client.get(f"/products/{product.pk}/").status_code == 200
    campaign = Campaign.objects.order_by("pk").first()
    assert client.get(campaign.get_absolute_url()).status_code == 200
    customer = Customer.objects.filter(relationship_manager__username="rm001").first()
    for key in ["products-holdings", "products-suitable", "products-questionnaire"]:
        url = f"/customers/{customer.pk}/panels/{key}/"
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
