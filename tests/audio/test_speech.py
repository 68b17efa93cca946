import numpy as np

from fakescope.audio.clip import AudioClip
from fakescope.audio.speech import SpeechDetector, speech_segments
from fakescope.core.media import Media


class Loudness(SpeechDetector):
    """A transparent stand-in: log-odds = mean absolute amplitude - 0.2."""

    name = "loudness"

    def segment_logits(self, segments):
        return np.array([float(np.abs(s).mean()) - 0.2 for s in segments])


def _media(x, rate=8000, label="speech"):
    clip = AudioClip(x[:, None].astype(np.float32), rate)
    clip.cache["content"] = {"label": label, "probs": {}, "segments": []}
    return Media("x.wav", "audio", clip, {})


def test_segments_are_8k_trimmed_and_cover_the_file(sig):
    x = np.concatenate(
        [sig.voice_like(6.0, 16000), np.zeros(16000 * 3), sig.voice_like(3.0, 16000)]
    )
    segs = speech_segments(_media(x, 16000).data)
    assert [round(a) for a, _, _ in segs] == [0, 4, 8]
    assert all(abs(np.abs(s).max() - 0.9) < 1e-5 for _, _, s in segs)


def test_long_file_has_timeline_and_per_segment_scores(sig):
    ev = Loudness().score(_media(sig.voice_like(12.0, 8000)))
    assert len(ev.details["segments"]) == 3
    assert ev.artefacts[0].kind == "image"
    assert 0 <= ev.score <= 1


def test_too_short_and_non_speech_abstain(sig):
    ev = Loudness().score(_media(sig.voice_like(0.1, 8000)))
    assert ev.score is None and "too short" in ev.reason
    ev = Loudness().score(_media(sig.voice_like(2.0, 8000), label="music"))
    assert ev.score is None and "music" in ev.reason


def test_digital_silence_inside_a_segment_becomes_a_noise_floor(sig):
    word = sig.voice_like(0.5, 8000)
    x = np.concatenate([word, np.zeros(2400), word])  # 0.3 s of exact zeros between words
    (_, _, seg), *_ = speech_segments(_media(x).data)
    quiet = (np.abs(seg) <= 1e-4 * np.abs(seg).max()).astype(np.int8)  # within -80 dB of zero
    edges = np.diff(np.concatenate([[0], quiet, [0]]))
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    assert runs.max(initial=0) < 80  # no 10 ms of digital silence left (was 0.3 s)
