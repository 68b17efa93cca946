import json

from fakescope.audio.fusion import AudioFuser
from fakescope.core.evidence import Evidence
from fakescope.core.fusion import LogisticFuser


def test_speech_and_music_are_fused_separately():
    speech = LogisticFuser({"lfcc-gmm": 1.0, "spec-cnn": 1.0}, intercept=-5.0)
    music = LogisticFuser({"music-artifacts": 1.0}, intercept=0.0)
    f = AudioFuser(speech=speech, music=music)
    s = f.fuse(
        [
            Evidence("lfcc-gmm", 0.9, ""),
            Evidence("spec-cnn", 0.9, ""),
            Evidence("music-artifacts", None, "speech"),
        ]
    )
    assert s < 0.5  # the speech intercept applies
    m = f.fuse([Evidence("music-artifacts", 0.8, ""), Evidence("lfcc-gmm", None, "music")])
    assert abs(m - 0.8) < 1e-6  # the speech intercept does not
    assert f.fuse([Evidence("spec-cnn", None, "too short")]) is None


def test_loads_weights_folder(tmp_path, monkeypatch):
    payload = {"speech": LogisticFuser({"spec-cnn": 2.0}).to_dict(), "music": None}
    (tmp_path / "fuser.json").write_text(json.dumps(payload))
    monkeypatch.setenv("FAKESCOPE_AUDIO_WEIGHTS", str(tmp_path))
    p = AudioFuser().fuse([Evidence("spec-cnn", 0.75, "")])
    assert abs(p - 0.9) < 1e-6  # sigmoid(2 * logit(0.75)) = 0.9


def test_mixed_evidence_follows_the_content_label():
    f = AudioFuser(
        speech=LogisticFuser({"spec-cnn": 1.0}), music=LogisticFuser({"music-artifacts": 1.0})
    )
    content = {"content": {"label": "music"}}
    ev = [
        Evidence("spec-cnn", 0.99, "", details=content),
        Evidence("music-artifacts", 0.2, "", details=content),
    ]
    assert abs(f.fuse(ev) - 0.2) < 1e-6
    content = {"content": {"label": "speech"}}
    ev = [
        Evidence("spec-cnn", 0.99, "", details=content),
        Evidence("music-artifacts", 0.2, "", details=content),
    ]
    assert abs(f.fuse(ev) - 0.99) < 1e-6


def test_the_fusion_fitted_for_the_voting_detectors_is_used():
    default = LogisticFuser({"lfcc-gmm": 1.0, "spec-cnn": 1.0})
    with_whisper = LogisticFuser({"lfcc-gmm": 0.5, "spec-cnn": 0.5, "whisper-embed": 1.0}, -3.0)
    f = AudioFuser(speech=default, speech_variants=[with_whisper])
    two = [Evidence("lfcc-gmm", 0.8, ""), Evidence("spec-cnn", 0.8, "")]
    assert abs(f.fuse(two) - default.fuse(two)) < 1e-12
    three = [*two, Evidence("whisper-embed", 0.8, "")]
    assert abs(f.fuse(three) - with_whisper.fuse(three)) < 1e-12
    # an opt-in detector that could not start abstains: the default fusion applies
    abstained = [*two, Evidence("whisper-embed", None, "could not start")]
    assert abs(f.fuse(abstained) - default.fuse(two)) < 1e-12
    # no fusion was fitted for this set: the default one is used
    one = [Evidence("spec-cnn", 0.8, "")]
    assert abs(f.fuse(one) - default.fuse(one)) < 1e-12


def test_variants_load_from_the_weights_folder(tmp_path, monkeypatch):
    payload = {
        "speech": LogisticFuser({"spec-cnn": 1.0}).to_dict(),
        "speech_variants": [LogisticFuser({"spec-cnn": 1.0, "whisper-embed": 2.0}).to_dict()],
        "music": None,
    }
    (tmp_path / "fuser.json").write_text(json.dumps(payload))
    monkeypatch.setenv("FAKESCOPE_AUDIO_WEIGHTS", str(tmp_path))
    p = AudioFuser().fuse([Evidence("spec-cnn", 0.5, ""), Evidence("whisper-embed", 0.75, "")])
    assert abs(p - 0.9) < 1e-6
