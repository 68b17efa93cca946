"""``fakescope train audio --speech-train ...``: the 16 kHz, many-source training of every audio
model (speech detectors, speech fusions, content router, music detector) into one weights folder.

The speech part is :func:`fakescope.audio.speech_training.train_speech`, the recipe the held-out
protocol (``scripts/audio/generalise_protocol.py``) measures; the content router and the music
detector are trained as in the 8 kHz path (:mod:`fakescope.audio.training`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from fakescope.audio.speech_training import Log

EPOCHS16 = 8
GMM_COMPONENTS16 = 32


def train_all16(
    out: Path,
    items: list,
    cache: Path | None,
    music_dirs: list[Path],
    music_corpus: Path | None = None,
    seed: int = 0,
    epochs: int = EPOCHS16,
    cnn_members: int = 2,
    gmm_components: int = GMM_COMPONENTS16,
    log: Log = print,
    progress_factory=None,
) -> dict:
    """Train every audio model on ``items`` (``speech_data.all_items``) and write ``out``.

    Raises ``ValueError`` when ``items`` lacks one of the classes and ``FileNotFoundError``
    without music for the content router.
    """
    import torch

    from fakescope.audio.content import save_content_model
    from fakescope.audio.content_training import music_files, train_content
    from fakescope.audio.speech_training import train_speech

    labels = {i.label for i in items}
    if labels != {0, 1}:
        raise ValueError("training needs real and synthetic speech; one of the classes is empty")
    m_files = music_files(music_dirs)
    if not m_files:
        raise FileNotFoundError(
            "no music files found for the content classifier "
            f"(looked in {', '.join(map(str, music_dirs))})"
        )
    torch.set_num_threads(1)
    t0 = time.time()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = train_speech(
        out,
        items,
        cache,
        seed=seed,
        epochs=epochs,
        cnn_members=cnn_members,
        gmm_components=gmm_components,
        log=log,
        progress_factory=progress_factory,
    )
    mean, scale, coef, intercept, acc = train_content(result["content_speech"], m_files, seed, log)
    save_content_model(out / "content.npz", mean, scale, coef, intercept)
    music_info, music_fuser = None, None
    if music_corpus is not None and Path(music_corpus).is_dir():
        from fakescope.audio.music import train_music

        music_info = train_music(Path(music_corpus), out / "music.npz", seed, log)
    if (out / "music.npz").exists():
        music_fuser = {"coef": {"music-artifacts": 1.0}, "intercept": 0.0}
    payload = dict(result["fusers"], music=music_fuser)
    (out / "fuser.json").write_text(json.dumps(payload, indent=2) + "\n")
    info = dict(
        result["info"],
        recipe="16 kHz many-source (train16.train_all16)",
        content_training_accuracy=acc,
        music=music_info,
        seconds=round(time.time() - t0, 1),
    )
    (out / "training_info.json").write_text(json.dumps(info, indent=2) + "\n")
    log(f"weights written to {out} in {time.time() - t0:.0f} s")
    return info
