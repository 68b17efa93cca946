"""Music analysis: tempo, beats, downbeats, onsets, drum hits (kick / snare / hi-hat) and vocal
segments, from one small CRNN (:mod:`.network`) and classic decoders (:mod:`.decode`).

Examples
--------
>>> from fakescope.audio.music_analysis import analyze_music  # doctest: +SKIP
>>> analyze_music(samples, 44100).tempo_bpm  # doctest: +SKIP
120.0
"""

from __future__ import annotations

from fakescope.audio.music_analysis.analysis import MusicAnalysis, MusicAnalyzer, analyze_music

__all__ = ["MusicAnalysis", "MusicAnalyzer", "analyze_music"]
