"""Where the real and synthetic speech of training and evaluation comes from, and how it is grouped.

Every recording is a :class:`SpeechItem` with a *group*: for synthetic speech the synthesis
**family** (systems that share a waveform generator or an acoustic model are one family, so that
holding a family out really removes it), for real speech the **source** (a corpus, a speaker
set, a recording chain). Evaluation holds whole families and whole sources out
(``scripts/audio/generalise_protocol.py``); nothing is ever split by file.

Sources:

- ``../shared/datasets/audio/speech-train`` (``MANIFEST.tsv``): real clips of LibriSpeech,
  LJSpeech, VCTK, CMU ARCTIC, Japanese/Mandarin studio corpora, public speeches and the
  Tortoise reference voices, and outputs of about 30 synthesis / voice-conversion systems;
- FSDD (one source per speaker), the Asterisk prompts (one source per voice),
  pocketsphinx-testdata;
- the project's own engines (``scripts/audio/build_speech_corpus.py``: espeak-ng, flite,
  festival, piper, pico, Kokoro) and vocoded copies of real speech
  (``scripts/audio/build_vocoded_corpus.py``);
- copy-synthesis of every real item (``scripts/audio/build_copy_synthesis.py``): synthetic
  items whose ``origin`` is the real source they were made from. Their families
  (``COPY_FAMILIES``) are training-only: the protocol holds a copy out with its origin source,
  and with the genuine families whose vocoder it imitates (``COPY_HELD_WITH``).
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


def _shared() -> Path:
    """``../shared`` beside the repository (``$FAKESCOPE_SHARED`` overrides it)."""
    env = os.environ.get("FAKESCOPE_SHARED")
    if env:
        return Path(env)
    repo_side = Path(__file__).resolve().parents[3].parent / "shared"
    return repo_side if repo_side.is_dir() else Path("/work/shared")


SPEECH_TRAIN = _shared() / "datasets/audio/speech-train"
FSDD = _shared() / "datasets/audio/fsdd"
ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds")
ASTERISK_VOICES = {
    "en_US_f_Allison": "asterisk-allison",
    "fr_CA_f_June": "asterisk-june",
    "it_IT_f_Menardi": "asterisk-menardi",
    "it_IT_m_Carlo": "asterisk-carlo",
    "ru_RU_f_IvrvoiceRU": "asterisk-ru",
}
POCKETSPHINX = Path("/usr/share/pocketsphinx/test/data")

# Synthesis families of the speech-train systems: grouped by the waveform generator (the part
# that leaves most artefacts), or by the system for voice conversion and end-to-end models whose
# generator is their own. Systems sharing a vocoder are one family, whatever the acoustic model.
SYSTEM_FAMILIES: dict[str, str] = {
    "Tortoise": "tortoise",
    "Tortoise-LJft": "tortoise",
    "HiFiGAN": "hifigan",
    "HiFiGAN-V1": "hifigan",
    "HiFiGAN-V2": "hifigan",
    "HiFiGAN-V3": "hifigan",
    "HiFiGAN-ablation": "hifigan",
    "GlowTTS+HiFiGAN": "hifigan",
    "GlowTTS+HiFiGAN-ft": "hifigan",
    "Tacotron2+HiFiGAN": "hifigan",
    "Tacotron2+HiFiGAN-ft": "hifigan",
    "Tacotron2+HiFiGAN-V1": "hifigan",
    "Tacotron2+HiFiGAN-V1-ft": "hifigan",
    "Tacotron2+HiFiGAN-V2": "hifigan",
    "Tacotron2+HiFiGAN-V2-ft": "hifigan",
    "Tacotron2+HiFiGAN-V3": "hifigan",
    "Tacotron2+HiFiGAN-V3-ft": "hifigan",
    "MelGAN": "melgan",
    "MelGAN+MPD": "melgan",
    "MB-MelGAN": "melgan",
    "FB-MelGAN": "melgan",
    "StyleMelGAN": "melgan",
    "ParallelWaveGAN": "parallel-wavegan",
    "WaveGlow": "waveglow",
    "Tacotron2+WaveGlow": "waveglow",
    "Tacotron2+WaveGlow-ft": "waveglow",
    # the Tortoise README's Tacotron 2 comparison: NVIDIA's release, whose vocoder is WaveGlow
    "Tacotron2": "waveglow",
    "WaveNet": "wavenet",
    "WaveNet-MoL": "wavenet",
    "ClariNet": "wavenet",  # a WaveNet teacher distilled into a flow student
    "DeepVoice3": "conv-seq2seq-tts",
    "DCTTS": "conv-seq2seq-tts",
    "DNN-TTS-WORLD": "world",
    "GMM/GAN-VC-WORLD": "world",
    "AutoVC": "autovc",
    "AutoVC-F0": "autovc",
    "AdaIN-VC": "adain-again-vc",
    "AGAIN-VC": "adain-again-vc",
    "VQVC+": "vqvc",
    "LVC-VC": "lvc-vc",
    "LVC-VC-XL": "lvc-vc",
    "NVC-Net": "nvc-net",
    "Blow": "blow",
    "StarGANv2-VC": "stargan-vc",
    "YouTube-voice-clone-unknown": "youtube-clone",
}
# The project's engines (folder names of build_speech_corpus.py); flite and festival share the
# kal diphone and slt voices, so they are one family.
ENGINE_FAMILIES = {
    "espeak-ng": "espeak-ng",
    "flite": "flite-festival",
    "festival": "flite-festival",
    "piper": "piper-vits",
    "pico": "pico",
    "kokoro": "kokoro",
}
# vocoded copies of real speech (build_vocoded_corpus.py): the WORLD variants join the WORLD
# family of speech-train; LPC and Griffin-Lim re-synthesis form their own
VOCODER_FAMILIES = {
    "world": "world",
    "world-smooth": "world",
    "world-mcep": "world",
    "lpc": "lpc-griffin-lim",
    "griffin-lim": "lpc-griffin-lim",
}


# copy-synthesis families (scripts/audio/build_copy_synthesis.py): training data only, never a
# held-out row; each is also left out of training when a genuine family it imitates is held out
COPY_VOCODERS = ("world", "mlsa", "lpc", "griffin-lim", "neural-upsample", "neural-istft")
COPY_FAMILIES = tuple(f"copy-{v}" for v in COPY_VOCODERS)
COPY_HELD_WITH: dict[str, frozenset[str]] = {
    "copy-world": frozenset({"world"}),
    "copy-mlsa": frozenset({"flite-festival", "pico"}),
    "copy-lpc": frozenset({"flite-festival"}),
}
COPY_MANIFEST = "MANIFEST.tsv"


@dataclass(frozen=True)
class SpeechItem:
    """One recording: ``group`` is the synthesis family (fake) or the real source; ``origin`` is
    the real source a copy-synthesis item was made from (empty otherwise)."""

    path: Path
    label: int  # 1 = synthetic
    group: str
    detail: str  # system, engine or speaker
    native_rate: int
    origin: str = ""

    @property
    def split_group(self) -> str:
        """The group that decides which side of a split the item goes to (a copy goes with the
        real source it was made from)."""
        return self.origin or self.group


def is_copy_family(group: str) -> bool:
    """True for the training-only copy-synthesis families."""
    return group in COPY_FAMILIES


def real_source(speaker: str) -> str:
    """Real source (corpus) of a speech-train ``real_source_speaker`` value.

    Examples
    --------
    >>> real_source("VCTK-p225"), real_source("spk-freeman"), real_source("JP-internal-F1")
    ('vctk', 'tortoise-voices', 'jp-cn-studio')
    """
    if speaker.startswith("LibriSpeech"):
        return "librispeech"
    if speaker.startswith("LJSpeech"):
        return "ljspeech"
    if speaker.startswith("VCTK"):
        return "vctk"
    if speaker.startswith("CMU-ARCTIC"):
        return "cmu-arctic"
    if speaker.startswith(("JSUT", "JP-", "CSMSC")):
        return "jp-cn-studio"
    if speaker.startswith(("DonaldTrump", "JFK")):
        return "public-speeches"
    if speaker.startswith("spk-"):
        return "tortoise-voices"
    raise ValueError(f"unknown real source speaker {speaker!r} in the speech-train manifest")


def family_of(system: str) -> str:
    """Synthesis family of a speech-train system name (``SYSTEM_FAMILIES``)."""
    try:
        return SYSTEM_FAMILIES[system]
    except KeyError:
        raise ValueError(
            f"speech-train system {system!r} has no family; add it to SYSTEM_FAMILIES"
        ) from None


def speech_train_items(root: Path = SPEECH_TRAIN) -> list[SpeechItem]:
    """Items of the speech-train folder, from its ``MANIFEST.tsv``."""
    manifest = Path(root) / "MANIFEST.tsv"
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} does not exist (speech-train manifest)")
    items = []
    with manifest.open(newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            path = Path(root) / row["file"]
            rate = int(float(row["orig_sr"] or 16000))
            if row["label"] == "real":
                speaker = row["real_source_speaker"]
                items.append(SpeechItem(path, 0, real_source(speaker), speaker, rate))
            else:
                items.append(SpeechItem(path, 1, family_of(row["system"]), row["system"], rate))
    return items


def fsdd_items(root: Path = FSDD) -> list[SpeechItem]:
    """FSDD recordings, one source per speaker (``fsdd-<speaker>``), 8 kHz."""
    items = []
    for p in sorted(Path(root).glob("*.wav")):
        parts = p.stem.split("_")
        if len(parts) == 3:
            items.append(SpeechItem(p, 0, f"fsdd-{parts[1]}", parts[1], 8000))
    return items


def asterisk_items(root: Path = ASTERISK_SOUNDS) -> list[SpeechItem]:
    """Asterisk prompts, one source per voice (8 kHz)."""
    items = []
    for folder, source in ASTERISK_VOICES.items():
        d = Path(root) / folder
        for p in sorted(d.rglob("*.wav")) if d.is_dir() else []:
            items.append(SpeechItem(p, 0, source, folder, 8000))
    return items


def pocketsphinx_items(root: Path = POCKETSPHINX) -> list[SpeechItem]:
    """The WAV clips of pocketsphinx-testdata (LibriVox and CMU recordings, 16 kHz)."""
    if not Path(root).is_dir():
        return []
    return [
        SpeechItem(p, 0, "pocketsphinx", p.parent.name, 16000) for p in sorted(root.rglob("*.wav"))
    ]


def engine_items(root: Path) -> list[SpeechItem]:
    """The project's engines and vocoded copies under ``root/<engine>/*.wav``."""
    import soundfile as sf

    items = []
    if not Path(root).is_dir():
        return items
    for d in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        for p in sorted(d.glob("*.wav")):
            if d.name == "vocoded":
                vocoder = p.stem.split("__")[1]
                family = VOCODER_FAMILIES.get(vocoder)
                detail = f"vocoded-{vocoder}"
            else:
                family = ENGINE_FAMILIES.get(d.name)
                detail = d.name
            if family is not None:
                # resolved, so that a folder of links to the engines shares the copies' cache
                path = p.resolve()
                items.append(SpeechItem(path, 1, family, detail, sf.info(str(path)).samplerate))
    return items


