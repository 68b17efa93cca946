from __future__ import annotations

import io

import numpy as np
import pytest

from fakescope.provenance.audio_watermark import AudioWatermarkError, detect, embed


def _mp3_round_trip(x: np.ndarray, sr: int, kbps: int = 64) -> tuple[np.ndarray, int]:
    av = pytest.importorskip("av")
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=sr, layout="mono")
        stream.bit_rate = kbps * 1000
        pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = sr
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    buf.seek(0)
    chunks, rate = [], sr
    with av.open(buf) as inp:
        for frame in inp.decode(audio=0):
            rate = frame.sample_rate
            chunks.append(frame.to_ndarray().astype(np.float64).reshape(-1))
    y = np.concatenate(chunks)
    return (y / 32768.0 if np.abs(y).max() > 2 else y), rate


def test_round_trip_and_no_false_alarm(speech_like):
    x, sr = speech_like
    marked = embed(x, sr, 0xF5100042)
    det = detect(marked, sr)
    assert det.found and det.z > 6
    # the payload is only reported when its CRC checks out (long or noise-like clips)
    assert det.payload in (None, 0xF5100042)
    assert not detect(x, sr).found
    noise = np.random.default_rng(0).normal(0, 0.1, sr * 4)
    assert detect(embed(noise, sr, 0xF5100042), sr).payload == 0xF5100042
    # the change is a bounded re-weighting of the spectrum, not added noise
    assert np.abs(marked).max() <= 1.0


def test_survives_mp3_64k(speech_like):
    x, sr = speech_like
    y, rate = _mp3_round_trip(embed(x, sr, 0xF5100007), sr)
    det = detect(y, rate)
    assert det.found and det.z > 6


def test_too_short_or_too_low_rate():
    with pytest.raises(AudioWatermarkError, match="too short"):
        embed(np.zeros(8000), 16000, 1)
    with pytest.raises(AudioWatermarkError, match="too low"):
        embed(np.zeros(6000 * 3), 6000, 1)
    assert not detect(np.zeros(16000), 16000).found
    assert not detect(np.zeros(16000 * 3), 16000).found
