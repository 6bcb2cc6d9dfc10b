"""Alert titles and evidence put counts into sentences with the right plural, in English and
Chinese: "matures in 1 day", not "1 days"; "1 holding", not "1 holding(s)"."""

from django.utils import translation

from insights.presenters import alert_evidence_words, alert_title


def test_one_day_is_singular_and_chinese_has_its_own_form():
    evidence = {"product_code": "TD-3Y", "days_to_maturity": 1}
    assert alert_title("maturity", evidence) == "TD-3Y matures in 1 day"
    assert alert_title("maturity", evidence | {"days_to_maturity": 2}) == "TD-3Y matures in 2 days"
    with translation.override("zh-hans"):
        assert "1 天" in alert_title("maturity", evidence)


def test_one_holding_and_one_snapshot_read_as_one():
    (words,) = alert_evidence_words(
        "suitability_review",
        {
            "holdings": 1,
            "products": ["FUND-R4"],
            "principal": "50000",
            "highest_level": "R4",
            "risk_class": "C2",
            "assessed_on": "2026-01-05",
        },
    )
    assert words.startswith("1 holding (FUND-R4") and "(s)" not in words
    inflow = {"deposits": 300000, "baseline": 100000, "increase": 200000, "increase_pct": 200}
    inflow |= {"baseline_days": 90, "as_of": "2026-10-31", "baseline_snapshots": 1}
    assert alert_evidence_words("large_inflow", inflow)[1] == (
        "The average is of 1 earlier balance snapshot."
    )
    with translation.override("zh-hans"):
        (words,) = alert_evidence_words(
            "contact_gap",
            {"last_contact": "2026-10-30", "days_without_contact": 1, "gap_days": 90},
        )
        assert "1 天" in words and "days" not in words
