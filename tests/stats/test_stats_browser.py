"""The dashboard in a real browser (Playwright driving Debian's headless chromium, fixtures
in tests/browser_support.py), offline: the charts draw from the locally served plotly.js,
and the figures on the page are the API's."""
from __future__ import annotations

import json

import pytest

from .conftest import gql

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

API_Q = """{ provinceStatistics { totals { figures { positionsTotal homes stations offices deputyVisits peopleReceived opinions
  opinionsToSuggestions } } prefectures { slug figures { positionsTotal opinions onTimeRate } } } }"""
API_PREF_Q = """{ prefectureStatistics { totals { figures { positionsTotal homes stations offices deputyVisits peopleReceived opinions
  opinionsToSuggestions } } counties { code figures { positionsTotal opinions onTimeRate } } } }"""

READY = "document.body && document.body.getAttribute('data-charts-ready') === 'true'"
PAGE_FACTS = """(() => {
  const charts = {};
  for (const el of document.querySelectorAll('.chart')) {
    const svg = el.querySelector('svg.main-svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    charts[el.id] = {rendered: el.getAttribute('data-rendered'), width: box.width, height: box.height,
                     traces: (el._fullData || []).map(t => ({name: t.name, points: (t.y || []).filter(v => v !== null).length})),
                     marks: el.querySelectorAll('.point, .bars path, .js-line').length};
  }
  const headlines = {};
  for (const card of document.querySelectorAll('[data-figure]')) headlines[card.dataset.figure] = card.dataset.value;
  const head = [...document.querySelectorAll('#rows thead th')].map(th => th.dataset.key || th.textContent.trim());
  const rows = [...document.querySelectorAll('#rows tbody tr')].map(tr => ({code: tr.dataset.code, slug: tr.dataset.slug || null,
      cells: Object.fromEntries([...tr.cells].map((td, i) => [head[i], td.dataset.value === undefined ? td.textContent : td.dataset.value]))}));
  return JSON.stringify({charts, headlines, rows, asOf: document.getElementById('as-of').textContent,
                         plotly: typeof Plotly !== 'undefined' && Plotly.version});
})()"""
SORT_BY_OPINIONS = """(() => { const th = document.querySelector('#rows thead th[data-key="opinions"]'); th.click();
  return JSON.stringify([...document.querySelectorAll('#rows tbody tr')].map(tr => tr.dataset.code)); })()"""


def _check_page(page, screenshot, url: str, expected_headlines: dict, expected_rows: dict, row_key: str, shot: str):
    page.goto(url)
    page.wait_for_function(READY)
    facts = json.loads(page.evaluate(PAGE_FACTS))
    screenshot(page, shot)
    # the table fits its column at 1366 px: every figure is on screen without scrolling sideways
    wrap = page.evaluate("(() => { const w = document.querySelector('.table-wrap');"
                         " return {scroll: w.scrollWidth, client: w.clientWidth}; })()")
    assert wrap["scroll"] <= wrap["client"], wrap
    # the chart toolbar speaks Chinese
    titles = page.eval_on_selector_all(".modebar-btn", "els => els.map(e => e.getAttribute('data-title'))")
    assert "下载图表（PNG 图片）" in titles and "重置坐标轴" in titles, titles
    assert facts["plotly"], "plotly.js did not load"
    assert set(facts["charts"]) == {"chart-tiers", "chart-coverage", "chart-trend", "chart-rates"}
    for chart_id, chart in facts["charts"].items():
        assert chart["width"] > 100 and chart["height"] > 100, (chart_id, chart)
        assert int(chart["rendered"]) == len(chart["traces"]) > 0, (chart_id, chart)
        assert any(t["points"] for t in chart["traces"]), (chart_id, chart)
        assert chart["marks"] > 0, (chart_id, chart)  # bars or line paths were drawn
    assert {k: int(v) for k, v in facts["headlines"].items() if k != "resolution_rate"} == expected_headlines
    assert "resolution_rate" in facts["headlines"]  # a rate card beside the counts
    assert facts["asOf"][:2] == "20"
    got = {r[row_key]: r["cells"] for r in facts["rows"]}
    assert set(got) == set(expected_rows)
    for key, figures in expected_rows.items():
        assert int(got[key]["positions_total"]) == figures["positionsTotal"]
        assert int(got[key]["opinions"]) == figures["opinions"]
        rate = got[key]["on_time_rate"]
        assert (float(rate) if rate else None) == figures["onTimeRate"]
    return facts


def _headlines(figures: dict) -> dict:
    keys = {"positionsTotal": "positions_total", "homes": "homes", "stations": "stations", "offices": "offices",
            "deputyVisits": "deputy_visits", "peopleReceived": "people_received", "opinions": "opinions",
            "opinionsToSuggestions": "opinions_to_suggestions"}
    return {keys[k]: v for k, v in figures.items()}


def test_dashboards_render_offline_in_chromium_and_match_the_api(stats_data, stats_users, browser_server, new_page, login,
                                                                 screenshot):
    # What the API says, asked before the browser starts.
    with browser_server.paused():
        province = gql("province", API_Q, user=stats_users["province"])["data"]["provinceStatistics"]
        kunming = gql("kunming", API_PREF_Q, user=stats_users["kunming_admin"])["data"]["prefectureStatistics"]
    page = new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url))
    login(page, stats_users["province"], "localhost")
    login(page, stats_users["kunming_admin"], "kunming.localhost")

    facts = _check_page(page, screenshot, browser_server.url(None, "/dashboard/"), _headlines(province["totals"]["figures"]),
                        {p["slug"]: p["figures"] for p in province["prefectures"]}, "slug", "dashboard-province-desktop")
    assert facts["headlines"]["positions_total"] == str(6 + 7)
    # The table sorts: by opinions, descending, qujing (7) before kunming (5).
    assert json.loads(page.evaluate(SORT_BY_OPINIONS)) == ["530300", "530100"]

    _check_page(page, screenshot, browser_server.url("kunming", "/dashboard/"), _headlines(kunming["totals"]["figures"]),
                {c["code"]: c["figures"] for c in kunming["counties"]}, "code", "dashboard-kunming-desktop")

    # A kunming administrator's session does not open the province dashboard.
    page.context.clear_cookies()
    login(page, stats_users["kunming_admin"], "localhost")
    page.goto(browser_server.url(None, "/dashboard/"))
    assert "无权查看全省统计" in page.inner_text("body")
    assert "data-figure" not in page.content()

    # Offline: every request the browser made went to this machine's server.
    assert any(u.endswith("/static/vendor/plotly/plotly.min.js") for u in hosts)
    names = {u.split("/")[2].split(":")[0] for u in hosts if u.startswith("http")}
    assert names <= {"localhost", "kunming.localhost"}, names
