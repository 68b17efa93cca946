from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.fusion import LogitMeanFuser, Report
from fakescope.core.plotting import array_to_png
from fakescope.report.html import render_html, write_html


def test_html_has_one_row_per_file_with_pictures_tokens_and_escaping(tmp_path):
    png = array_to_png(__import__("numpy").zeros((2, 2, 3), "uint8"))
    good = Report.from_evidence(
        "<script>x</script>.png",
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
    bad = Report.failed("broken.png", "the file is truncated")
    html = render_html([good, bad])
    assert html.count('<tr class="item">') == 2
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "data:image/png;base64," in html
    assert "the file is truncated" in html and "GLTR" in html
    out = write_html([good], tmp_path / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
