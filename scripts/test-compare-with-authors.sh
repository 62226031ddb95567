#!/usr/bin/env bash
# What of the authors' comparison can be tested without the authors' repository (docs/authors-comparison.md):
#   1. scripts/compare-with-authors.sh refuses, with exit status 2 and the way to get XNNPACK, a path that
#      is no folder, a folder that is no git repository, a repository without the paper's commit, and a
#      commit without the kernels' files; and refuses bad options with 2;
#   2. the driver, built as the script builds it but without the authors' kernels, passes its --self-test
#      (the median's interval, the plain twin names, the output check, ours through the registry), and
#      refuses a comparison with exit status 2 because the authors' kernels are not linked in.
# Needs no network. Every failure exits 1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
say() { echo "test-compare-with-authors: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
work="$(mktemp -d /tmp/softmax-repro-authors-test.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# expect_refusal <what the message must contain> <arguments...>
expect_refusal() {
  local expected="$1" output status
  shift
  set +e
  output="$("$repo/scripts/compare-with-authors.sh" "$@" 2>&1)"
  status=$?
  set -e
  [ "$status" -eq 2 ] || fail "compare-with-authors.sh $* exited $status, expected 2: $output"
  [[ "$output" == *"$expected"* ]] || fail "compare-with-authors.sh $* did not say '$expected': $output"
}

# --- 1. Refusals.
clone_hint="git clone https://github.com/google/XNNPACK"
expect_refusal "$clone_hint" "$work/no-such-folder"
mkdir "$work/plain-folder"
expect_refusal "is not a git repository; get it with: $clone_hint" "$work/plain-folder"
git init -q "$work/other-repo"
git -C "$work/other-repo" -c user.name=test -c user.email=test@example.com commit -q --allow-empty -m empty
expect_refusal "has no commit 'b6862d1'" "$work/other-repo"
expect_refusal "lacks src/xnnpack" "$work/other-repo" --commit HEAD
expect_refusal "$clone_hint" "$work/other-repo" --commit HEAD
expect_refusal "--isa 'sse': avx2, avx512f or both" "$work/other-repo" --isa sse
expect_refusal "unknown option '--colour'" "$work/other-repo" --colour red
expect_refusal "--sizes '1X': element counts" "$work/other-repo" --sizes 1X
say "the script refuses what it must, with exit status 2"

# --- 2. The driver's self-test, built with the script's flags for our kernels, without the authors' code.
kernels="$repo/Sources/CSoftmaxKernels"
mapfile -t sources < <(cd "$kernels" && find . -name '*.c' | sort | sed "s|^\./|$kernels/|")
cc="${CC:-clang}"
command -v "$cc" >/dev/null || cc=cc
"$cc" -std=gnu11 -O3 -fno-math-errno -ffp-contract=off -Wall -Wextra -Werror -I"$kernels/include" "${sources[@]}" \
  "$repo/scripts/compare_with_authors.c" "$repo/scripts/compare_with_authors_support.c" -lm -o "$work/driver" \
  || fail "building the driver"
"$work/driver" --self-test || fail "the driver's self-test (above)"
set +e
output="$("$work/driver" --sizes 1000 --rounds 6 --ours "ours:avx2:two-pass:0:raddextexp_portable_x4_acc4,vscaleextexp_portable_x4" 2>&1)"
status=$?
set -e
[ "$status" -eq 2 ] && [[ "$output" == *"not linked in"* ]] \
  || fail "the driver without the authors' kernels exited $status, expected 2 with 'not linked in': $output"
say "passed: refusals, the driver's self-test, and its refusal without the authors' kernels"
