from __future__ import annotations

from fakescope.audio.clip import AudioClip
from fakescope.audio.fusion import AudioFuser
from fakescope.core.evidence import Evidence
from fakescope.core.fusion import LogisticFuser
from fakescope.core.media import Media
from fakescope.image.fusion import ImageFuser
from fakescope.provenance.audio_watermark import embed as embed_audio
from fakescope.provenance.detectors import AudioWatermarkDetector, WatermarkDetector
from fakescope.provenance.image_watermark import embed
from fakescope.provenance.payload import make_payload


def test_image_detector_reports_payload_or_abstains(photo):
    marked = embed(photo, make_payload("biggan", 0xABCD))
    ev = WatermarkDetector().score(Media("m.png", "image", marked, {}))
    assert ev.score == 0.99 and ev.weight >= 3
    assert ev.details["generator"] == "biggan" and ev.details["id"] == "abcd"
    assert "fakescope" in ev.reason and ev.artefacts[0].kind == "table"
    none = WatermarkDetector().score(Media("p.png", "image", photo, {}))
    assert none.score is None and "neutral" in none.reason


def test_audio_detector(speech_like):
    x, sr = speech_like
    clip = AudioClip(embed_audio(x, sr, make_payload("speech", 1))[:, None], sr)
    assert AudioWatermarkDetector().score(Media("a.wav", "audio", clip, {})).score == 0.99
    plain = AudioClip(x[:, None], sr)
    assert AudioWatermarkDetector().score(Media("b.wav", "audio", plain, {})).score is None
    short = AudioClip(x[: sr // 2, None], sr)
    assert "too short" in AudioWatermarkDetector().score(Media("c.wav", "audio", short, {})).reason


def test_found_mark_is_strong_evidence_in_both_fusers():
    pixel = [Evidence("spectrum", 0.2, "")]
    fuser = ImageFuser(LogisticFuser(coef={"spectrum": 1.0}))
    base = fuser.fuse(pixel)
    marked = fuser.fuse(pixel + [Evidence("watermark", 0.99, "", weight=3.0)])
    assert base < 0.3 and marked > 0.99
    assert fuser.fuse(pixel + [Evidence("watermark", None, "")]) == base  # no mark: neutral
    audio = AudioFuser(speech=LogisticFuser({"spec-cnn": 1.0}))
    speech = [Evidence("spec-cnn", 0.1, "")]
    assert audio.fuse(speech) < 0.2
    assert audio.fuse(speech + [Evidence("audio-watermark", 0.99, "", weight=3.0)]) > 0.99
    assert audio.fuse(speech + [Evidence("audio-watermark", None, "")]) == audio.fuse(speech)


def test_shipped_image_fuser_counts_the_watermark():
    from fakescope.image.fusion import load_image_fuser

    fuser = load_image_fuser()
    assert fuser is not None and "watermark" in fuser.additive


def test_saturated_verdicts_still_count_the_mark():
    from fakescope.core.fusion import fusion_weights

    fuser = ImageFuser(LogisticFuser(coef={"spectrum": 1.0}))
    ev = [Evidence("spectrum", 0.999, ""), Evidence("watermark", 0.99, "", weight=3.0)]
    assert fuser.fuse(ev) > 1 - 1e-8
    assert fusion_weights(fuser, ev) == {"spectrum": 1.0, "watermark": 3.0}
    audio = AudioFuser(speech=LogisticFuser({"spec-cnn": 1.0}))
    ev = [Evidence("spec-cnn", 0.999, ""), Evidence("audio-watermark", 0.99, "", weight=3.0)]
    weights = fusion_weights(audio, ev)
    assert weights["audio-watermark"] == 3.0 and weights["spec-cnn"] > 0.5
