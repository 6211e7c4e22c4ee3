"""Charts that do not mislead (issue 11): whole-number ticks for counts, values on a
flat line, no one-point "trends", and one meaning for "—" and "[c]" with a legend."""

import re

from django.urls import reverse

from harmonia.reports.charts import chart
from harmonia.reports.views import trend_charts


def _ticks(svg: str) -> list[str]:
    """The labels of the value axis (right-aligned texts left of the plot)."""
    return re.findall(r'text-anchor="end" fill="#575462">([^<]*)</text>', svg)


def test_counts_get_whole_number_ticks():
    """25 children used to give an axis of 0 / 6.2 / 12.5 / 18.8 / 25."""
    svg = chart(["2024/25", "2025/26"], [("Children", [25, 20])], title="Children", integer=True)
    ticks = _ticks(svg)
    assert ticks == ["0", "10", "20", "30"]
    from harmonia.reports.charts import axis

    assert axis([3], integer=True) == [0, 1, 2, 3]  # never 0.75 of a child
    assert axis([1], integer=True) == [0, 1]


def test_measures_get_round_ticks_too():
    from harmonia.reports.charts import axis

    assert axis([83.3]) == [0, 25, 50, 75, 100]
    assert axis([3.8]) == [0, 1, 2, 3, 4]


def test_a_flat_line_carries_its_values():
    svg = chart(["Aut", "Spr", "Sum"], [("Attendance", [80, 80, 81])], title="t", kind="line")
    assert re.findall(r'class="chart-value"[^>]*>([^<]*)<', svg) == ["80", "80", "81"]
    steep = chart(["Aut", "Spr", "Sum"], [("Attendance", [20, 60, 95])], title="t", kind="line")
    assert "chart-value" not in steep  # a line that moves is read from the axis


def test_one_point_is_a_value_not_a_trend():
    svg = chart(["Aut 26"], [("Attendance", [79.2])], title="Attendance", kind="line", trend=True)
    assert "<path" not in svg and "<svg" not in svg
    assert "79.2" in svg and "Aut 26" in svg
    two = chart(["Aut", "Spr"], [("Attendance", [79.2, 80])], title="t", kind="line", trend=True)
    assert "<path" in two


def test_the_dashboard_trends_of_one_term_show_values():
    data = {
        "term_trend": [
            {
                "label": "Autumn 2026/27",
                "short": "Aut 26",
                "children": 13,
                "rate": 83.3,
                "hours": 3.8,
            }
        ],
        "year_trend": [{"label": "2026/27", "children": 13, "retention": "—"}],
    }
    charts = trend_charts(data)
    assert len(charts) == 3
    for _title, svg, _numbers in charts:
        assert "<svg" not in svg  # each is a single value
    assert ["13" in charts[0][1], "83.3%" in charts[1][1], "3.8" in charts[2][1]] == [True] * 3


def test_hidden_and_missing_are_told_apart_in_a_chart():
    svg = chart(["a", "b", "c"], [("Children", [None, "—", 12])], title="t", integer=True)
    assert "[c]" in svg and "—" in svg


def test_every_report_page_has_the_legend_of_its_marks(client, world, registers):
    client.force_login(world.people["funder"])
    pages = [
        reverse("reports:programme_dashboard", args=[world.england.pk]),
        reverse("reports:centre_dashboard", args=[world.centre_a.pk]),
        reverse("reports:annual_return", args=[world.england.pk]),
        reverse("reports:grant_report", args=[world.grant_a.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        legend = re.search(r'<p class="cell-legend[^>]*>(.*?)</p>', html, re.S)
        assert legend, url
        text = re.sub(r"<[^>]+>", "", legend.group(1))
        assert "[c] hidden to protect children" in text, url
        assert "— no data yet, or does not apply" in text, url


def test_the_centre_page_marks_a_hidden_count_as_c_not_lt5(client, world, registers):
    """The centre page's "Who we reach" for its manager: 4 of 12 children are EAL,
    hidden; it used to say "<5" for counts and "—" (which means "no data") for a
    hidden share."""
    client.force_login(world.people["manager_a"])
    html = client.get(world.centre_a.get_absolute_url()).content.decode()
    section = html[html.index('id="equity-profile-heading"') :]
    section = section[: section.index("</section>")]
    assert "&lt;5" not in section and "<5" not in section
    values = re.findall(r'stat__value">([^<]*)<', section)
    assert "[c]" in values and "—" not in values
