"""Render songs with exact beat, downbeat, drum and vocal labels (training data of the
music-analysis network).

Each song is drawn at random: tempo 65-185 BPM, 3/4 or 4/4, a drum pattern family (rock, four
on the floor, hip-hop, funk, half-time, waltz, shuffle; a quarter of the songs have no drums),
fills and crashes, a chord progression with bass, comping and a lead melody rendered by
FluidSynth from a General MIDI sound font, and in 60 % of the songs a singing-like voice: real
speech re-synthesised with the WORLD vocoder on the melody's notes (stretched vowels, vibrato), or
plain speech over the beat (rap-like). Timing is humanised (per-note jitter 0-20 ms, slow tempo
drift up to +-4 %) or left quantised.

Drums are sequenced from the one-shot samples of Debian ``hydrogen-drumkits`` (kick / snare /
hi-hat onsets labelled; toms, cymbals, claps are unlabelled distractors).

Split: the "test" songs use drum kits and a sound font that no "train" song uses (Forzee Stereo,
The Black Pearl, HardElectro1; MuseScore General), and different random seeds.

Needs: ``apt-get install fluidsynth fluid-soundfont-gm timgm6mb-soundfont
musescore-general-soundfont hydrogen-drumkits``; ``pip install pyworld pyfluidsynth``;
real speech from ``../shared/datasets/audio/speech-train/real`` (16 kHz).

Usage::

    .venv/bin/python scripts/music/render_rhythm_corpus.py --out /work/data/music/rhythm \
        --train 360 --test 60
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).parent))
from rhythm_sources import frame_activity, load_kit, sung_voice  # noqa: E402

RATE = 16000
SYNTH_RATE = 22050
KITS = Path("/usr/share/hydrogen/data/drumkits")
TEST_KITS = {"ForzeeStereo", "The Black Pearl 1.0", "HardElectro1"}
TRAIN_KITS = {
    "Audiophob",
    "BJA_Pacific",
    "ColomboAcousticDrumkit",
    "ElectricEmpireKit",
    "Millo-Drums_v.1",
    "Millo_MultiLayered2",
    "Millo_MultiLayered3",
    "VariBreaks",
    "rumpf_kit_z01_h2",
}
TRAIN_FONTS = ["/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2"]
TEST_FONTS = ["/usr/share/sounds/sf3/MuseScore_General.sf3"]
SPEECH = Path("/work/shared/datasets/audio/speech-train/real")

# GM programs: comping, bass, lead (the lead includes voice-like confusers: sax, violin, flute)
COMP = [0, 1, 4, 5, 16, 17, 19, 24, 25, 26, 27, 48, 49, 50, 61, 80, 81, 88, 89, 90]
BASS = [32, 33, 34, 35, 36, 37, 38, 39, 43]
LEAD = [40, 41, 56, 57, 64, 65, 66, 68, 71, 72, 73, 74, 79, 80, 81, 82, 85, 52, 53, 54]
# -- song plan --------------------------------------------------------------------------------
PATTERNS = ["rock", "four", "hiphop", "funk", "halftime", "shuffle", "sparse"]


def drum_pattern(
    style: str, meter: int, rng: np.random.Generator
) -> list[tuple[float, str, float]]:
    """One bar of (position in beats, class, velocity)."""
    ev: list[tuple[float, str, float]] = []
    if meter == 3:
        ev += [(0.0, "kick", 1.0)]
        ev += [(b, "snare", 0.7) for b in (1.0, 2.0)] if rng.random() < 0.5 else []
        ev += [(b * 0.5, "hihat", 0.6) for b in range(6)]
        if rng.random() < 0.4:
            ev += [(1.5, "kick", 0.7)]
        return ev
    sub8 = [i * 0.5 for i in range(8)]
    sub16 = [i * 0.25 for i in range(16)]
    if style == "rock":
        ev += [(0.0, "kick", 1.0), (2.0, "kick", 0.9)] + [(1.0, "snare", 1.0), (3.0, "snare", 1.0)]
        ev += [(t, "hihat", 0.7) for t in sub8]
        if rng.random() < 0.5:
            ev += [(2.5, "kick", 0.8)]
    elif style == "four":
        ev += [(float(b), "kick", 1.0) for b in range(4)] + [
            (1.0, "snare", 0.9),
            (3.0, "snare", 0.9),
        ]
        ev += [(b + 0.5, "hihat", 0.8) for b in range(4)]
        if rng.random() < 0.5:
            ev += [(t, "hihat", 0.4) for t in sub16 if t % 0.5]
    elif style == "hiphop":
        ev += [(0.0, "kick", 1.0), (0.75, "kick", 0.7), (2.5, "kick", 0.9)]
        ev += [(1.0, "snare", 1.0), (3.0, "snare", 1.0)] + [(t, "hihat", 0.6) for t in sub8]
    elif style == "funk":
        ev += [(0.0, "kick", 1.0), (1.75, "kick", 0.7), (2.5, "kick", 0.8)]
        ev += [(1.0, "snare", 1.0), (3.0, "snare", 1.0), (2.25, "snare", 0.3), (3.75, "snare", 0.3)]
        ev += [(t, "hihat", 0.5 + 0.3 * (t % 0.5 == 0)) for t in sub16]
    elif style == "halftime":
        ev += [(0.0, "kick", 1.0), (1.5, "kick", 0.7), (2.0, "snare", 1.0)]
        ev += [(t, "hihat", 0.6) for t in sub8]
    elif style == "shuffle":
        trip = [b + f for b in range(4) for f in (0.0, 2 / 3)]
        ev += [(0.0, "kick", 1.0), (2.0, "kick", 0.9), (1.0, "snare", 1.0), (3.0, "snare", 1.0)]
        ev += [(t, "hihat", 0.7) for t in trip]
    else:  # sparse
        ev += [(0.0, "kick", 1.0), (2.0, "snare", 0.8)]
    # random variation: drop or add a hit
    if rng.random() < 0.3:
        ev = [e for e in ev if not (e[1] == "hihat" and rng.random() < 0.3)]
    return ev


def tempo_map(n_beats: int, bpm: float, drift: float, rng: np.random.Generator) -> np.ndarray:
    """Beat times (s) with a slow sinusoidal tempo drift of relative size ``drift``."""
    period = 60.0 / bpm
    phase = rng.uniform(0, 2 * np.pi)
    cycle = rng.uniform(8, 32)
    k = np.arange(n_beats)
    ibi = period * (1 + drift * np.sin(2 * np.pi * k / cycle + phase))
    return np.concatenate([[0.0], np.cumsum(ibi)[:-1]])


def beat_to_time(pos: np.ndarray | float, beats: np.ndarray) -> np.ndarray:
    """Map positions in beats (fractional) to seconds on the tempo map (linear in each beat)."""
    ext = np.r_[beats, beats[-1] + (beats[-1] - beats[-2])]
    return np.interp(pos, np.arange(len(ext)), ext)


def plan_song(rng: np.random.Generator, duration: float, test: bool) -> dict:
    bpm = float(np.exp(rng.uniform(np.log(65), np.log(185))))
    meter = 3 if rng.random() < 0.25 else 4
    human = rng.random() < 0.7
    jitter = float(rng.uniform(0.003, 0.02)) if human else 0.0
    drift = float(rng.uniform(0.0, 0.04)) if human else 0.0
    n_beats = int(duration * bpm / 60) + meter + 2
    n_beats += (-n_beats) % meter
    beats = tempo_map(n_beats, bpm, drift, rng)
    start_offset = float(rng.uniform(0.0, 60 / bpm * meter))  # song does not start on a downbeat
    return {
        "bpm": bpm,
        "meter": meter,
        "jitter": jitter,
        "drift": drift,
        "beats": beats,
        "offset": start_offset,
        "drums": rng.random() < 0.75,
        "style": str(rng.choice(PATTERNS)),
        "vocals": rng.random() < 0.6,
        "rap": rng.random() < 0.25,
        "key": int(rng.integers(0, 12)),
        "test": test,
    }


# -- MIDI (bass, comping, lead) ---------------------------------------------------------------
PROGRESSIONS = [[0, 7, 9, 5], [0, 5, 7, 5], [9, 5, 0, 7], [0, 9, 5, 7], [2, 7, 0, 0], [0, 4, 5, 7]]


def song_parts(song: dict, rng: np.random.Generator) -> tuple[list, list, dict]:
    """Bass, comping and lead note events ``(time s, order, kind, channel, pitch, velocity)``,
    the lead melody notes ``(start s, end s, pitch)`` and the GM programs per channel."""
    meter, beats = song["meter"], song["beats"]
    n_bars = len(beats) // meter
    prog = PROGRESSIONS[int(rng.integers(len(PROGRESSIONS)))]
    key = 48 + song["key"]
    events: list[tuple[float, int, str, int, int, int]] = []

    def note(ch: int, pitch: int, t0: float, t1: float, vel: int) -> None:
        j0 = rng.normal(0, song["jitter"]) if song["jitter"] else 0.0
        events.append((max(0.0, t0 + j0), 1, "on", ch, pitch, vel))
        events.append((max(0.0, t1 + j0), 0, "off", ch, pitch, 0))

    programs = {0: int(rng.choice(COMP)), 1: int(rng.choice(BASS)), 2: int(rng.choice(LEAD))}
    comp_style = int(rng.integers(3))
    melody: list[tuple[float, float, int]] = []
    scale = np.array([0, 2, 4, 5, 7, 9, 11])
    has_lead = rng.random() < (0.4 if song["vocals"] else 0.8)
    for bar in range(n_bars):
        root = key + prog[bar % len(prog)]
        third = 3 if prog[bar % len(prog)] in (2, 4, 9) else 4
        chord = [root + 12, root + 12 + third, root + 19]
        b0 = bar * meter

        def t(pos: float) -> float:
            return float(beat_to_time(pos, beats))

        if comp_style == 0:  # whole-bar pads
            for p in chord:
                note(0, p, t(b0), t(b0 + meter) - 0.02, 70)
        elif comp_style == 1:  # chords on every beat
            for b in range(meter):
                for p in chord:
                    note(0, p, t(b0 + b), t(b0 + b + 0.8), 60 + 20 * (b == 0))
        else:  # arpeggio in eighths
            for i in range(meter * 2):
                note(0, chord[i % 3] + 12 * (i // 3 % 2), t(b0 + i / 2), t(b0 + i / 2 + 0.45), 65)
        for b in range(meter):  # bass on beats (root, sometimes fifth)
            p = root - 12 + (7 if b == 2 and rng.random() < 0.4 else 0)
            note(1, p, t(b0 + b), t(b0 + b + 0.9), 95 if b == 0 else 80)
        pos = 0.0
        while pos < meter:  # melody: notes of 0.5-2 beats on the scale
            dur = min(float(rng.choice([0.5, 0.5, 1.0, 1.0, 1.5, 2.0])), meter - pos)
            if rng.random() < 0.8:
                deg = int(rng.integers(0, 7))
                pitch = key + 12 + int(scale[deg]) + (12 if rng.random() < 0.3 else 0)
                t0, t1 = t(b0 + pos), t(b0 + pos + dur) - 0.03
                melody.append((t0, t1, pitch))
                if has_lead:
                    note(2, pitch + 12, t0, t1, 85)
            pos += dur
    return sorted(events), melody, programs


_SYNTHS: dict[str, tuple] = {}


def render_parts(events: list, programs: dict, font: str, n: int) -> np.ndarray:
    """Render note events with FluidSynth (the sound font is loaded once per process)."""
    import fluidsynth

    from fakescope.audio.dsp import resample

    if font not in _SYNTHS:
        synth = fluidsynth.Synth(samplerate=float(SYNTH_RATE), gain=0.6)
        _SYNTHS[font] = (synth, synth.sfload(font))
    synth, sfid = _SYNTHS[font]
    synth.system_reset()
    for ch, prg in programs.items():
        synth.program_select(ch, sfid, 0, prg)
    total = int(n / RATE * SYNTH_RATE)
    chunks, done = [], 0
    for when, _, kind, ch, pitch, vel in events:
        at = min(total, int(when * SYNTH_RATE))
        if at > done:
            chunks.append(synth.get_samples(at - done))
            done = at
        if kind == "on":
            synth.noteon(ch, pitch, vel)
        else:
            synth.noteoff(ch, pitch)
    if total > done:
        chunks.append(synth.get_samples(total - done))
    for ch in programs:
        synth.all_notes_off(ch)
    stereo = np.concatenate(chunks).astype(np.float32).reshape(-1, 2) / 32768.0
    return resample(stereo.mean(axis=1), SYNTH_RATE, RATE)


# -- one song ---------------------------------------------------------------------------------
def render_song(
    i: int, test: bool, out: Path, kits: dict, speech_files: list[Path], duration: float
) -> dict:
    rng = np.random.default_rng((1_000_003 if test else 7) * (i + 1))
    song = plan_song(rng, duration, test)
    beats = song["beats"]
    n = int((beats[-1] + 2.0) * RATE)
    mix_drums = np.zeros(n, np.float32)
    onsets: dict[str, list[float]] = {"kick": [], "snare": [], "hihat": []}
    if song["drums"]:
        kit = kits[str(rng.choice(sorted(kits)))]
        bars = len(beats) // song["meter"]
        pattern = drum_pattern(song["style"], song["meter"], rng)
        for bar in range(bars):
            bar_ev = list(pattern)
            if bar % 4 == 3 and rng.random() < 0.5:  # fill with toms / snare on the last beat
                bar_ev = [e for e in bar_ev if e[0] < song["meter"] - 1]
                bar_ev += [
                    (song["meter"] - 1 + k * 0.25, "snare" if rng.random() < 0.5 else "other", 0.8)
                    for k in range(4)
                ]
            if bar % 4 == 0 and kit["other"] and rng.random() < 0.5:
                bar_ev.append((0.0, "other", 0.9))
            for pos, cls, vel in bar_ev:
                samples = kit.get(cls) or []
                if not samples:
                    continue
                t = float(beat_to_time(bar * song["meter"] + pos, beats))
                t += rng.normal(0, song["jitter"]) if song["jitter"] else 0.0
                t = max(0.0, t)
                s = samples[int(rng.integers(len(samples)))]
                a = int(t * RATE)
                seg = s[: n - a] * vel * float(rng.uniform(0.8, 1.0))
                mix_drums[a : a + len(seg)] += seg
                if cls in onsets:
                    onsets[cls].append(round(t, 4))
    fonts = TEST_FONTS if test else TRAIN_FONTS
    font = str(rng.choice(fonts))
    events, melody, programs = song_parts(song, rng)
    tonal = render_parts(events, programs, font, n)
    tonal = np.pad(tonal, (0, max(0, n - len(tonal))))[:n]
    voice = np.zeros(n, np.float32)
    if song["vocals"] and speech_files:
        sp, sr = sf.read(speech_files[int(rng.integers(len(speech_files)))], dtype="float32")
        if sp.ndim > 1:
            sp = sp.mean(axis=1)
        voice = sung_voice(sp, melody, n, rng, song["rap"])

    def norm(x: np.ndarray) -> np.ndarray:
        r = np.sqrt(np.mean(x**2))
        return x / r if r > 0 else x

    g_t, g_d = float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.5, 1.2))
    g_v = float(10 ** (rng.uniform(-6, 6) / 20))
    mix = g_t * norm(tonal) + g_d * norm(mix_drums) + (g_v * norm(voice) if voice.any() else 0)
    mix = mix / (np.abs(mix).max() + 1e-9) * 0.9
    # cut the song so that it starts off the downbeat
    a = int(song["offset"] * RATE)
    end = min(len(mix), a + int(duration * RATE))
    mix = mix[a:end]
    t_shift = a / RATE
    vocal_frames = frame_activity(voice[a:end]) if voice.any() else np.zeros(len(mix) // 160, bool)

    def keep(ts: list[float] | np.ndarray) -> list[float]:
        return [
            round(float(t) - t_shift, 4) for t in ts if t_shift <= t < t_shift + len(mix) / RATE
        ]

    meter = song["meter"]
    name = f"{'test' if test else 'train'}_{i:04d}"
    sf.write(out / f"{name}.flac", mix.astype(np.float32), RATE)
    labels = {
        "beats": keep(beats),
        "downbeats": keep(beats[::meter]),
        "kick": keep(sorted(onsets["kick"])),
        "snare": keep(sorted(onsets["snare"])),
        "hihat": keep(sorted(onsets["hihat"])),
        "vocal_frames": np.flatnonzero(vocal_frames).tolist(),
        "bpm": song["bpm"],
        "meter": meter,
        "style": song["style"] if song["drums"] else "none",
        "jitter": song["jitter"],
        "drift": song["drift"],
        "font": Path(font).name,
        "vocals": bool(voice.any()),
        "rap": song["rap"],
    }
    (out / f"{name}.json").write_text(json.dumps(labels))
    return labels


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/work/data/music/rhythm"))
    ap.add_argument("--train", type=int, default=360)
    ap.add_argument("--test", type=int, default=60)
    ap.add_argument("--duration", type=float, default=20.0)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    speech = sorted(SPEECH.glob("*.flac"))
    split = int(len(speech) * 0.8)
    for test, count in ((True, args.test), (False, args.train)):
        kit_names = TEST_KITS if test else TRAIN_KITS
        kits = {k: load_kit(KITS / k) for k in sorted(kit_names)}
        kits = {k: v for k, v in kits.items() if v["kick"] and v["snare"] and v["hihat"]}
        print(f"{'test' if test else 'train'} kits: {sorted(kits)}", flush=True)
        files = speech[split:] if test else speech[:split]
        for i in range(count):
            name = f"{'test' if test else 'train'}_{i:04d}"
            if (args.out / f"{name}.json").exists():
                continue
            render_song(i, test, args.out, kits, files, args.duration)
            if i % 20 == 0:
                print(f"{name} done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
