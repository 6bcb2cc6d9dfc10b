"""The dashboards' charts (crm.charts, drawn by ECharts with their numbers in a table) and the
staff table's sparklines (a tiny server-side SVG: one per row, no script)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.charts import Chart, Series

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 24, 2


def sparkline(values: list) -> str:
    """An SVG polyline `points` attribute for 0–100 scores, oldest first; None values are
    skipped (insufficient data), "" when fewer than two points remain."""
    if len(values) < 2:
        return ""
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(values) - 1)
    points = [
        f"{SPARK_PAD + i * step:.1f},"
        f"{SPARK_HEIGHT - SPARK_PAD - float(v) / 100 * (SPARK_HEIGHT - 2 * SPARK_PAD):.1f}"
        for i, v in enumerate(values)
        if v is not None
    ]
    return " ".join(points) if len(points) >= 2 else ""


def score_trend(snapshots: list) -> Chart | None:
    """An RM's own composite score over their last snapshots (oldest first), or None."""
    if not snapshots:
        return None
    return Chart(
        id="my-score",
        kind="line",
        title=ngettext(
            "My score, last %(n)d period", "My score, last %(n)d periods", len(snapshots)
        )
        % {"n": len(snapshots)},
        labels=[f"{s.period_end:%Y-%m-%d}" for s in snapshots],
        series=[Series(_("Score"), [s.composite for s in snapshots])],
        y_max=100,
    )


def _figures_chart(chart_id: str, kind: str, title: str, name: str, figures: list) -> Chart:
    """A chart of one series of dashboard Figures: their labels, counts and drill-downs."""
    return Chart(
        id=chart_id,
        kind=kind,
        title=title,
        labels=[f.label for f in figures],
        series=[Series(name, [f.n for f in figures], links=[f.link for f in figures])],
    )


def dashboard_charts(data) -> dict:
    """The charts of /dashboard/ from a selectors.Dashboard, each point linked to its records."""
    months = data.feedback_months
    month_labels = [f"{m['period'].start:%Y-%m}" for m in months]
    month_links = [m["link"] for m in months]
    result = {
        "csat": Chart(
            id="csat-months",
            kind="line",
            title=_("CSAT by month (average, 1–5)"),
            labels=month_labels,
            series=[Series(_("CSAT"), [m["csat_avg"] for m in months], links=month_links)],
            y_max=5,
        ),
        "nps": Chart(
            id="nps-months",
            kind="line",
            title=_("NPS by month (−100 to 100)"),
            labels=month_labels,
            series=[Series(_("NPS"), [m["nps"] for m in months], links=month_links)],
        ),
        "alerts_age": _figures_chart(
            "alerts-age", "bar", _("Open alerts by age"), _("Alerts"), data.alerts_by_age
        ),
        "alerts_rule": _figures_chart(
            "alerts-rule", "bar", _("Open alerts by rule"), _("Alerts"), data.alerts_by_rule
        ),
        "needs": Chart(
            id="needs",
            kind="bar",
            title=_("Need changes by need type: this period against the previous"),
            labels=[r.name for r in data.needs],
            series=[
                Series(
                    _("Previous period"),
                    [r.before.n for r in data.needs],
                    links=[r.before.link for r in data.needs],
                ),
                Series(
                    _("This period"),
                    [r.now.n for r in data.needs],
                    links=[r.now.link for r in data.needs],
                ),
            ],
        ),
        "status_times": Chart(
            id="status-times",
            kind="bar",
            title=_("Average time per case status (hours)"),
            labels=[r.label for r in data.status_times],
            series=[
                Series(
                    _("Hours"),
                    [
                        round(r.average.total_seconds() / 3600, 1) if r.cases.n else None
                        for r in data.status_times
                    ],
                    links=[r.cases.link for r in data.status_times],
                )
            ],
            unit="h",
        ),
    }
    result["funnels"] = [_funnel_chart(funnel) for funnel in data.funnels]
    return result


def _funnel_chart(funnel) -> Chart:
    """A campaign's funnel as the stages a target has reached — every target, those reached
    (contacted or further), those interested or further, those who subscribed — so each stage
    is at most the one above it. The counts per current status, with their links, are the
    dashboard's table (selectors.Funnel.stages: to contact, contacted, interested,
    subscribed, declined)."""
    to_contact, contacted, interested, subscribed, declined = (f.n for f in funnel.stages)
    total = to_contact + contacted + interested + subscribed + declined
    return Chart(
        id=f"funnel-{funnel.campaign.pk}",
        kind="funnel",
        title=funnel.campaign.name,
        labels=[_("Targets"), _("Reached"), _("Interested or further"), _("Subscribed")],
        series=[
            Series(
                _("Targets"),
                [total, total - to_contact, interested + subscribed, subscribed],
                links=[funnel.link, "", "", funnel.stages[3].link],
            )
        ],
    )
