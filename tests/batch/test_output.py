import json

from fakescope.batch.output import ResumableJsonl, input_of


def _rec(path, score=0.5):
    return {"path": path, "score": score}


def test_inputs_already_written_are_reported_done(tmp_path):
    out = ResumableJsonl(tmp_path / "o.jsonl")
    assert out.open(["a.png", "b.jsonl"]) == set()
    out.write([_rec("a.png")])
    out.write([_rec("b.jsonl#1"), _rec("b.jsonl#2")])
    out.close()
    again = ResumableJsonl(tmp_path / "o.jsonl")
    assert again.open(["a.png", "b.jsonl", "c.png"]) == {"a.png", "b.jsonl"}
    again.close()


def test_a_torn_last_input_is_cut_whole_and_scanned_again(tmp_path):
    path = tmp_path / "o.jsonl"
    lines = [
        json.dumps(_rec("a.png")),
        json.dumps(_rec("n.jsonl#1")),
        json.dumps(_rec("n.jsonl#2")),
    ]
    path.write_text("\n".join(lines) + "\n" + lines[2][:12])  # killed while writing n.jsonl
    out = ResumableJsonl(path)
    assert out.open(["a.png", "n.jsonl"]) == {"a.png"}
    out.write([_rec("n.jsonl#1", 0.1), _rec("n.jsonl#2", 0.2)])
    out.close()
    records = [json.loads(x) for x in path.read_text().splitlines()]
    assert [r["path"] for r in records] == ["a.png", "n.jsonl#1", "n.jsonl#2"]
    assert records[1]["score"] == 0.1


def test_input_of_handles_hashes_in_names():
    assert input_of("x#1.png", {"x#1.png"}) == "x#1.png"
    assert input_of("x.jsonl#12", {"x.jsonl"}) == "x.jsonl"
    assert input_of("other.png", {"x.png"}) is None
