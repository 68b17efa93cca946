from fakescope.service.store import ScanStore


def test_store_round_trip_and_order(tmp_path):
    store = ScanStore(f"sqlite:///{tmp_path / 'scans.sqlite3'}")
    first = store.add(
        "a.png",
        "a" * 64,
        {
            "modality": "image",
            "score": 0.1,
            "verdict": "likely real",
            "error": None,
            "evidence": [],
        },
    )
    second = store.add(
        "b.txt",
        "b" * 64,
        {"modality": None, "score": None, "verdict": "error", "error": "the file is empty"},
    )
    recent = store.recent()
    assert [r["id"] for r in recent] == [second, first]
    assert store.get(first)["report"]["verdict"] == "likely real"
    assert store.get(999) is None
    again = ScanStore(store.url)  # persisted on disk
    assert len(again.recent()) == 2
