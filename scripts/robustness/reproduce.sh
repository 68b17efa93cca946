#!/usr/bin/env bash
# Every measured number of docs/robustness.md; each step is one command. Weights are parameters,
# so the numbers re-run unchanged when new detector weights land:
#   HARDENED=/path/to/hardened/image/weights  (default: $R/weights/image-hardened)
#   FAKESCOPE_IMAGE_WEIGHTS / FAKESCOPE_AUDIO_WEIGHTS as usual for the "default" detectors.
# Data: scripts/image/build_real_corpus.py + scripts/robustness/build_eval_sets.py (docs).
set -euo pipefail
R=${R:-/work/data/robustness}
OUT=${OUT:-$R/results}
HARDENED=${HARDENED:-$R/weights/image-hardened}
FS=${FS:-.venv/bin/fakescope}
PY=${PY:-.venv/bin/python}
EPS2=0.00784313725490196  # 2/255
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$OUT"

# 1. robustness tables of the default detectors (fused verdict; every laundering family; attacks
#    at 2/255 and 8/255 L-inf, L2 1.0 for images; 0.002 L-inf, 0.2 L2 for speech)
EPS8=0.0313725490196  # 8/255
$FS robustness --real $R/eval/image/real --fake $R/eval/image/fake_upsample --limit 20 \
    --eps $EPS2 --eps $EPS8 --eps-l2 1.0 --queries 30 --json --html $OUT/image_table_A.html \
    > $OUT/image_table_A.json
$FS robustness --real $R/eval/image/shared_real --fake $R/eval/image/shared_fake --limit 20 \
    --eps $EPS2 --eps $EPS8 --eps-l2 1.0 --queries 30 --json --html $OUT/image_table_B.html \
    > $OUT/image_table_B.json
$FS robustness --real $R/eval/audio/shared_real --fake $R/eval/audio/shared_fake --limit 20 \
    --eps 0.002 --eps-l2 0.2 --queries 30 --json --html $OUT/speech_table.html \
    > $OUT/speech_table.json
# the shipped speech weights' own held-out pair: FSDD theo vs SVOX Pico (never seen)
PICO=${PICO:-/work/data/audio/tts/pico}
$FS robustness --real $R/eval/audio/theo --fake $PICO --limit 20 --eps 0.002 --eps-l2 0.2 \
    --queries 30 --json --html $OUT/speech_table_theo_pico.html > $OUT/speech_table_theo_pico.json

# 2. PGD L-inf 2/255, 10 steps, against residual-cnn: before (default weights) / after (hardened)
for set in "real fake_upsample A" "shared_real shared_fake B"; do
    read -r real fake tag <<< "$set"
    $FS robustness --real $R/eval/image/$real --fake $R/eval/image/$fake -d residual-cnn \
        -t none -a pgd --eps $EPS2 --steps 10 --json > $OUT/pgd_before_$tag.json
    FAKESCOPE_IMAGE_WEIGHTS=$HARDENED $FS robustness --real $R/eval/image/$real \
        --fake $R/eval/image/$fake -d residual-cnn -t none -a pgd --eps $EPS2 --steps 10 \
        --json > $OUT/pgd_after_$tag.json
done

# 3. fooling gallery against the undefended residual-cnn, then the share still fooling the
#    hardened one
$FS robustness --real $R/eval/image/real --fake $R/eval/image/fake_upsample --limit 2 \
    -d residual-cnn -t none -a none --fooling 10 --generations 100 --fooling-size 128 \
    --gallery $R/gallery/undefended --html $OUT/fooling_undefended.html \
    --json > $OUT/fooling_undefended.json
FAKESCOPE_IMAGE_WEIGHTS=$HARDENED $PY scripts/robustness/score_gallery.py \
    $R/gallery/undefended --json > $OUT/fooling_hardened.json
# second direct-encoding run: smaller images, more generations
$FS robustness --real $R/eval/image/real --fake $R/eval/image/fake_upsample --limit 2 \
    -d residual-cnn -t none -a none --fooling 10 --fooling-methods direct --generations 1000 \
    --fooling-size 64 --gallery $R/gallery/direct64 --html $OUT/fooling_direct64.html \
    --json > $OUT/fooling_direct64.json
FAKESCOPE_IMAGE_WEIGHTS=$HARDENED $PY scripts/robustness/score_gallery.py \
    $R/gallery/direct64 --json > $OUT/fooling_direct64_hardened.json

# 4. attack cost per image as a ratio to one scan
$PY benchmarks/bench_robustness.py --n 64 | tee $OUT/bench_robustness.txt

# 5. round 2 (issue 13): robust-cnn, standard twin S vs PGD adversarial training (M: half of each
#    batch PGD-3 at 2/255; F: the whole batch), same data, seed and steps (12 epochs; training
#    views cached so all candidates see the same data); then PGD-10 at 2/255 on sets A and B.
#    REAL = the --real folder of the shipped image weights (docs/image.md).
REAL=${REAL:-/work/data/image/real/train}
R2=${R2:-$R/r2}
T="$PY scripts/robustness/train_robust_cnn.py --real $REAL --cache $R2/cache --front highpass"
$T --out $R2/weights/hp-S --eps 0
$T --out $R2/weights/hp-M --eps $EPS2 --fraction 0.5
$T --out $R2/weights/hp-F --eps $EPS2 --fraction 1.0
$T --out $R2/weights/hp-T --eps $EPS2 --trades-beta 1.0  # TRADES (M and F failed the rule)
for c in S M F T; do
    for set in "real fake_upsample A" "shared_real shared_fake B"; do
        read -r real fake tag <<< "$set"
        FAKESCOPE_IMAGE_WEIGHTS=$R2/weights/hp-$c $FS robustness --real $R/eval/image/$real \
            --fake $R/eval/image/$fake -d robust-cnn -t none -a pgd --eps $EPS2 --steps 10 \
            --json > $OUT/pgd_hp-${c}_$tag.json
    done
done
# fooling, "real" direction, new independent runs (seed 1); every gallery re-scored by the
# hardened residual-cnn and by robust-cnn S / M / F
$FS robustness --real $R/eval/image/real --fake $R/eval/image/fake_upsample --limit 2 --seed 1 \
    -d residual-cnn -t none -a none --fooling 10 --fooling-methods direct --generations 1000 \
    --fooling-size 64 --gallery $R2/gallery/direct64_seed1 --json > $OUT/fooling_direct64_seed1.json
FAKESCOPE_IMAGE_WEIGHTS=$HARDENED $PY scripts/robustness/score_gallery.py \
    $R2/gallery/direct64_seed1 --json > $OUT/fooling_direct64_seed1_hardened.json
for c in S M F T; do
    for g in $R/gallery/direct64 $R2/gallery/direct64_seed1; do
        FAKESCOPE_IMAGE_WEIGHTS=$R2/weights/hp-$c $PY scripts/robustness/score_gallery.py $g \
            --detector robust-cnn --json > $OUT/gallery_$(basename $g)_hp-$c.json
    done
done
