"""How an alert reads to an RM: its title and its evidence in words (in the user's language).

The alert stores the numbers that fired it (Alert.evidence, JSON); these functions put them
into sentences at display time, so the same alert reads in English or Chinese.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from customers.models import LifeEvent

RULE_NAMES = {
    "life_event": gettext_lazy("Life event"),
    "large_inflow": gettext_lazy("Large inflow"),
    "aum_outflow": gettext_lazy("AUM outflow"),
    "maturity": gettext_lazy("Holding maturing"),
    "risk_expiry": gettext_lazy("Risk assessment expiring"),
    "suitability_review": gettext_lazy("Suitability review"),
    "retention_risk": gettext_lazy("Retention risk"),
    "contact_gap": gettext_lazy("Contact gap"),
    "unmet_need": gettext_lazy("Unmet need"),
    "age_milestone": gettext_lazy("Age milestone"),
}


def rule_name(code: str) -> str:
    return str(RULE_NAMES.get(code, code))


def money(value) -> str:
    """412000 → "412,000.00" (grouped in every language: amounts are read, not parsed)."""
    if value is None:
        return "—"
    return number_format(Decimal(str(value)).quantize(Decimal("0.01")), 2, force_grouping=True)


def _days(n: int) -> str:
    """A number of days in words: "1 day", "30 days" (Chinese "1 天", "30 天")."""
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def _snapshots(n) -> str:
    return ngettext(
        "The average is of %(n)s earlier balance snapshot.",
        "The average is of %(n)s earlier balance snapshots.",
        n if isinstance(n, int) else 0,
    ) % {"n": n}


def _date(value) -> str:
    return value if isinstance(value, str) else dt.date.isoformat(value)


def alert_title(code: str, evidence: dict) -> str:
    """A one-line title, e.g. "Large inflow: deposits +107.6 %"."""
    e = evidence
    if code == "life_event":
        kind = dict(LifeEvent.Kind.choices).get(e.get("kind", ""), e.get("kind"))
        return _("Life event: %(kind)s") % {"kind": kind}
    if code == "large_inflow":
        return _("Large inflow: deposits +%(pct)s %%") % {"pct": e.get("increase_pct")}
    if code == "aum_outflow":
        return _("AUM outflow: −%(pct)s %%") % {"pct": e.get("decrease_pct")}
    if code == "risk_expiry":
        if e.get("days_to_expiry", 0) <= 0:
            return _("Risk assessment expired")
        return _("Risk assessment expires in %(days)s") % {"days": _days(e["days_to_expiry"])}
    if code == "contact_gap":
        return _("No contact for %(days)s") % {"days": _days(e.get("days_without_contact", 0))}
    if code == "age_milestone":
        return _("Turns %(age)s") % {"age": e.get("age")}
    if code == "maturity":
        return _("%(product)s matures in %(days)s") % {
            "product": e.get("product_code"),
            "days": _days(e.get("days_to_maturity", 0)),
        }
    if code == "suitability_review":
        return _("Holdings above risk class %(cls)s") % {"cls": e.get("risk_class")}
    if code == "unmet_need":
        return _("Unmet need: %(need)s") % {"need": _need(e.get("need_name"))}
    if code == "retention_risk":
        if e.get("source") == "complaint":
            return _("Retention risk: complaint opened")
        return _("Retention risk: low rating")
    return rule_name(code)


def _need(name) -> str:
    """A need type's name as stored in the evidence, translated like NeedType.__str__ does."""
    return gettext(name) if name else "—"


