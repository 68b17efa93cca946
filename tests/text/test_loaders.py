from __future__ import annotations

import json

import pytest

from fakescope.core.media import MediaError
from fakescope.text.loaders import (
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
    import fakescope.text.loaders as loaders

    monkeypatch.setattr(loaders, "MAX_BYTES", 10)
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
