#!/usr/bin/env bash
# The C kernel library without Swift, three ways, with Tests/CSoftmaxKernelsTests/kernels_smoke.c (which
# walks the registry and checks every kernel this CPU runs against float64 on inputs with tails):
#   1. native (every ISA of this CPU), with the Swift build's kernel flags;
#   2. with vscale/vscale_portable.c replaced by a deliberately broken kernel: the smoke test must fail
#      and name it, or it proves nothing;
#   3. cross-compiled for aarch64 with Debian's gcc-aarch64-linux-gnu and run under qemu-aarch64: the
#      architecture guards must leave a library of portable kernels that builds without a warning and
#      passes (FPCR.FZ included, which qemu emulates).
# Installs the cross compiler and qemu-user-static through apt-get when missing. When they cannot be
# installed it says why and skips part 3 (exit 0), except in CI (CI=true), where that is a failure.
# All warnings are errors. Every other failure exits 1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
say() { echo "test-c-kernels: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

kernels="$repo/Sources/CSoftmaxKernels"
smoke="$repo/Tests/CSoftmaxKernelsTests"
# The flags of Package.swift's kernelFlags (the C semantics the kernels are written for), plus warnings.
flags=(-std=gnu11 -O3 -fno-math-errno -ffp-contract=off -Wall -Wextra -Werror -I"$kernels/include")
mapfile -t sources < <(cd "$kernels" && find . -name '*.c' | sort | sed "s|^\./|$kernels/|")
work="$(mktemp -d /tmp/softmax-repro-c-kernels.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# --- 1. Native.
cc="${CC:-clang}"
command -v "$cc" >/dev/null || cc=cc
"$cc" "${flags[@]}" "${sources[@]}" "$smoke/kernels_smoke.c" -lm -o "$work/smoke-native" || fail "native build with $cc"
"$work/smoke-native" || fail "native smoke test (above)"

# --- 2. The smoke test fails on a broken kernel.
broken_sources=()
for s in "${sources[@]}"; do [[ "$s" == */vscale/vscale_portable.c ]] || broken_sources+=("$s"); done
[ ${#broken_sources[@]} -eq $((${#sources[@]} - 1)) ] || fail "vscale/vscale_portable.c not found among the kernel sources"
"$cc" "${flags[@]}" "${broken_sources[@]}" "$smoke/broken_vscale_portable.c" "$smoke/kernels_smoke.c" -lm -o "$work/smoke-broken" \
  || fail "build with the broken vscale kernel"
set +e
broken_output="$("$work/smoke-broken" 2>&1)"
status=$?
set -e
[ "$status" -eq 1 ] || fail "the smoke test exited $status with a broken vscale_portable kernel, expected 1: $broken_output"
[[ "$broken_output" == *"FAIL vscale_portable_x4 "* ]] || fail "the smoke test did not name the broken kernel: $broken_output"
say "the smoke test fails on a broken kernel, as it must"

# --- 3. aarch64: cross build and qemu.
qemu=""
find_tools() {
  command -v aarch64-linux-gnu-gcc >/dev/null || return 1
  qemu="$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)"
  [ -n "$qemu" ]
}
cannot() {
  if [ "${CI:-}" = "true" ]; then fail "$* (CI=true: the aarch64 check may not be skipped)"; fi
  say "SKIPPED the aarch64 cross build: $*"
  exit 0
}
if ! find_tools; then
  packages=(gcc-aarch64-linux-gnu qemu-user-static)
  command -v apt-get >/dev/null || cannot "no aarch64-linux-gnu-gcc or qemu-aarch64, and no apt-get to install ${packages[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || cannot "no aarch64-linux-gnu-gcc or qemu-aarch64: run 'apt-get install ${packages[*]}' as root"
    sudo="sudo"
  fi
  say "installing ${packages[*]}"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null; } \
    || cannot "apt-get install ${packages[*]} failed"
  find_tools || cannot "${packages[*]} installed, but aarch64-linux-gnu-gcc or qemu-aarch64 is still missing"
fi
# gcc does not know clang's loop pragmas (the templates' full unrolling): unknown pragmas are not errors.
aarch64-linux-gnu-gcc "${flags[@]}" -Wno-unknown-pragmas "${sources[@]}" "$smoke/kernels_smoke.c" -lm -o "$work/smoke-aarch64" \
  || fail "aarch64 cross build (the architecture guards, above)"
if aarch64-linux-gnu-nm "$work/smoke-aarch64" | grep -Eq '_(avx2|avx512f)_x[0-9]'; then
  fail "the aarch64 build holds x86-64 kernels: $(aarch64-linux-gnu-nm "$work/smoke-aarch64" | grep -E '_(avx2|avx512f)_x[0-9]' | head -3)"
fi
"$qemu" -L /usr/aarch64-linux-gnu "$work/smoke-aarch64" || fail "aarch64 smoke test under $(basename "$qemu") (above)"
say "passed: native, the broken-kernel check, and aarch64 under $(basename "$qemu")"
