"""Each /dashboard/ table as CSV rows (written formula-safe by customers.exporting.csv_lines)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import person_name
from dashboards.selectors import Dashboard

TABLES = {
    "staff": gettext_lazy("Staff"),
    "branches": gettext_lazy("Branches"),
    "alerts": gettext_lazy("Open alerts"),
    "cases": gettext_lazy("Cases"),
    "feedback": gettext_lazy("CSAT and NPS by month"),
    "needs": gettext_lazy("Needs rising or falling"),
    "case-status": gettext_lazy("Time per case status"),
    "campaigns": gettext_lazy("Campaign funnels"),
}


def _blank(value) -> str:
    return "" if value is None else str(value)


def table_rows(data: Dashboard, table: str) -> tuple[list[str], list[list]]:
    """(header, rows) of one of TABLES for the dashboard's branch and period."""
    if table == "staff":
        labels = [label for _short, label, _score in data.staff[0].components] if data.staff else []
        header = [
            _("Employee number"),
            _("Name"),
            _("Rank"),
            _("Score"),
            *labels,
            _("Open alerts"),
            _("Overdue tasks"),
            _("Cases breached"),
        ]
        rows = [
            [
                r.staff.employee_number,
                person_name(r.staff.user),
                _blank(r.rank),
                _blank(r.composite),
                *[_blank(score) for _short, _label, score in r.components],
                r.alerts_open.n if r.alerts_open else "",
                r.tasks_overdue.n,
                r.cases_breached.n,
            ]
            for r in data.staff
        ]
        return header, rows
    if table == "branches":
        header = [
            _("Branch"),
            _("Customers"),
            _("Staff"),
            _("Average score"),
            _("Open alerts"),
            _("Alerts not acknowledged in time"),
            _("Cases breached"),
            _("Feedback received"),
            _("CSAT"),
            _("NPS"),
        ]
        rows = [
            [
                str(r["branch"]),
                _blank(r["customers"]),
                _blank(r["staff"]),
                _blank(r["score"]),
                r["alerts_open"].n,
                r["alerts_overdue"].n,
                r["cases_breached"].n,
                r["feedback"].n,
                _blank(r["csat_avg"]),
                _blank(r["nps"]),
            ]
            for r in data.branches
        ]
        return header, rows
    if table == "alerts":
        rows = [[_("By age"), f.label, f.n] for f in data.alerts_by_age]
        rows += [[_("By rule"), f.label, f.n] for f in data.alerts_by_rule]
        return [_("Group"), _("Figure"), _("Alerts")], rows
    if table == "cases":
        rows = [[_("Open now"), f.label, f.n] for f in data.cases.values()]
        rows += [[_("Opened in the period"), f.label, f.n] for f in data.cases_opened]
        return [_("Group"), _("Figure"), _("Cases")], rows
    if table == "feedback":
        header = [_("Month"), _("Feedback received"), _("CSAT"), _("NPS")]
        rows = [
            [f"{m['period'].start:%Y-%m}", m["n"], _blank(m["csat_avg"]), _blank(m["nps"])]
            for m in data.feedback_months
        ]
        return header, rows
    if table == "needs":
        header = [_("Need"), _("Previous period"), _("This period"), _("Change")]
        return header, [[r.name, r.before.n, r.now.n, r.change] for r in data.needs]
    if table == "case-status":
        header = [_("Status"), _("Cases"), _("Average hours")]
        rows = [
            [r.label, r.cases.n, round(r.average.total_seconds() / 3600, 1)]
            for r in data.status_times
        ]
        return header, rows
    if table == "campaigns":
        header = [_("Campaign"), _("Stage"), _("Targets")]
        rows = [[f.campaign.name, stage.label, stage.n] for f in data.funnels for stage in f.stages]
        return header, rows
    raise KeyError(table)
