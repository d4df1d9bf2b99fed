#!/usr/bin/env bash
# Exports the third-party reference code the metrics reference scripts need into .ref/ (git-ignored), from
# bare mirrors of cvzoya/saliency, atsiami/STAViS, msu-video-group/ECCVW24_Saliency_Prediction and
# sanghyun-son/bicubic_pytorch, then runs the Octave reference. Usage: tools/metrics_reference_setup.sh MIRROR_ROOT
# where MIRROR_ROOT holds OWNER+NAME/repo bare git directories.
set -euo pipefail
root=${1:?mirror root}
cd "$(dirname "$0")/.."
mkdir -p .ref/mit .ref/stavis .ref/aim .ref/imresize_answers
for f in AUC_Judd AUC_Borji AUC_shuffled CC NSS similarity KLdiv; do
  git -C "$root/cvzoya+saliency/repo" show "HEAD:code_forMetrics/$f.m" > ".ref/mit/$f.m"
done
for f in postprocessMap normalizeImage1 createShuffmap1; do
  git -C "$root/atsiami+STAViS/repo" show "HEAD:eval_code/$f.m" > ".ref/stavis/$f.m"
done
git -C "$root/msu-video-group+ECCVW24_Saliency_Prediction/repo" show HEAD:bench.py > .ref/aim/bench.py
for f in $(git -C "$root/sanghyun-son+bicubic_pytorch/repo" ls-tree --name-only HEAD test_answer/ | grep '_aa\.mat$'); do
  git -C "$root/sanghyun-son+bicubic_pytorch/repo" show "HEAD:$f" > ".ref/imresize_answers/$(basename "$f")"
done
octave --no-gui -q tools/metrics_octave_reference.m .ref/mit .ref/stavis .ref/imresize_answers \
  avsal-core/src/test/resources/fixtures/metrics/mit_octave.txt
