#!/usr/bin/env bash
# Ours against the authors' kernels, side by side in one process (docs/authors-comparison.md).
#
#   scripts/compare-with-authors.sh <xnnpack-git-dir-or-checkout> [--commit C] [--sizes 1K,10K,...]
#       [--rounds N] [--isa avx2|avx512f|both] [--out FILE.csv] [--tuned PRESET.json] [--cpu N]
#   scripts/compare-with-authors.sh <xnnpack-git-dir-or-checkout> [--commit C] --loops
#
# Extracts the authors' softmax kernels (google/XNNPACK at the paper's commit, default b6862d1) with the
# XNNPACK headers they include into a scratch folder under $TMPDIR (never into the repository), compiles
# them as XNNPACK's CMake build does (-O2, -mavx / -mavx2 -mfma / -mavx512f per file), compiles our
# CSoftmaxKernels with Package.swift's kernel flags and the driver scripts/compare_with_authors.c, and runs
# it pinned to one CPU. Contenders: the authors' blend kernels, ours with the same unrolls
# (experiments/presets/blend.json) and, with --tuned, ours as the tuned preset of this machine
# (experiments/presets/tuned/<processor-id>.json) with its streaming thresholds. The CSV goes to --out
# (default: local/authors-comparison.csv), the Markdown tables to stdout. --loops times nothing: it prints
# the main loops of the authors' exp kernels and ours side by side, instructions per vector by kind
# (scripts/compare-main-loops.py).
# Exit status: 0; 1 when a build or an output check failed; 2 for bad arguments or a repository that is not
# XNNPACK or lacks the commit's files.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
say() { echo "compare-with-authors: $*" >&2; }
refuse() { say "$*"; exit 2; }
get_it="get it with: git clone https://github.com/google/XNNPACK (the path may be the clone or its .git folder)"

[ $# -ge 1 ] || refuse "usage: $0 <xnnpack-git-dir-or-checkout> [--commit C] [--sizes 1K,10K,...] [--rounds N] [--isa avx2|avx512f|both] [--out FILE.csv] [--tuned PRESET.json] [--cpu N]"
xnnpack="$1"
shift
commit=b6862d1 sizes="1K,10K,100K,1M,10M,64M" rounds=21 isa=both out="$repo/local/authors-comparison.csv" tuned="" cpu="" loops=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--loops" ]; then loops=1; shift; continue; fi
  [ $# -ge 2 ] || refuse "$1 needs a value"
  case "$1" in
    --commit) commit="$2" ;;
    --sizes) sizes="$2" ;;
    --rounds) rounds="$2" ;;
    --isa) isa="$2" ;;
    --out) out="$2" ;;
    --tuned) tuned="$2" ;;
    --cpu) cpu="$2" ;;
    *) refuse "unknown option '$1'" ;;
  esac
  shift 2
done
[[ "$rounds" =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] || refuse "--rounds '$rounds': a whole number, at least 6 for a 95% interval"
case "$isa" in avx2|avx512f|both) ;; *) refuse "--isa '$isa': avx2, avx512f or both" ;; esac
[ -z "$tuned" ] || [ -f "$tuned" ] || refuse "--tuned '$tuned': no such preset file (ls experiments/presets/tuned; 'softmax-repro tune' writes one)"

# Element counts: 1K = 1000, 1M = 10^6, 64M = 64 * 2^20 (the harness's spelling of its largest size).
element_counts=()
IFS=',' read -r -a size_words <<< "$sizes"
for word in "${size_words[@]}"; do
  case "$word" in
    64M) element_counts+=($((64 << 20))) ;;
    *[0-9]K) element_counts+=($((${word%K} * 1000))) ;;
    *[0-9]M) element_counts+=($((${word%M} * 1000000))) ;;
    *) [[ "$word" =~ ^[0-9]+$ ]] || refuse "--sizes '$sizes': element counts such as 1000, 10K, 1M or 64M, comma-separated"
       element_counts+=("$word") ;;
  esac
done

# --- The authors' repository and commit.
[ -d "$xnnpack" ] || refuse "'$xnnpack' is not a folder; $get_it"
git -C "$xnnpack" rev-parse --git-dir >/dev/null 2>&1 || refuse "'$xnnpack' is not a git repository; $get_it"
git -C "$xnnpack" cat-file -e "$commit^{commit}" 2>/dev/null \
  || refuse "'$xnnpack' has no commit '$commit' (run 'git -C $xnnpack fetch origin', or $get_it)"
