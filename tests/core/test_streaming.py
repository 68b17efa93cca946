import numpy as np

from fakescope.core.loading import InputFile
from fakescope.core.media import Media
from fakescope.core.streaming import Feed, media_nbytes


def _images(n, side=100):
    return [
        InputFile(f"<array #{i}>", obj=Media(f"img{i}", "toy", np.zeros((side, side, 3), np.uint8)))
        for i in range(n)
    ]


def test_media_nbytes_counts_arrays_text_and_dataclass_fields():
    from dataclasses import dataclass

    @dataclass
    class Clip:
        samples: np.ndarray
        rate: int

    assert media_nbytes(Media("a", "toy", np.zeros(10, np.float32))) == 40
    assert media_nbytes(Media("a", "toy", Clip(np.zeros(5, np.float64), 8000))) == 40
    assert media_nbytes(Media("a", "toy", "abc")) > 3


def test_batches_keep_order_and_stay_within_the_memory_budget():
    items = _images(12)
    one = 100 * 100 * 3
    feed = Feed(items, batch_size=8, memory_budget=3 * one, timeout=None)
    seen, largest = [], 0
    for batch in feed.batches():
        media = [p.media for p in batch if p.media is not None]
        largest = max(largest, len(media))
        seen += [p.media.path for p in batch if p.media is not None]
        assert all(p.done for p in batch if p.media is None)
        feed.release(batch)
    feed.close()
    assert seen == [f"img{i}" for i in range(12)]
    assert 1 <= largest <= 3  # never more decoded data in flight than the budget


def test_one_input_larger_than_the_budget_still_passes_alone():
    feed = Feed(_images(2, side=50), batch_size=4, memory_budget=10, timeout=None)
    sizes = []
    for batch in feed.batches():
        sizes.append(sum(p.media is not None for p in batch))
        feed.release(batch)
    feed.close()
    assert sum(sizes) == 2 and max(sizes) == 1


def test_errors_become_pieces_and_close_stops_early():
    items = [InputFile("gone.toy", missing="no such file or folder")] + _images(50)
    feed = Feed(items, batch_size=2, memory_budget=1 << 30, timeout=None)
    first = next(feed.batches())
    assert first[0].error == "no such file or folder" and first[0].name == "gone.toy"
    feed.close()  # must return although 50 inputs were never read


def test_close_does_not_wait_for_a_slow_loading_step(tmp_path):
    import time

    from fakescope.core.registry import register_loader

    def load_slowly(path):
        time.sleep(3)
        return [Media(str(path), "toy", [0.5])]

    register_loader("toy", [".sleepytoy"], load_slowly)
    p = tmp_path / "a.sleepytoy"
    p.write_bytes(b"zzz")
    feed = Feed([InputFile(str(p))], batch_size=1, memory_budget=1 << 20, timeout=None)
    time.sleep(0.2)  # the loader is now inside the 3 s step
    start = time.monotonic()
    feed.close()  # Ctrl-C during a scan must not wait for the step (up to --timeout)
    assert time.monotonic() - start < 1.5
