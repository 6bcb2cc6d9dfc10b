"""The default risk-tolerance questionnaire (风险承受能力评估), in the style Chinese banks use.

Ten questions, each answer scored 0–10, total 0–100; classes C1 (conservative) below 21, C2
from 21, C3 from 41, C4 from 61, C5 from 81. Head office edits it (as a new version) in admin.
Texts are wrapped in gettext_noop so that the catalogue translates them on the page.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

VERSION = "2026-1"
TITLE = gettext_noop("Personal customer risk tolerance assessment")
THRESHOLDS = {"c2_min_score": 21, "c3_min_score": 41, "c4_min_score": 61, "c5_min_score": 81}
QUESTIONS = [
    (
        gettext_noop("How old are you?"),
        [
            (gettext_noop("Under 30"), 8),
            (gettext_noop("30 to 45"), 10),
            (gettext_noop("46 to 55"), 6),
            (gettext_noop("56 to 65"), 3),
            (gettext_noop("Over 65"), 1),
        ],
    ),
    (
        gettext_noop("What is your annual household income?"),
        [
            (gettext_noop("Under ¥100,000"), 2),
            (gettext_noop("¥100,000–300,000"), 4),
            (gettext_noop("¥300,000–1,000,000"), 7),
            (gettext_noop("Over ¥1,000,000"), 10),
        ],
    ),
    (
        gettext_noop("How stable is your income?"),
        [
            (gettext_noop("Unstable or none (e.g. between jobs)"), 1),
            (gettext_noop("Fairly stable (e.g. commission, own business)"), 5),
            (gettext_noop("Very stable (e.g. salaried, pension)"), 10),
        ],
    ),
    (
        gettext_noop("What share of your household's financial assets would this investment be?"),
        [
            (gettext_noop("More than 50%"), 1),
            (gettext_noop("30% to 50%"), 4),
            (gettext_noop("10% to 30%"), 7),
            (gettext_noop("Less than 10%"), 10),
        ],
    ),
    (
        gettext_noop(
            "How many years have you invested in funds, stocks or wealth-management products?"
        ),
        [
            (gettext_noop("None"), 0),
            (gettext_noop("Less than 2 years"), 3),
            (gettext_noop("2 to 5 years"), 6),
            (gettext_noop("5 to 10 years"), 8),
            (gettext_noop("More than 10 years"), 10),
        ],
    ),
    (
        gettext_noop("Which of these have you invested in?"),
        [
            (gettext_noop("Only bank deposits and government bonds"), 1),
            (gettext_noop("Bond funds, money-market funds, bank wealth-management products"), 4),
            (gettext_noop("Equity funds or stocks"), 7),
            (gettext_noop("Futures, options, structured or private products"), 10),
        ],
    ),
    (
        gettext_noop("How long do you plan to keep this money invested?"),
        [
            (gettext_noop("Less than 1 year"), 2),
            (gettext_noop("1 to 3 years"), 5),
            (gettext_noop("3 to 5 years"), 8),
            (gettext_noop("More than 5 years"), 10),
        ],
    ),
    (
        gettext_noop("What is your main goal for this investment?"),
        [
            (gettext_noop("Keep my capital safe; low returns are fine"), 1),
            (gettext_noop("A steady income a little above deposits"), 4),
            (gettext_noop("Balanced growth with some ups and downs"), 7),
            (gettext_noop("High returns, accepting large swings"), 10),
        ],
    ),
    (
        gettext_noop("What is the largest loss of principal you could accept in a year?"),
        [
            (gettext_noop("None"), 0),
            (gettext_noop("Up to 10%"), 4),
            (gettext_noop("10% to 30%"), 7),
            (gettext_noop("More than 30%"), 10),
        ],
    ),
    (
        gettext_noop("If your investment fell by 20% within a month, what would you do?"),
        [
            (gettext_noop("Sell everything"), 1),
            (gettext_noop("Sell part of it"), 4),
            (gettext_noop("Keep it and wait"), 7),
            (gettext_noop("Buy more"), 10),
        ],
    ),
]


def load(apps, schema_editor):
    Questionnaire = apps.get_model("products", "RiskQuestionnaire")
    Question = apps.get_model("products", "RiskQuestion")
    Option = apps.get_model("products", "RiskOption")
    if Questionnaire.objects.filter(version=VERSION).exists():
        return
    questionnaire = Questionnaire.objects.create(
        version=VERSION,
        title=TITLE,
        is_active=not Questionnaire.objects.filter(is_active=True).exists(),
        **THRESHOLDS,
    )
    for position, (text, options) in enumerate(QUESTIONS, start=1):
        question = Question.objects.create(
            questionnaire=questionnaire, position=position, text=text
        )
        Option.objects.bulk_create(
            Option(question=question, position=i, text=answer, score=score)
            for i, (answer, score) in enumerate(options, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("products", "0001_catalogue_shelf_holdings_questionnaire_campaigns")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
