"""Charts (crm/charts.py, {% chart %}, static/js/charts.js): issue 13 item 4."""

import json
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from crm.charts import Chart, Series

SCREENSHOT = Path(__file__).resolve().parents[2] / "var" / "test-charts.png"


class _Table(HTMLParser):
    """The body rows of the chart's table: each cell as (text, href or None)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[tuple[str, str | None]]] = []
        self.in_body = False
        self.cell: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag in ("th", "td"):
            self.cell = ["", None]
        elif self.cell is not None and tag == "a":
            self.cell[1] = dict(attrs)["href"]

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif self.cell is not None and tag in ("th", "td"):
            self.rows[-1].append((self.cell[0].strip(), self.cell[1]))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data


def render(chart: Chart) -> str:
    return Template("{% load crm_tags %}{% chart chart %}").render(Context({"chart": chart}))


def table_rows(html: str) -> list[list[tuple[str, str | None]]]:
    parser = _Table()
    parser.feed(html)
    return parser.rows


def sales_chart(**kwargs) -> Chart:
    return Chart(
        id="sales",
        kind="bar",
        title=kwargs.pop("title", "Sales by segment"),
        labels=["Mass", "Affluent", "Private"],
        series=[
            Series(
                name="Deposits",
                values=[120, Decimal("85.5"), None],
                links=["/customers/?segment=mass", "", "/customers/?segment=private"],
            ),
            Series(name="Funds", values=[30, 40, 50]),
        ],
        unit="万元",
        **kwargs,
    )


def test_the_table_holds_the_numbers_and_the_drill_down_links():
    html = render(sales_chart())
    assert table_rows(html) == [
        [("Mass", None), ("120", "/customers/?segment=mass"), ("30", None)],
        [("Affluent", None), ("85.5", None), ("40", None)],
        # No value: a dash, and no link even though the series has one for that label.
        [("Private", None), ("—", None), ("50", None)],
    ]
    assert '<th scope="col" class="text-end">Deposits</th>' in html
    assert '<th scope="row">Mass</th>' in html
    assert "Sales by segment" in html.split("<caption")[1].split("</caption>")[0]
    assert 'data-chart="sales-data"' in html
    assert '<script id="sales-data" type="application/json">' in html


def test_as_data_is_json_with_lazy_strings_and_decimals_made_plain():
    chart = Chart(
        id="rate",
        kind="line",
        title=gettext_lazy("No data"),
        labels=[gettext_lazy("Show the numbers")],
        series=[Series(name=gettext_lazy("No data"), values=[Decimal("12.50")])],
        unit="%",
        y_max=Decimal(100),
    )
    with translation.override("zh-hans"):
        data = json.loads(json.dumps(chart.as_data()))
    assert data == {
        "kind": "line",
        "title": "暂无数据",
        "unit": "%",
        "yMax": 100.0,
        "labels": ["查看数据"],
        "series": [{"name": "暂无数据", "values": [12.5], "links": None}],
    }
    # NaN is not JSON: it would stop JSON.parse in the browser.
    nan = Chart(id="n", kind="bar", title="t", labels=["a"], series=[Series("s", [float("nan")])])
    assert json.loads(json.dumps(nan.as_data(), allow_nan=False))["series"][0]["values"] == [None]


def test_a_script_in_the_title_stays_inert():
    evil = "</script><script>alert(1)</script>"
    html = render(sales_chart(title=evil))
    assert "<script>alert(1)" not in html
    assert html.count("<script") == 1  # only the json_script
    data = html.split('type="application/json">')[1].split("</script>")[0]
    assert json.loads(data)["title"] == evil


def test_a_chart_without_data_says_so_and_hides_the_canvas():
    html = render(Chart(id="none", kind="funnel", title="Nothing", labels=[], series=[]))
    assert table_rows(html) == [[("No data", None)]]
    assert 'class="crm-chart crm-chart-empty"' in html
    with translation.override("zh-hans"):
        assert "暂无数据" in render(Chart(id="none", kind="bar", title="t", labels=[], series=[]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "Bad id"}, "chart id"),
        ({"kind": "pie"}, "chart kind"),
        ({"series": [Series("s", [1])]}, "one value per label"),
    ],
)
def test_a_malformed_chart_is_refused(kwargs, message):
    chart = {"id": "c", "kind": "bar", "title": "t", "labels": ["a", "b"], "series": []}
    with pytest.raises(ValueError, match=message):
        Chart(**{**chart, **kwargs})


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "https://evil.example/", "//evil.example/"]
)
def test_a_drill_down_link_is_a_path_on_this_site(link):
    with pytest.raises(ValueError, match="a link is a path"):
        Series(name="s", values=[1], links=[link])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.crm.chart_urls")
def test_chromium_draws_a_line_chart_and_a_funnel_under_the_csp(live_server, page):
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.location["url"].endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(f"{live_server.url}/test-charts/")
    for chart_id in ("new-customers", "campaign-funnel"):
        page.locator(f"#{chart_id} .crm-chart canvas").wait_for()
    assert page.locator("#nothing .crm-chart canvas").count() == 0
    assert not page.locator("#nothing .crm-chart").is_visible()
    page.wait_for_timeout(1200)  # the animation, for the screenshot
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Tooltips (drawn on the canvas: ECharts' HTML tooltip would break the CSP).
    page.hover("#campaign-funnel .crm-chart")
    page.hover("#new-customers .crm-chart")
    page.wait_for_timeout(300)

    # A click on a point with a drill-down follows it (the line's last point, 2026-11).
    box = page.locator("#new-customers .crm-chart").bounding_box()
    point = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('#new-customers .crm-chart'))"
        ".convertToPixel({seriesIndex: 0}, [3, 21])"
    )
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.wait_for_url("**/test-charts/?m=11")

    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.crm.chart_urls")
def test_on_paper_the_table_is_printed_instead_of_the_canvas(live_server, page):
    page.goto(f"{live_server.url}/test-charts/")
    page.locator("#new-customers .crm-chart canvas").wait_for()
    table = page.locator("#new-customers table")
    assert not table.is_visible()
    page.emulate_media(media="print")
    assert table.is_visible()
    assert not page.locator("#new-customers .crm-chart").is_visible()
