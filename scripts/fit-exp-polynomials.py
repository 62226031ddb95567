#!/usr/bin/env python3
"""Fits the polynomials of the table-based exp kernels and writes their constants, with error bounds,
to Sources/CSoftmaxKernels/common/exp_lut_constants.h.

Method lut16p3: exp(x) = 2^(n/16) * p(t), n = round(x * 16/ln2), t = x - n * ln2/16, |t| <= ln2/32,
2^(n/16) = 2^floor(n/16) * T[n mod 16], T[j] = 2^(j/16) from a 16-entry table, p of degree 3 with
p(0) = 1. The fit is minimax in relative error (Lawson's iteratively reweighted least squares, as in
scripts/exp-degree-bound.py, on Chebyshev points), on |t| <= ln2/32 widened by the reduction's own error;
the coefficients are then rounded to float and the error of the rounded polynomial is measured again on
a dense grid, so the bound printed and written is that of the constants the kernels use.

The table is stored as bits(T[j]) - (j << 19): adding the bits of the magic-biased n shifted left by 19
(n << 19 = (n - j) << 19 + j << 19 = floor(n/16) << 23 + j << 19) then gives bits(T[j]) + floor(n/16) << 23,
the float 2^(n/16), with one integer add and no masking of n's low bits.

Also prints, for the record, why there is no single-constant (rr1) reduction in the three-pass or
two-pass exps: with ln2 rounded to one float, t's error grows as n * |ln2 - float(ln2)|, which over the
three-pass range |n| <= 126 already exceeds the 2.5-ulp budget.

Run: python3 scripts/fit-exp-polynomials.py [--write]
"""
import struct
import sys
from pathlib import Path

import numpy as np

HEADER = Path(__file__).resolve().parent.parent / "Sources/CSoftmaxKernels/common/exp_lut_constants.h"
# The two halves of -ln2 of exp_constants.h (SOFTMAX_MINUS_LN2_HI, SOFTMAX_MINUS_LN2_LO).
MINUS_LN2_HI = float.fromhex("-0x1.62E43p-1")
MINUS_LN2_LO = float.fromhex("0x1.05C61p-29")
ULP = 2.0**-24  # a unit in the last place of a float in [1, 2), relative: error budgets below are in it


def f32(v):
    return float(np.float32(v))


def hexf(v):
    """An exact C hex float literal for a float32 value."""
    mantissa, exponent = float(np.float32(v)).hex().split("p")
    mantissa = mantissa.upper().replace("0X", "0x").rstrip("0")
    return (mantissa + "0" if mantissa.endswith(".") else mantissa) + "p" + exponent.lstrip("+") + "f"


def lawson(degree, half_width, points=4001, iterations=400):
    """Coefficients c1..c_degree of 1 + sum c_k t^k, minimax in relative error on |t| <= half_width."""
    t = np.cos(np.linspace(0, np.pi, points)) * half_width
    f = np.exp(t)
    A = np.stack([t**k for k in range(1, degree + 1)], 1) / f[:, None]
    b = (f - 1) / f
    w = np.full(points, 1.0 / points)
    for _ in range(iterations):
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
        w = w * np.abs(A @ c - b)
        w /= w.sum()
    return c


def relative_error(coefficients, half_width, points=200001):
    """Max |p(t)/exp(t) - 1| of 1 + sum c_k t^k (coefficients as given, evaluated in float64)."""
    t = np.linspace(-half_width, half_width, points)
    p = np.zeros_like(t)
    for c in reversed(coefficients):
        p = (p + c) * t
    return float(np.max(np.abs((1 + p) / np.exp(t) - 1)))


def fit(degree, table_bits):
    # The reduced argument can exceed ln2/2^(k+1) by the rounding of n's product and of the two FMAs of
    # the reduction: 2^-10 relative covers them with room for the largest |n| of the three-pass range.
    half_width = np.log(2) / 2 ** (table_bits + 1) * (1 + 2.0**-10)
    c = [f32(v) for v in lawson(degree, half_width)]
    return c, relative_error(c, half_width)


def table16_entries():
    out = []
    for j in range(16):
        bits = struct.unpack("<I", struct.pack("<f", f32(2.0 ** (j / 16))))[0]
        out.append((bits - (j << 19)) & 0xFFFFFFFF)
    return out


