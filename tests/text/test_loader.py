from __future__ import annotations

import json

import pytest

from fakescope.core.media import MediaError
from fakescope.text.loader import (
    decode_bytes,
    html_to_text,
    load_text,
    markdown_to_text,
    sniff_text,
)


def test_plain_text_roundtrip(tmp_path):
    p = tmp_path / "note.txt"
    p.write_text("Hello there, this is a note.\nSecond line.", encoding="utf-8")
    [m] = load_text(p)
    assert m.modality == "text"
    assert m.data == "Hello there, this is a note.\nSecond line."
    assert m.path == str(p)
    assert m.metadata["format"] == "text"


def test_utf8_bom_and_utf16(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffCafé au lait".encode())
    assert load_text(p)[0].data == "Café au lait"
    q = tmp_path / "wide.txt"
    q.write_bytes("Wide text here".encode("utf-16"))
    assert load_text(q)[0].data == "Wide text here"


def test_binary_and_undecodable_are_refused(tmp_path):
    b = tmp_path / "fake.txt"
    b.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(MediaError, match="binary"):
        load_text(b)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1"))
    with pytest.raises(MediaError, match="not UTF-8"):
        load_text(latin)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n ")
    with pytest.raises(MediaError, match="empty"):
        load_text(empty)


def test_html_visible_text_only(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(
        "<!doctype html><html><head><title>News</title><style>body{color:red}</style>"
        "<script>var secret = 1;</script></head><body><h1>Headline</h1>"
        "<p>First &amp; foremost.</p><script>alert(2)</script><p>Second para.</p></body></html>"
    )
    [m] = load_text(p)
    assert m.data == "Headline\nFirst & foremost.\nSecond para."
    assert "secret" not in m.data and "alert" not in m.data
    assert m.metadata["title"] == "News"


def test_html_to_text_drops_noscript_and_svg():
    body, title = html_to_text("<div>a<noscript>x</noscript><svg><text>y</text></svg>b</div>")
    assert body == "ab"
    assert title == ""


def test_markdown_is_stripped(tmp_path):
    p = tmp_path / "post.md"
    p.write_text("# Title\n\n* item **one**\n\n```\ncode()\n```\nSee [docs](http://x).")
    [m] = load_text(p)
    assert "code()" not in m.data
    assert "Title" in m.data and "item one" in m.data and "See docs." in m.data
    assert markdown_to_text("_it_ and `x`") == "it and x"


def test_jsonl_one_media_per_record_and_bad_lines(tmp_path):
    p = tmp_path / "set.jsonl"
    p.write_text(
        json.dumps({"text": "first record", "id": 7})
        + "\n\n"
        + "{broken\n"
        + json.dumps({"body": "no text field"})
        + "\n"
        + json.dumps({"text": "last"})
        + "\n"
    )
    ms = load_text(p)
    assert [m.path for m in ms] == [f"{p}#1", f"{p}#2", f"{p}#3", f"{p}#4"]
    assert ms[0].data == "first record" and ms[0].metadata["id"] == 7
    assert "not valid JSON" in ms[1].metadata["error"]
    assert 'no "text" field' in ms[2].metadata["error"]
    assert ms[3].data == "last" and "error" not in ms[3].metadata


def test_json_object_list_and_errors(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"text": "single"}))
    assert [m.data for m in load_text(one)] == ["single"]
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": "a"}, {"text": "b"}]))
    assert [m.path for m in load_text(many)] == [f"{many}#1", f"{many}#2"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(MediaError, match="not valid JSON"):
        load_text(bad)
    nofield = tmp_path / "nofield.json"
    nofield.write_text(json.dumps({"title": "x"}))
    with pytest.raises(MediaError, match='no "text" field'):
        load_text(nofield)


def test_piped_jsonl_in_a_txt_file_stays_records(tmp_path):
    p = tmp_path / "stdin.txt"
    p.write_text(json.dumps({"text": "one"}) + "\n" + json.dumps({"text": "two"}) + "\n")
    assert [m.data for m in load_text(p)] == ["one", "two"]
    q = tmp_path / "brackets.txt"
    q.write_text("[citation needed] is a common tag on wiki pages.")
    assert load_text(q)[0].data.startswith("[citation needed]")


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    import fakescope.text.loader as loader

    monkeypatch.setattr(loader, "MAX_BYTES", 10)
    p = tmp_path / "big.txt"
    p.write_text("x" * 100)
    with pytest.raises(MediaError, match="not read"):
        load_text(p)


def test_sniff_claims_prose_only():
    assert sniff_text(b"It was a bright cold day in April, and the clocks were striking")
    assert sniff_text(b"<!DOCTYPE html><html>")
    assert not sniff_text(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert not sniff_text(b"a,b,c\n1,2,3\n4,5,6\n")
    assert not sniff_text(b'{"text": "json is claimed by extension"}')
    assert not sniff_text(b"")


def test_decode_bytes_reports_position():
    with pytest.raises(MediaError, match="position 3"):
        decode_bytes(b"abc\xff\xfe more text", "x.txt")


def _within(seconds, fn):
    import threading

    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", fn()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"took more than {seconds} s"
    return box["value"]


@pytest.mark.parametrize(
    "text",
    [
        "<!--a " * 40_000,  # unclosed comments: 40k openers took 78 s
        "[a](b " * 40_000,  # links without a closing parenthesis
        "![a](b " * 40_000,
        "[" * 200_000,
        "\n \n" * 100_000 + "x",  # blank lines before a non-bullet
    ],
    ids=["comments", "links", "images", "brackets", "blank-lines"],
)
def test_markdown_parsing_is_linear(text):
    _within(10, lambda: markdown_to_text(text))


@pytest.mark.parametrize(
    "text",
    ["<a " * 50_000, '<a b="' * 50_000, "<!--" * 50_000, "<title>" + "<!--" * 50_000],
    ids=["open-tags", "open-attributes", "comments", "title"],
)
def test_html_parsing_is_linear(text):
    # The standard library's HTMLParser took 25 s on 30 KB of "<a ".
    _within(10, lambda: html_to_text(text))


def test_html_visible_text_keeps_quoted_attributes_and_raw_text():
    body, title = html_to_text(
        '<title>A &amp; B</title><p title="1 > 0">kept</p><script>if (a < b) {}</script>'
        "<textarea><b>raw</b></textarea><!-- hidden -->tail<br/>&lt;end"
    )
    assert title == "A & B"
    assert body == "kept\n<b>raw</b>tail\n<end"


def test_json_huge_integers_and_deep_nesting_fail_only_their_record(tmp_path):
    p = tmp_path / "odd.jsonl"
    p.write_text(
        json.dumps({"text": "fine", "id": 1})
        + "\n"
        + '{"text": "big id", "id": '
        + "9" * 5000
        + "}\n"
        + "[" * 100_000
        + "]" * 100_000
        + "\n"
        + json.dumps({"text": "still read"})
        + "\n"
    )
    ms = load_text(p)
    assert [m.data for m in ms] == ["fine", "big id", "", "still read"]
    assert "id" not in ms[1].metadata  # kept as text, too long for the report
    assert "nested too deeply" in ms[2].metadata["error"]
    whole = tmp_path / "deep.json"
    whole.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(MediaError, match="not valid JSON \\(nested too deeply\\)"):
        load_text(whole)
    huge = tmp_path / "huge.json"
    huge.write_text('{"text": ' + "1" * 5000 + "}")
    [m] = load_text(huge)  # was "'ValueError' object has no attribute 'msg'"
    assert m.metadata["error"] == 'the record "text" is not a string'


def test_jsonl_streams_record_by_record(tmp_path):
    from fakescope.text.loader import iter_text

    p = tmp_path / "many.jsonl"
    with p.open("w") as fh:
        for i in range(1000):
            fh.write(json.dumps({"text": f"record {i}"}) + "\n")
    records = iter_text(p)
    assert next(records).data == "record 0"  # without reading the other 999 first
    assert sum(1 for _ in records) == 999


def test_jsonl_overlong_line_and_bad_utf8_fail_only_their_record(tmp_path, monkeypatch):
    import fakescope.text.loader as loader

    monkeypatch.setattr(loader, "MAX_LINE_BYTES", 64)
    p = tmp_path / "lines.jsonl"
    p.write_bytes(
        b'{"text": "a"}\n{"text": "' + b"x" * 200 + b'"}\n{"text": "\xff"}\n{"text": "b"}\n'
    )
    ms = load_text(p)
    assert [m.data for m in ms] == ["a", "", "", "b"]
    assert "longer than" in ms[1].metadata["error"]
    assert "not UTF-8" in ms[2].metadata["error"]


def test_lone_surrogates_and_nan_from_json_do_not_reach_the_report(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"text": "broken \\ud800 pair", "score": NaN}\n{"text": "x"}\n')
    [m, _] = load_text(p)
    assert m.data == "broken \ufffd pair" and "score" not in m.metadata


def test_text_in_memory():
    from fakescope.text.loader import text_from_object

    [m] = text_from_object({"text": "Hello there.", "source": "chat"}, "<text #1>")
    assert m.data == "Hello there." and m.metadata["source"] == "chat"
    assert text_from_object({"raw": [1]}, "x") is None
    with pytest.raises(MediaError, match="not a string"):
        text_from_object({"text": 5}, "<text #1>")


def test_utf16_text_with_bom_loads_as_text_not_audio(tmp_path):
    from fakescope.core.loading import load

    p = tmp_path / "note"  # no extension: content sniffing decides
    p.write_bytes("Hello, this note was saved as UTF-16 by an old editor.".encode("utf-16"))
    [m] = load(p)
    assert m.modality == "text" and m.data.startswith("Hello, this note")


def test_a_large_jsonl_prints_its_first_rows_early(tmp_path):
    # Before: a 10,000-record file printed nothing until every record was scored.
    from fakescope.core.evidence import Evidence
    from fakescope.core.pipeline import Scanner
    from fakescope.core.registry import register_detector

    scored = []

    class Counting:
        name, modality = "toy-text-count", "text"

        def score(self, media):
            scored.append(media.path)
            return Evidence(self.name, 0.5, "counted")

    register_detector("toy-text-count", "text", Counting, default=False)
    p = tmp_path / "big.jsonl"
    p.write_text("".join(json.dumps({"text": f"record number {i}"}) + "\n" for i in range(2000)))
    reports = Scanner(detectors=["toy-text-count"], batch_size=8).scan(str(p))
    first = next(reports)
    assert first.path == f"{p}#1" and len(scored) <= 8
    assert sum(1 for _ in reports) == 1999


def test_the_old_module_name_still_imports() -> None:
    import fakescope.text.loader as new
    import fakescope.text.loaders as old
    from fakescope.text.loaders import MAX_BYTES, load_text

    assert load_text is new.load_text and old.iter_text is new.iter_text
    assert MAX_BYTES == new.MAX_BYTES