# The paper's blend kernels (bench/f32-softmax.cc at b6862d1) and the ISA flag each file is built with.
authors_files=(
  "src/f32-rmax/avx.c:-mavx" "src/f32-rmax/avx512f.c:-mavx512f"
  "src/f32-vscale/avx-unroll32.c:-mavx" "src/f32-vscale/avx512f-unroll64.c:-mavx512f"
  "src/f32-raddexpminusmax/gen/avx2-p5-x96.c:-mavx2 -mfma" "src/f32-raddexpminusmax/gen/avx512f-p5-scalef-x128-acc4.c:-mavx512f"
  "src/f32-vscaleexpminusmax/gen/avx2-p5-x24.c:-mavx2 -mfma" "src/f32-vscaleexpminusmax/gen/avx512f-p5-scalef-x16.c:-mavx512f"
  "src/f32-raddstoreexpminusmax/gen/avx2-p5-x64-acc2.c:-mavx2 -mfma"
  "src/f32-raddstoreexpminusmax/gen/avx512f-p5-scalef-x128-acc2.c:-mavx512f"
  "src/f32-raddextexp/gen/avx2-p5-x96.c:-mavx2 -mfma" "src/f32-raddextexp/gen/avx512f-p5-scalef-x144-acc3.c:-mavx512f"
  "src/f32-vscaleextexp/gen/avx2-p5-x40.c:-mavx2 -mfma" "src/f32-vscaleextexp/gen/avx512f-p5-scalef-x16.c:-mavx512f"
)
paths=(src/xnnpack include)
for entry in "${authors_files[@]}"; do paths+=("${entry%%:*}"); done
for path in "${paths[@]}"; do
  git -C "$xnnpack" cat-file -e "$commit:$path" 2>/dev/null \
    || refuse "'$xnnpack' at $commit lacks $path: not XNNPACK, or a commit without the paper's kernels (the paper's is b6862d1; $get_it)"
done

# --- Build, in a scratch folder.
command -v python3 >/dev/null || refuse "python3 is needed to read the presets (JSON)"
cc="${CC:-clang}"
command -v "$cc" >/dev/null || cc=cc
scratch="$(mktemp -d "${TMPDIR:-/tmp}/softmax-repro-authors.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/xnnpack" "$scratch/obj"
git -C "$xnnpack" archive "$commit" "${paths[@]}" | tar -x -C "$scratch/xnnpack"
# include/xnnpack.h (through src/xnnpack/params.h) includes pthreadpool.h for the type pthreadpool_t only,
# which no kernel uses: a one-line stand-in instead of the pthreadpool dependency.
mkdir -p "$scratch/shim"
echo 'typedef struct pthreadpool* pthreadpool_t;' > "$scratch/shim/pthreadpool.h"
authors_cflags=(-std=c99 -O2 -DNDEBUG -I"$scratch/xnnpack/src" -I"$scratch/xnnpack/include" -I"$scratch/shim")
for entry in "${authors_files[@]}"; do
  file="${entry%%:*}"
  read -r -a isa_flags <<< "${entry#*:}"
  "$cc" "${authors_cflags[@]}" "${isa_flags[@]}" -c "$scratch/xnnpack/$file" -o "$scratch/obj/authors-$(echo "$file" | tr '/' '_').o" \
    || { say "FAILED to compile the authors' $file"; exit 1; }
done
kernels="$repo/Sources/CSoftmaxKernels"
# Package.swift's kernelFlags: the flags our kernels are built with in the package.
our_flags=(-std=gnu11 -O3 -fno-math-errno -ffp-contract=off -I"$kernels/include")

