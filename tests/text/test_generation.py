from __future__ import annotations

import json

import pytest

from fakescope.core.media import MediaError
from fakescope.text.generation import generate, read_prompts, write_jsonl


def test_read_prompts_formats(tmp_path):
    txt = tmp_path / "p.txt"
    txt.write_text("First prompt\n\n  Second prompt  \n")
    assert read_prompts(txt) == ["First prompt", "Second prompt"]
    jl = tmp_path / "p.jsonl"
    jl.write_text(
        json.dumps({"prompt": "Write a story"})
        + "\n"
        + json.dumps({"text": " ".join(f"w{i}" for i in range(50))})
        + "\n"
    )
    got = read_prompts(jl, words=5)
    assert got == ["Write a story", "w0 w1 w2 w3 w4"]
    empty = tmp_path / "e.txt"
    empty.write_text("\n\n")
    with pytest.raises(MediaError, match="empty|no prompts"):
        read_prompts(empty)
    with pytest.raises(MediaError, match="no such file"):
        read_prompts(tmp_path / "missing.txt")


def test_generate_continuation_and_write(tiny_lm, tmp_path):
    samples = generate(tiny_lm, ["The committee met", "She walked"], max_new_tokens=5, seed=1)
    assert [s.prompt for s in samples] == ["The committee met", "She walked"]
    assert all(s.text.startswith(s.prompt) and s.new_tokens <= 5 for s in samples)
    again = generate(tiny_lm, ["The committee met"], max_new_tokens=5, seed=1)
    assert again[0].text == samples[0].text  # seeded sampling is reproducible
    out = tmp_path / "m.jsonl"
    assert write_jsonl(samples, out) == 2
    rec = json.loads(out.read_text().splitlines()[0])
    assert rec["text"] == samples[0].text and rec["model"] == "tiny-test-lm"


def test_greedy_generation(tiny_lm):
    a = generate(tiny_lm, ["It was the best"], max_new_tokens=4, temperature=0.0)
    b = generate(tiny_lm, ["It was the best"], max_new_tokens=4, temperature=0.0, seed=9)
    assert a[0].text == b[0].text
