"""Agreement of our beat tracker and librosa's with madmom's on real recordings.

No beat annotations of real music install offline. madmom's RNN + DBN beat tracker (Böck et al.;
about 0.9 F-measure on annotated pop and rock in its papers) serves as the reference: for each
30 s excerpt of real tracks (Debian game-music packages, HyperRogue), the F-measure (+-70 ms,
first 5 s skipped) of our beats and of ``librosa.beat.beat_track`` against madmom's beats, which
``/tmp/mm_real.py``-style code computed beforehand into ``--madmom-json`` (madmom needs its own
environment, see docs/music.md).

Usage::

    .venv/bin/python scripts/music/real_beat_agreement.py --audio /work/data/music/realbeats \
        --madmom-json /work/data/music/madmom_real_beats.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from fakescope.audio.music_analysis import MusicAnalyzer
from fakescope.audio.music_analysis.evaluation import f_measure, trim


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--audio", type=Path, default=Path("/work/data/music/realbeats"))
    ap.add_argument(
        "--madmom-json", type=Path, default=Path("/work/data/music/madmom_real_beats.json")
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    import librosa

    ref = json.loads(args.madmom_json.read_text())
    analyzer = MusicAnalyzer()
    rows = []
    for name, beats in sorted(ref.items()):
        x, sr = sf.read(args.audio / name, dtype="float32")
        ours = analyzer.analyze(x, sr).beats
        y16 = librosa.resample(x, orig_sr=sr, target_sr=16000)
        _, frames = librosa.beat.beat_track(y=y16, sr=16000, hop_length=160)
        lib = librosa.frames_to_time(frames, sr=16000, hop_length=160)
        r = trim(beats)
        rows.append(
            {
                "file": name,
                "ours": f_measure(r, trim(ours), 0.07),
                "librosa": f_measure(r, trim(lib), 0.07),
            }
        )
        print(f"{name:50s} ours {rows[-1]['ours']:.3f} librosa {rows[-1]['librosa']:.3f}")
    out = {
        "n": len(rows),
        "ours_mean": float(np.mean([r["ours"] for r in rows])),
        "librosa_mean": float(np.mean([r["librosa"] for r in rows])),
        "files": rows,
    }
    print(
        f"mean agreement with madmom: ours {out['ours_mean']:.3f}, "
        f"librosa {out['librosa_mean']:.3f} ({len(rows)} excerpts)"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
