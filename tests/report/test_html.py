from functools import partial

import numpy as np

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.fusion import LogitMeanFuser, Report
from fakescope.core.plotting import array_to_png
from fakescope.report.html import HtmlReport, render_html, write_html


def _report(path="<script>x</script>.png", png_width=2):
    png = array_to_png(np.zeros((2, png_width, 3), "uint8"))
    return Report.from_evidence(
        path,
        "image",
        [
            Evidence("spectrum", 0.9, "peaks", artefacts=[Artefact("image", "spectrum", png=png)]),
            Evidence(
                "lm-rank",
                0.2,
                "tokens",
                artefacts=[
                    Artefact("tokens", "GLTR", data=[{"text": "the", "bucket": 0, "value": 1.0}])
                ],
            ),
        ],
        LogitMeanFuser(),
    )


def test_html_has_one_item_per_file_with_pictures_tokens_and_escaping(tmp_path):
    bad = Report.failed("broken.png", "the file is truncated")
    html = render_html([_report(), bad])
    assert html.count('<article class="item') == 2
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "data:image/png;base64," in html
    assert "the file is truncated" in html and "GLTR" in html
    assert '<span class="t0" title="1">the</span>' in html
    out = write_html([_report()], tmp_path / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_thresholds_are_rounded_and_listed_once_per_modality():
    a, b = _report("a.png"), _report("b.png")
    a.thresholds, b.thresholds = (0.2614, 0.5213), (0.2611, 0.5209)
    html = render_html([a, b])
    assert "0.2614" not in html and "0.5213" not in html
    assert html.count("image: ≤ 0.26 likely real, ≥ 0.52 likely synthetic") == 1


def test_small_pictures_are_shown_enlarged_and_large_ones_at_their_size():
    small = render_html([_report(png_width=254)])
    assert 'width="508" height="4"' in small
    large = render_html([_report(png_width=400)])
    assert 'width="400" height="2"' in large


def test_long_abstention_verdict_wraps_inside_its_pill():
    r = Report.from_evidence(
        "short.txt",
        "text",
        [Evidence("lm-rank", None, "too short to judge (fewer than 30 word pieces)")],
        LogitMeanFuser(),
    )
    html = render_html([r])
    pill = '<span class="badge abstain">too short to judge (fewer than 30 word pieces)</span>'
    assert pill in html
    css = html[html.index("<style>") : html.index("</style>")]
    badge_rule = css[css.index("\n.badge{") :].split("}", 1)[0]
    assert "white-space:normal" in badge_rule and "max-width:100%" in badge_rule


def test_scores_the_verdict_did_not_count_are_marked():
    r = _report("a.png")
    r.not_counted = {"lm-rank": "not counted: the image verdict's fusion model was not fitted"}
    html = render_html([r])
    assert '<div class="det uncounted"><b>lm-rank</b>' in html
    assert "(not counted: the image verdict&#39;s fusion model was not fitted)" in html


def _lazy_report(render):
    picture = Artefact("image", "heat map", render=render)
    evidence = Evidence("spectrum", 0.9, "peaks", artefacts=[picture])
    return Report.from_evidence("a.png", "image", [evidence], LogitMeanFuser()), picture


def test_pictures_are_drawn_when_added_to_the_page_and_their_data_let_go():
    drawn = []

    def draw(rgb):
        drawn.append(rgb.shape)
        return array_to_png(rgb)

    report, picture = _lazy_report(partial(draw, np.zeros((2, 3, 3), "uint8")))
    assert "png_base64" not in report.to_dict()["evidence"][0]["artefacts"][0]
    assert drawn == []  # the JSON record never draws it
    page = HtmlReport()
    page.add(report)
    assert drawn == [(2, 3, 3)] and picture.render is None and picture.png[:4] == b"\x89PNG"
    assert len(page) == 1 and "data:image/png;base64," in page.render()


def test_a_picture_that_fails_to_draw_costs_only_the_picture(caplog):
    report, _ = _lazy_report(partial(array_to_png, np.zeros((2, 3, 3))))  # float: Pillow refuses
    html = render_html([report])
    assert "likely synthetic" in html and "data:image/png" not in html
    assert "heat map" in caplog.text and "could not be drawn" in caplog.text
