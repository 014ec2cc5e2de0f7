"""The dashboard in a real browser (Debian's headless Chromium), offline: the charts draw
from the locally served plotly.js, and the figures on the page are the API's."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.test import Client

from . import browser
from .conftest import gql

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

SCREENSHOTS = Path(os.environ.get("LIAISON_SCREENSHOT_DIR", "/tmp"))

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


@pytest.fixture
def chromium():
    binary = browser.find_chromium()
    if binary is None:
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    chrome = browser.Chromium(binary)
    yield chrome
    chrome.close()


def _login_cookie(user, host: str) -> str:
    c = Client(HTTP_HOST=host)
    c.force_login(user)
    return c.cookies["sessionid"].value


def _check_page(chrome, session, url: str, expected_headlines: dict, expected_rows: dict, row_key: str, shot: str):
    chrome.navigate_and_wait(session, url, READY)
    facts = json.loads(chrome.evaluate(session, PAGE_FACTS))
    chrome.screenshot(session, SCREENSHOTS / shot)
    assert facts["plotly"], "plotly.js did not load"
    assert set(facts["charts"]) == {"chart-tiers", "chart-coverage", "chart-trend", "chart-rates"}
    for chart_id, chart in facts["charts"].items():
        assert chart["width"] > 100 and chart["height"] > 100, (chart_id, chart)
        assert int(chart["rendered"]) == len(chart["traces"]) > 0, (chart_id, chart)
        assert any(t["points"] for t in chart["traces"]), (chart_id, chart)
        assert chart["marks"] > 0, (chart_id, chart)  # bars or line paths were drawn
    assert {k: int(v) for k, v in facts["headlines"].items()} == expected_headlines
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


def test_dashboards_render_offline_in_chromium_and_match_the_api(stats_data, stats_users, chromium):
    # What the API says, asked before the browser starts (same test transaction).
    province = gql("province", API_Q, user=stats_users["province"])["data"]["provinceStatistics"]
    kunming = gql("kunming", API_PREF_Q, user=stats_users["kunming_admin"])["data"]["prefectureStatistics"]
    province_cookie = _login_cookie(stats_users["province"], "localhost")
    kunming_cookie = _login_cookie(stats_users["kunming_admin"], "kunming.localhost")

    with browser.SharedConnectionServer() as server:
        session = chromium.new_page()
        chromium.set_cookie(session, "sessionid", province_cookie, "localhost")
        chromium.set_cookie(session, "sessionid", kunming_cookie, "kunming.localhost")
        facts = _check_page(chromium, session, f"http://localhost:{server.port}/dashboard/", _headlines(province["totals"]["figures"]),
                            {p["slug"]: p["figures"] for p in province["prefectures"]}, "slug", "liaison-dashboard-province.png")
        assert facts["headlines"]["positions_total"] == str(6 + 7)
        # The table sorts: by opinions, descending, qujing (7) before kunming (5).
        assert json.loads(chromium.evaluate(session, SORT_BY_OPINIONS)) == ["530300", "530100"]

        _check_page(chromium, session, f"http://kunming.localhost:{server.port}/dashboard/", _headlines(kunming["totals"]["figures"]),
                    {c["code"]: c["figures"] for c in kunming["counties"]}, "code", "liaison-dashboard-kunming.png")

        # A kunming administrator's session does not open the province dashboard.
        chromium.send("Network.clearBrowserCookies", session=session)
        chromium.set_cookie(session, "sessionid", kunming_cookie, "localhost")
        chromium.navigate_and_wait(session, f"http://localhost:{server.port}/dashboard/",
                                   "document.readyState === 'complete' && !document.getElementById('chart-data')")
        body = chromium.evaluate(session, "document.body.innerText")
        assert "无权查看全省统计" in body and "data-figure" not in chromium.evaluate(session, "document.documentElement.outerHTML")

    # Offline: every request the browser made went to this machine's server.
    urls = chromium.requested_urls()
    assert any(u.endswith("/static/vendor/plotly/plotly.min.js") for u in urls)
    hosts = {u.split("/")[2].split(":")[0] for u in urls if u.startswith("http")}
    assert hosts <= {"localhost", "kunming.localhost"}, hosts
