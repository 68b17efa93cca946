"""Audio watermark after MP3 64 kbit/s: detection rate on marked clips, false positives on unmarked.

    python scripts/provenance/eval_audio_watermark.py --out /work/data/provenance/eval/audio_wm.json

Marked: (a) sentences spoken by fakescope's TTS engines (espeak-ng, flite, festival, piper where
installed; texts from Debian ``fortunes``), marked exactly as ``fakescope generate speech`` does;
(b) real speech marked with ``fakescope provenance watermark --embed``: Asterisk prompts >= 2 s
(the 6 development clips excluded) and pocketsphinx LibriVox clips.
Up to ``--marked-limit`` clips are marked (all TTS sentences, then real speech evenly spaced).
Unmarked (false positives): every clip above before marking plus 5 s segments of Debian
hyperrogue-music and Asterisk music-on-hold, all checked as WAV; ``--mp3-unmarked-limit`` of them
(evenly spaced) also after the MP3 round trip.
MP3: ffmpeg libmp3lame at 64 kbit/s, decoded back to WAV. Rows are appended to OUT.rows.jsonl as
they are measured, so a partial run is usable.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

DEV = set(sorted(glob.glob("/usr/share/asterisk/sounds/en/*.wav"))[10:16])


def mp3(x: np.ndarray, sr: int, tmp: Path, kbps: int = 64) -> tuple[np.ndarray, int]:
    sf.write(tmp / "in.wav", np.clip(x, -1, 1), sr, subtype="PCM_16")
    run = ["ffmpeg", "-y", "-loglevel", "error"]
    subprocess.run(
        run + ["-i", str(tmp / "in.wav"), "-b:a", f"{kbps}k", str(tmp / "a.mp3")], check=True
    )
    subprocess.run(run + ["-i", str(tmp / "a.mp3"), str(tmp / "out.wav")], check=True)
    y, sr2 = sf.read(tmp / "out.wav", always_2d=True)
    return y.mean(axis=1), sr2


def sentences(n: int, seed: int = 0) -> list[str]:
    lines = []
    for f in glob.glob("/usr/share/games/fortunes/*"):
        if f.endswith(".dat") or not Path(f).is_file():
            continue
        try:
            text = Path(f).read_text(errors="ignore")
        except OSError:
            continue
        for chunk in text.split("\n%\n"):
            s = " ".join(chunk.split())
            if 10 <= len(s.split()) <= 30 and s.isascii() and "--" not in s:
                lines.append(s)
    random.Random(seed).shuffle(lines)
    return lines[:n]


def tts_clips(n_per_engine: int, tmp: Path) -> list[tuple[str, np.ndarray, int]]:
    from fakescope.audio.tts import EngineMissing, synthesize

    out = []
    texts = sentences(4 * n_per_engine)
    for k, engine in enumerate(("espeak-ng", "flite", "festival", "piper")):
        for i, text in enumerate(texts[k * n_per_engine : (k + 1) * n_per_engine]):
            path = tmp / f"{engine}_{i}.wav"
            try:
                synthesize(text, engine, path)
            except (EngineMissing, RuntimeError, ValueError) as exc:
                print(f"{engine}: skipped ({exc})")
                break
            x, sr = sf.read(path, always_2d=True)
            out.append((f"tts/{engine}", x.mean(axis=1), sr))
    return out


def real_speech() -> list[tuple[str, np.ndarray, int]]:
    out = []
    for f in sorted(glob.glob("/usr/share/asterisk/sounds/en/**/*.wav", recursive=True)):
        if f in DEV or sf.info(f).duration < 2.0:
            continue
        x, sr = sf.read(f, always_2d=True)
        out.append(("real/asterisk", x.mean(axis=1), sr))
    for f in sorted(glob.glob("/usr/share/pocketsphinx/test/data/**/*.wav", recursive=True)):
        if sf.info(f).duration >= 2.0:
            x, sr = sf.read(f, always_2d=True)
            out.append(("real/librivox", x.mean(axis=1), sr))
    return out


def music_segments(seconds: float = 5.0) -> list[tuple[str, np.ndarray, int]]:
    out = []
    files = sorted(glob.glob("/usr/share/hyperrogue/music/*.ogg")) + sorted(
        glob.glob("/usr/share/asterisk/moh/*.wav")
    )
    for f in files:
        try:
            x, sr = sf.read(f, always_2d=True)
        except RuntimeError:
            continue
        x = x.mean(axis=1)
        step = int(seconds * sr)
        for i in range(0, len(x) - step + 1, step):
            out.append(("music/" + Path(f).parent.name, x[i : i + step], sr))
    return out


def main() -> None:
    from fakescope.provenance.audio_watermark import detect, embed
    from fakescope.provenance.payload import make_payload

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--tts-per-engine", type=int, default=30)
    ap.add_argument("--marked-limit", type=int, default=130, help="marked clips (MP3 round trip)")
    ap.add_argument("--mp3-unmarked-limit", type=int, default=150)
    ap.add_argument("--segment-seconds", type=float, default=5.0)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    rows = []
    partial = args.out.with_suffix(".rows.jsonl")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text("")

    def keep(row):
        rows.append(row)
        with partial.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        if len(rows) % 50 == 0:
            print(f"{len(rows)} rows {time.perf_counter() - t0:.0f}s", flush=True)

    def spread(items, n):
        if len(items) <= n:
            return items
        return [items[i] for i in np.linspace(0, len(items) - 1, n).round().astype(int)]

    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        tts = tts_clips(args.tts_per_engine, tmp)
        real = real_speech()
        music = music_segments(args.segment_seconds)
        print(
            f"{len(tts)} TTS, {len(real)} real speech clips, {len(music)} music segments",
            flush=True,
        )
        # 1. marked clips through MP3 64 kbit/s: every TTS sentence + real speech, evenly spaced
        for group, x, sr in tts + spread(real, max(0, args.marked_limit - len(tts))):
            payload = make_payload("speech", int(rng.integers(0, 2**16)))
            m = embed(x, sr, payload)
            ym, srm = mp3(m, sr, tmp)
            d = detect(ym, srm)
            snr = float(10 * np.log10((x**2).sum() / ((m - x) ** 2).sum()))
            keep(
                {
                    "kind": "marked",
                    "group": group,
                    "seconds": round(len(x) / sr, 2),
                    "sr": sr,
                    "snr_db": round(snr, 1),
                    "found_wav": detect(m, sr).found,
                    "found_mp3": d.found,
                    "payload_mp3": d.payload == payload,
                    "z_mp3": round(d.z, 2),
                }
            )
        # 2. unmarked clips as WAV (cheap: every clip of 2 s or more)
        unmarked = tts + real + music
        for group, x, sr in unmarked:
            d = detect(x, sr)
            keep(
                {
                    "kind": "unmarked_wav",
                    "group": group,
                    "seconds": round(len(x) / sr, 2),
                    "found": d.found,
                    "z": round(d.z, 2),
                }
            )
        # 3. unmarked clips after MP3, evenly spaced over all sources
        for group, x, sr in spread(unmarked, args.mp3_unmarked_limit):
            y, sr2 = mp3(x, sr, tmp)
            d = detect(y, sr2)
            keep(
                {
                    "kind": "unmarked_mp3",
                    "group": group,
                    "seconds": round(len(x) / sr, 2),
                    "found": d.found,
                    "z": round(d.z, 2),
                }
            )

    def rate(sel, key):
        sel = [r for r in sel if key in r]
        return {"n": len(sel), "rate": (sum(bool(r[key]) for r in sel) / len(sel)) if sel else None}

    marked = [r for r in rows if r["kind"] == "marked"]
    wav = [r for r in rows if r["kind"] == "unmarked_wav"]
    mp3s = [r for r in rows if r["kind"] == "unmarked_mp3"]
    summary = {
        "marked_detect_wav": rate(marked, "found_wav"),
        "marked_detect_mp3": rate(marked, "found_mp3"),
        "marked_detect_mp3_ge3s": rate([r for r in marked if r["seconds"] >= 3], "found_mp3"),
        "marked_detect_mp3_lt3s": rate([r for r in marked if r["seconds"] < 3], "found_mp3"),
        "payload_mp3": rate(marked, "payload_mp3"),
        "payload_mp3_ge3s": rate([r for r in marked if r["seconds"] >= 3], "payload_mp3"),
        "by_group_mp3": {
            g: rate([r for r in marked if r["group"] == g], "found_mp3")
            for g in sorted({r["group"] for r in marked})
        },
        "min_marked_z_mp3": min(r["z_mp3"] for r in marked),
        "unmarked_fp_wav": rate(wav, "found"),
        "unmarked_fp_mp3": rate(mp3s, "found"),
        "max_unmarked_z": max(r["z"] for r in wav + mp3s),
        "unmarked_by_group": {
            g: len([r for r in wav if r["group"] == g]) for g in sorted({r["group"] for r in wav})
        },
        "snr_db": {
            "min": min(r["snr_db"] for r in marked),
            "mean": float(np.mean([r["snr_db"] for r in marked])),
        },
        "seconds": round(time.perf_counter() - t0, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