def alert_evidence_words(code: str, evidence: dict) -> list[str]:
    """The evidence as sentences, e.g. "Deposits 412,000.00 vs 90-day average 198,500.00
    (+213,500.00, +107.6 %), as of 2026-10-31"."""
    e = evidence
    if code == "life_event":
        kind = dict(LifeEvent.Kind.choices).get(e.get("kind", ""), e.get("kind"))
        days = e.get("days_from_today", 0)
        if days > 0:
            when = _("expected in %(days)s") % {"days": _days(days)}
        elif days < 0:
            when = _("%(days)s ago") % {"days": _days(-days)}
        else:
            when = _("today")
        return [
            _("%(kind)s on %(date)s (%(when)s); the rule looks %(window)s back and ahead.")
            % {
                "kind": kind,
                "date": _date(e.get("event_date")),
                "when": when,
                "window": _days(e.get("window_days", 0)),
            }
        ]
    if code == "large_inflow":
        return [
            _(
                "Deposits %(value)s vs %(days)s-day average %(baseline)s "
                "(+%(diff)s, +%(pct)s %%), as of %(as_of)s."
            )
            % {
                "value": money(e.get("deposits")),
                "days": e.get("baseline_days"),
                "baseline": money(e.get("baseline")),
                "diff": money(e.get("increase")),
                "pct": e.get("increase_pct"),
                "as_of": _date(e.get("as_of")),
            },
            _snapshots(e.get("baseline_snapshots")),
        ]
    if code == "aum_outflow":
        return [
            _(
                "Investments (AUM) %(value)s vs %(days)s-day average %(baseline)s "
                "(−%(diff)s, −%(pct)s %%), as of %(as_of)s."
            )
            % {
                "value": money(e.get("aum")),
                "days": e.get("baseline_days"),
                "baseline": money(e.get("baseline")),
                "diff": money(e.get("decrease")),
                "pct": e.get("decrease_pct"),
                "as_of": _date(e.get("as_of")),
            },
            _snapshots(e.get("baseline_snapshots")),
        ]
    if code == "risk_expiry":
        days = e.get("days_to_expiry", 0)
        status = (
            _("expired %(days)s ago") % {"days": _days(-days)}
            if days < 0
            else _("expires today")
            if days == 0
            else _("expires in %(days)s") % {"days": _days(days)}
        )
        return [
            _("Risk class %(cls)s assessed on %(assessed)s; valid until %(until)s: %(status)s.")
            % {
                "cls": e.get("risk_class"),
                "assessed": _date(e.get("assessed_on")),
                "until": _date(e.get("expires_on")),
                "status": status,
            }
        ]
    if code == "contact_gap":
        if e.get("last_contact"):
            first = _("Last interaction on %(date)s: %(days)s ago (limit %(gap)s).") % {
                "date": _date(e["last_contact"]),
                "days": _days(e.get("days_without_contact", 0)),
                "gap": _days(e.get("gap_days", 0)),
            }
        else:
            first = _("Never contacted since becoming a customer on %(date)s: %(days)s.") % {
                "date": _date(e.get("since")),
                "days": _days(e.get("days_without_contact", 0)),
            }
        return [first]
    if code == "age_milestone":
        days = e.get("days_to_birthday", 0)
        when = (
            _("in %(days)s") % {"days": _days(days)}
            if days > 0
            else _("%(days)s ago") % {"days": _days(-days)}
            if days < 0
            else _("today")
        )
        return [
            _("Turns %(age)s on %(date)s (%(when)s).")
            % {"age": e.get("age"), "date": _date(e.get("birthday")), "when": when}
        ]
    if code == "maturity":
        return [
            _("%(product)s, principal %(principal)s %(currency)s, matures on %(date)s (%(when)s).")
            % {
                "product": e.get("product_code"),
                "principal": money(e.get("principal")),
                "currency": e.get("currency"),
                "date": _date(e.get("maturity_date")),
                "when": _("in %(days)s") % {"days": _days(e.get("days_to_maturity", 0))},
            }
        ]
    if code == "suitability_review":
        return [
            ngettext(
                "%(n)s holding (%(products)s, principal %(principal)s) of risk level "
                "%(level)s, above the customer's class %(cls)s assessed on %(assessed)s.",
                "%(n)s holdings (%(products)s, principal %(principal)s) up to risk level "
                "%(level)s, above the customer's class %(cls)s assessed on %(assessed)s.",
                e.get("holdings") or 0,
            )
            % {
                "n": e.get("holdings"),
                "products": ", ".join(e.get("products") or []),
                "principal": money(e.get("principal")),
                "level": e.get("highest_level"),
                "cls": e.get("risk_class"),
                "assessed": _date(e.get("assessed_on")) if e.get("assessed_on") else "—",
            }
        ]
    if code == "unmet_need":
        return [
            _(
                "%(need)s was discussed on %(date)s (%(days)s ago) and nothing was recommended "
                "or bought for it within %(window)s."
            )
            % {
                "need": _need(e.get("need_name")),
                "date": _date(e.get("discussed_on")),
                "days": _days(e.get("days_since", 0)),
                "window": _days(e.get("follow_up_days", 0)),
            }
        ]
    if code == "retention_risk":
        if e.get("source") == "complaint":
            return [
                _("A complaint (%(category)s, severity %(severity)s) was opened on %(date)s.")
                % {
                    "category": e.get("category"),
                    "severity": e.get("severity"),
                    "date": _date(e.get("opened_on")),
                }
            ]
        parts = []
        if e.get("nps") is not None:
            parts.append(_("NPS %(n)s of 10") % {"n": e["nps"]})
        if e.get("csat") is not None:
            parts.append(_("CSAT %(n)s of 5") % {"n": e["csat"]})
        return [
            _("Feedback received on %(date)s: %(scores)s.")
            % {"date": _date(e.get("received_on")), "scores": ", ".join(parts)}
        ]
    return [f"{k}: {v}" for k, v in sorted(e.items())]