def emulate_lut16p3(x, c):
    """The kernels' float32 arithmetic, emulated in numpy (an FMA as one float64 operation rounded to
    float32: exact for the products, which fit float64, and at most a double rounding on the sums)."""
    x = x.astype(np.float32)
    magic = np.float32(1.5 * 2**23)
    vn = (x.astype(np.float64) * np.float64(f32(16 / np.log(2))) + np.float64(magic)).astype(np.float32)
    nbits = vn.view(np.uint32)
    table = np.array(table16_entries(), dtype=np.uint32)
    s = (table[nbits & 15] + (nbits << np.uint32(19))).view(np.float32)
    vn = (vn - magic).astype(np.float32)
    t = (vn.astype(np.float64) * np.float64(f32(MINUS_LN2_HI / 16)) + x.astype(np.float64)).astype(np.float32)
    t = (vn.astype(np.float64) * np.float64(f32(MINUS_LN2_LO / 16)) + t.astype(np.float64)).astype(np.float32)
    p = (t.astype(np.float64) * np.float64(c[2]) + np.float64(c[1])).astype(np.float32)
    p = (p.astype(np.float64) * t + np.float64(c[0])).astype(np.float32)
    p = (p.astype(np.float64) * t + 1.0).astype(np.float32)
    return (p * s).astype(np.float32)


def main():
    c16, e16 = fit(3, 4)
    c64, e64 = fit(2, 6)
    print(f"lut16p3: c1..c3 = {[hexf(v) for v in c16]}, polynomial error {e16:.3g} ({e16 / ULP:.3f} ulp)")
    print(f"lut64p2: c1..c2 = {[hexf(v) for v in c64]}, polynomial error {e64:.3g} ({e64 / ULP:.3f} ulp)")
    # The whole three-pass exp, emulated over its range (x - max in [cutoff, 0]), against float64.
    x = np.linspace(-87.33654, 0.0, 4_000_001).astype(np.float32)
    y = emulate_lut16p3(x, c16).astype(np.float64)
    ref = np.exp(x.astype(np.float64))
    # Errors in units of the float spacing at the reference value (ulp of the result).
    spacing = np.spacing(ref.astype(np.float32)).astype(np.float64)
    ulps = float(np.max(np.abs(y - ref) / spacing))
    print(f"lut16p3 three-pass exp, emulated on 4M points of [-87.34, 0]: max error {ulps:.3f} ulp (budget 2.5)")
    delta = abs(np.log(2) - f32(np.log(2)))
    print(f"rr1: |ln2 - float(ln2)| = {delta:.3g}; at |n| = 126 the reduced argument is off by "
          f"{126 * delta:.3g} = {126 * delta / ULP:.1f} ulp of exp(t) (budget 2.5): not built")
    if "--write" in sys.argv:
        write_header(c16, e16, ulps)


def write_header(c16, e16, ulps):
    entries = ", ".join(f"0x{v:08X}" for v in table16_entries())
    HEADER.write_text(f"""// Generated by scripts/fit-exp-polynomials.py --write: do not edit by hand.
// Constants of the table-based exp (method lut16p3; see docs/exp-kernels.md), as exact hex floats.
//
// exp(x) = 2^(n/16) * p(t), n = round(x * 16/ln2), t = x - n*ln2/16 (|t| <= ln2/32, the two-constant
// reduction of exp_constants.h with both halves divided by 16, which is exact), 2^(n/16) from the table.
// p(t) = 1 + t*(c1 + t*(c2 + t*c3)): minimax in relative error on |t| <= ln2/32 (widened by 2^-10),
// coefficients rounded to float. Measured error of the rounded polynomial: {e16:.3g} ({e16 / ULP:.3f} ulp);
// of the whole three-pass exp in float arithmetic (emulated, 4M points of [-87.34, 0]): {ulps:.3f} ulp.
#ifndef SOFTMAX_EXP_LUT_CONSTANTS_H
#define SOFTMAX_EXP_LUT_CONSTANTS_H

#include <stdint.h>

#define SOFTMAX_LUT16_LOG2E_X16 {hexf(16 / np.log(2))}
#define SOFTMAX_LUT16_MINUS_LN2_HI_OVER16 {hexf(MINUS_LN2_HI / 16)}
#define SOFTMAX_LUT16_MINUS_LN2_LO_OVER16 {hexf(MINUS_LN2_LO / 16)}
#define SOFTMAX_LUT16_ONE_OVER16 0x1.0p-4f
#define SOFTMAX_LUT16P3_C1 {hexf(c16[0])}
#define SOFTMAX_LUT16P3_C2 {hexf(c16[1])}
#define SOFTMAX_LUT16P3_C3 {hexf(c16[2])}

// 1.5*2^23: adding it to v with |v| < 2^22 leaves round(v) in the low mantissa bits (no exponent bias:
// the table's entries carry it).
#define SOFTMAX_LUT16_MAGIC_BIAS 0x1.8p23f

// bits(2^(j/16)) - (j << 19), j = 0..15: see SOFTMAX_LUT16_MAGIC_BIAS and softmax_avx2_lut16_pow2.
#define SOFTMAX_LUT16_TABLE_ENTRIES {{{entries}}}

#endif  // SOFTMAX_EXP_LUT_CONSTANTS_H
""")
    print(f"wrote {HEADER}")


if __name__ == "__main__":
    main()
