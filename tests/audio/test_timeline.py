import numpy as np

from fakescope.audio.timeline import aggregate_logits, segments_timeline, timeline_artefact


def test_aggregate_weights_longer_segments():
    assert aggregate_logits(np.array([1.0, -1.0])) == 0.0
    assert aggregate_logits(np.array([1.0, -1.0]), np.array([3.0, 1.0])) == 0.5


def test_timeline_png_and_data():
    a = timeline_artefact([0.0, 4.0, 8.0], [4.0, 8.0, 10.0], [0.1, None, 0.95], "t")
    assert a.kind == "image" and a.picture().startswith(b"\x89PNG")
    assert [d["score"] for d in a.data] == [0.1, None, 0.95]


def test_segments_timeline_only_for_several_segments():
    segs = [(0.0, 4.0, np.zeros(4)), (4.0, 7.5, np.zeros(3))]
    (picture,) = segments_timeline(segs, [0.1, None], "per segment")
    assert [(d["start_s"], d["end_s"], d["score"]) for d in picture.data] == [
        (0.0, 4.0, 0.1),
        (4.0, 7.5, None),
    ]
    assert segments_timeline(segs[:1], [0.1], "per segment") == []