if [ -n "$loops" ]; then
  # family:authors' file:authors' function suffix:our kernel:tile:lanes, the exp kernels of the blend presets.
  pairs=(
    "raddextexp:avx2-p5-x96:avx2_p5_x96:raddextexp_avx2_x96:96:8"
    "vscaleextexp:avx2-p5-x40:avx2_p5_x40:vscaleextexp_avx2_x40:40:8"
    "raddexpminusmax:avx2-p5-x96:avx2_p5_x96:raddexpminusmax_avx2_x96:96:8"
    "vscaleexpminusmax:avx2-p5-x24:avx2_p5_x24:vscaleexpminusmax_avx2_x24:24:8"
    "raddstoreexpminusmax:avx2-p5-x64-acc2:avx2_p5_x64_acc2:raddstoreexpminusmax_avx2_x64_acc2:64:8"
    "raddextexp:avx512f-p5-scalef-x144-acc3:avx512f_p5_scalef_x144_acc3:raddextexp_avx512f_x144_acc3:144:16"
    "vscaleextexp:avx512f-p5-scalef-x16:avx512f_p5_scalef_x16:vscaleextexp_avx512f_x16:16:16"
    "raddexpminusmax:avx512f-p5-scalef-x128-acc4:avx512f_p5_scalef_x128_acc4:raddexpminusmax_avx512f_x128_acc4:128:16"
    "vscaleexpminusmax:avx512f-p5-scalef-x16:avx512f_p5_scalef_x16:vscaleexpminusmax_avx512f_x16:16:16"
    "raddstoreexpminusmax:avx512f-p5-scalef-x128-acc2:avx512f_p5_scalef_x128_acc2:raddstoreexpminusmax_avx512f_x128_acc2:128:16"
  )
  arguments=()
  for pair in "${pairs[@]}"; do
    IFS=':' read -r family file suffix kernel tile lanes <<< "$pair"
    isa="${kernel#"${family}_"}" isa="${isa%%_*}"
    ours="$scratch/obj/ours-${family}_$isa.o"
    [ -f "$ours" ] || "$cc" "${our_flags[@]}" -c "$kernels/$family/${family}_$isa.c" -o "$ours" || { say "FAILED to compile our $family $isa"; exit 1; }
    arguments+=("$scratch/obj/authors-src_f32-${family}_gen_$file.c.o:xnn_f32_${family}_ukernel__$suffix:$ours:$kernel:$tile:$lanes")
  done
  say "main loops compiled by $("$cc" --version | head -1)"
  python3 "$repo/scripts/compare-main-loops.py" "${arguments[@]}"
  exit 0
fi
mapfile -t our_sources < <(cd "$kernels" && find . -name '*.c' | sort | sed "s|^\./|$kernels/|")
say "building our kernels and the driver with $("$cc" --version | head -1)"
"$cc" "${our_flags[@]}" -Wall -Wextra -Werror "${our_sources[@]}" "$repo/scripts/compare_with_authors.c" \
  "$repo/scripts/compare_with_authors_support.c" "$scratch"/obj/*.o -lm \
  -o "$scratch/compare_with_authors" || { say "FAILED to build the driver"; exit 1; }

# --- Our plans from the presets: LABEL:ISA:ALGORITHM:THRESHOLD:KERNELS.
plans="$(python3 - "$repo/experiments/presets/blend.json" "$tuned" <<'EOF'
import json, sys
for label, path in (("ours-blend", sys.argv[1]), ("ours-tuned", sys.argv[2])):
    if not path:
        continue
    preset = json.load(open(path))
    thresholds = preset.get("streaming_thresholds") or {}
    for isa in ("avx2", "avx512f"):
        for algorithm in ("two-pass", "three-pass-recompute", "three-pass-reload"):
            names = preset["kernels"].get(isa, {}).get(algorithm)
            if names:
                threshold = thresholds.get(isa, {}).get(algorithm, 0)
                print(f"--ours {label}:{isa}:{algorithm}:{threshold}:{','.join(names)}")
EOF
)"
[ -n "$tuned" ] || say "no --tuned preset: only ours-blend is compared (pass --tuned experiments/presets/tuned/<processor-id>.json for the tuned column)"
mkdir -p "$(dirname "$out")"
read -r -a plan_arguments <<< "$(echo "$plans" | tr '\n' ' ')"
run=("$scratch/compare_with_authors" --sizes "$(IFS=,; echo "${element_counts[*]}")" --rounds "$rounds" --isa "$isa" --out "$out"
     "${plan_arguments[@]}")
# One CPU: the one named, else the last one this process may run on (away from CPU 0's housekeeping).
[ -n "$cpu" ] || cpu="$(taskset -pc $$ 2>/dev/null | sed 's/.*: //' | tr ',' '\n' | sed 's/.*-//' | sort -n | tail -1)"
if command -v taskset >/dev/null && [ -n "$cpu" ]; then
  say "running pinned to CPU $cpu; CSV: $out"
  taskset -c "$cpu" "${run[@]}"
else
  say "WARNING: not pinned (no taskset): the scheduler may move the run between CPUs; CSV: $out"
  "${run[@]}"
fi