def cap_groups(items: list[SpeechItem], caps: dict[str, int], default: int) -> list[SpeechItem]:
    """At most ``caps.get(group, default)`` items per group, chosen by a stable hash of the path.

    Keeps big sources (FSDD's 500 clips per speaker, the project's engines) from defining a
    class. Deterministic: the same files are kept on every machine.
    """
    by_group: dict[str, list[SpeechItem]] = {}
    for it in items:
        by_group.setdefault(it.group, []).append(it)
    out = []
    for group, members in by_group.items():
        members = sorted(members, key=lambda i: _hash(i.path.name + "|" + i.detail))
        out += members[: caps.get(group, default)]
    return sorted(out, key=lambda i: (i.label, i.group, str(i.path)))


def _hash(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:12], 16)


def copy_items(root: Path, origins: set[Path] | None = None) -> list[SpeechItem]:
    """Copy-synthesis items listed in ``root/MANIFEST.tsv`` (``build_copy_synthesis.py``).

    ``origins``: keep only copies of these real recordings (the capped real set).
    """
    manifest = Path(root) / COPY_MANIFEST
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} does not exist (copy-synthesis manifest)")
    items = []
    with manifest.open(newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            family = f"copy-{row['vocoder']}"
            if family not in COPY_FAMILIES:
                raise ValueError(f"{manifest}: unknown vocoder {row['vocoder']!r}")
            if origins is not None and Path(row["origin_path"]).resolve() not in origins:
                continue
            path = Path(root) / row["file"]
            if path.is_file():
                items.append(
                    SpeechItem(path, 1, family, family, int(row["rate"]), row["origin_source"])
                )
    return items


def all_items(
    speech_train: Path | None = SPEECH_TRAIN,
    fsdd: Path | None = FSDD,
    engines: Path | None = None,
    asterisk: Path | None = ASTERISK_SOUNDS,
    pocketsphinx: Path | None = POCKETSPHINX,
    real_cap: int = 60,
    fake_cap: int = 150,
    copies: Path | None = None,
    copy_vocoders: tuple[str, ...] | None = None,
) -> list[SpeechItem]:
    """Every available item, capped per group (``real_cap`` per FSDD speaker and Asterisk voice,
    ``fake_cap`` per family of the project's engines; speech-train is kept whole), plus the
    copy-synthesis items of the kept real recordings when ``copies`` is given (only the vocoders
    ``copy_vocoders``, when given)."""
    st = speech_train_items(speech_train) if speech_train is not None else []
    real_st = [i for i in st if i.label == 0]
    real = fsdd_items(fsdd) if fsdd is not None and Path(fsdd).is_dir() else []
    real += asterisk_items(asterisk) if asterisk is not None else []
    real += pocketsphinx_items(pocketsphinx) if pocketsphinx is not None else []
    fake_st = [i for i in st if i.label == 1]
    fake_eng = engine_items(engines) if engines is not None else []
    st_groups = {i.group for i in fake_st}
    # engine items of a family speech-train also has (WORLD) are capped so that they do not
    # outweigh the genuine systems of that family
    caps = {g: 60 for g in st_groups}
    reals = real_st + cap_groups(real, {"pocketsphinx": 100}, real_cap)
    out = reals + fake_st + cap_groups(fake_eng, caps, fake_cap)
    if copies is not None:
        kept = copy_items(copies, {i.path.resolve() for i in reals})
        if copy_vocoders is not None:
            kept = [i for i in kept if i.group in {f"copy-{v}" for v in copy_vocoders}]
        out += kept
    return out
