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

Method lut64p2: the same with 64 entries and a degree-2 polynomial: n = round(x * 64/ln2), t = x - n * ln2/64,
|t| <= ln2/128, T[j] = 2^(j/64). With k table bits the entry is stored as bits(T[j]) - (j << (23 - k)), so
that n << (23 - k) = floor(n/2^k) << 23 + j << (23 - k): a shift of 19 for 16 entries, 17 for 64. The shift
keeps n's low 9 + k bits (32 - (23 - k)), enough for |n| <= 2^k * 126 with its sign.

Method lut16p3 of the two-pass (extended-range) exp, lut16p3 in raddextexp and vscaleextexp: the same
reduction and table, but the result is the pair (p(t) * T[j], floor(n/16)) and x is unbounded, so n is
rounded from float(x * 16/ln2) without the magic bias. That product's rounding puts n off by up to delta
units for |x| <= SOFTMAX_EXTEXP_ACCURATE_LIMIT (read from softmax_kernels.h), so |t| <= (1/2 + delta) *
ln2/16 there: the extended polynomial is fitted on that wider interval. The kernels clamp t to
+-ln2/16 * (1 - 2^-10), the widest bound that keeps the mantissa p(t) * 2^(j/16) below 2 (printed), which
changes nothing while float(x * 16/ln2) is below 2^24 (n then off by at most 0.86). The whole extended exp
is emulated over [-limit, limit].

Method lut64p2 of the two-pass exp: the same with k = 6 (64 entries, degree 2). n = round(float(x * 64/ln2))
lies up to 0.86 from x * 64/ln2 within the limit (extended_reach: limit * 64/ln2 is in [2^23, 2^24), and the
binade below, of spacing 1/2, is the widest), so the fit interval is wider relative to ln2/128 than
lut16p3's to ln2/32, and the clamp +-ln2/64 * (1 - 2^-10), which keeps p(t) * T[63] below 2, is checked to
contain it.

Also prints, for the record, why there is no single-constant (rr1) reduction in the three-pass or
two-pass exps: with ln2 rounded to one float, t's error grows as n * |ln2 - float(ln2)|, which over the
three-pass range |n| <= 126 already exceeds the 2.5-ulp budget.

Run: python3 scripts/fit-exp-polynomials.py [--write]
"""
import re
import struct
import sys
from pathlib import Path

import numpy as np

HEADER = Path(__file__).resolve().parent.parent / "Sources/CSoftmaxKernels/common/exp_lut_constants.h"
# Where SOFTMAX_EXTEXP_ACCURATE_LIMIT is defined (its one owner): the extended fit covers |x| up to it.
KERNELS_HEADER = Path(__file__).resolve().parent.parent / "Sources/CSoftmaxKernels/include/softmax_kernels.h"
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


def table_entries(table_bits):
    """bits(2^(j/2^k)) - (j << (23 - k)), j = 0..2^k - 1, k = table_bits (see the module docstring)."""
    out = []
    for j in range(2**table_bits):
        bits = struct.unpack("<I", struct.pack("<f", f32(2.0 ** (j / 2**table_bits))))[0]
        out.append((bits - (j << (23 - table_bits))) & 0xFFFFFFFF)
    return out


def table16_entries():
    return table_entries(4)


def emulate_table_exp(x, c, table_bits):
    """The kernels' float32 arithmetic for a table method with 2^table_bits entries and coefficients
    c1..c_degree, emulated in numpy (an FMA as one float64 operation rounded to float32: exact for the
    products, which fit float64, and at most a double rounding on the sums)."""
    size = 2**table_bits
    x = x.astype(np.float32)
    magic = np.float32(1.5 * 2**23)
    vn = (x.astype(np.float64) * np.float64(f32(size / np.log(2))) + np.float64(magic)).astype(np.float32)
    nbits = vn.view(np.uint32)
    table = np.array(table_entries(table_bits), dtype=np.uint32)
    s = (table[nbits & (size - 1)] + (nbits << np.uint32(23 - table_bits))).view(np.float32)
    vn = (vn - magic).astype(np.float32)
    t = (vn.astype(np.float64) * np.float64(f32(MINUS_LN2_HI / size)) + x.astype(np.float64)).astype(np.float32)
    t = (vn.astype(np.float64) * np.float64(f32(MINUS_LN2_LO / size)) + t.astype(np.float64)).astype(np.float32)
    # Horner from the highest coefficient, as the kernels: p = c_d*t + c_(d-1), ..., p*t + 1.
    p = (t.astype(np.float64) * np.float64(c[-1]) + np.float64(c[-2])).astype(np.float32)
    for ck in list(reversed(c))[2:] + [1.0]:
        p = (p.astype(np.float64) * t + np.float64(ck)).astype(np.float32)
    return (p * s).astype(np.float32)


def emulate_lut16p3(x, c):
    return emulate_table_exp(x, c, 4)


def whole_exp_error_ulps(c, table_bits):
    """Max error, in ulp of the result, of the emulated three-pass exp over its range (x - max in
    [cutoff, 0], 4M points) against float64."""
    x = np.linspace(-87.33654, 0.0, 4_000_001).astype(np.float32)
    y = emulate_table_exp(x, c, table_bits).astype(np.float64)
    ref = np.exp(x.astype(np.float64))
    spacing = np.spacing(ref.astype(np.float32)).astype(np.float64)
    return float(np.max(np.abs(y - ref) / spacing))


def accurate_limit():
    """SOFTMAX_EXTEXP_ACCURATE_LIMIT, read from its definition."""
    m = re.search(r"#define SOFTMAX_EXTEXP_ACCURATE_LIMIT (0x[0-9A-Fa-fp.+-]+)f", KERNELS_HEADER.read_text())
    if m is None:
        sys.exit(f"error: no SOFTMAX_EXTEXP_ACCURATE_LIMIT in {KERNELS_HEADER}; fix the pattern in accurate_limit()")
    return float.fromhex(m.group(1))


def extended_reach(limit, table_bits):
    """How far n = round(float(x * C)), C = float(2^k/ln2), k = table_bits, can lie from x * 2^k/ln2 for
    |x| <= limit, in units of n: taken over each binade of float(x * C) up to limit * C, the rounding of n
    (1/2 while the binade's spacing s is below 1; 0 from s = 1 on, where float(x * C) is already an
    integer) plus the product's rounding (s/2) plus the constant's error (|C - 2^k/ln2| times the largest
    |x| of the binade). So |t| <= reach * ln2/2^k there. For 16 entries the top binade (s = 1/4) gives the
    bound; for 64 the one below 2^23 (s = 1/2: 3/4 from rounding), as limit * C lies in [2^23, 2^24)."""
    c = f32(2**table_bits / np.log(2))
    error = abs(c - 2**table_bits / np.log(2))
    reach = 0.5
    for b in range(-30, int(np.floor(np.log2(limit * c))) + 1):
        spacing = 2.0 ** (b - 23)
        rounding = (0.5 if spacing < 1 else 0.0) + spacing / 2
        reach = max(reach, rounding + min(2.0 ** (b + 1) / c, limit) * error)
    return reach


def pow2_bits(table_bits):
    """bits(float(2^(j/2^k))), j = 0..2^k - 1: the plain table of the extended exp, whose pair keeps T[j]
    in the mantissa (no exponent folded into the entries)."""
    size = 2**table_bits
    return [struct.unpack("<I", struct.pack("<f", f32(2.0 ** (j / size))))[0] for j in range(size)]


def extended_poly(t, c):
    """1 + t*(c1 + t*(...)) in the kernels' float32 FMAs, from the highest coefficient (t: float32 array)."""
    t64 = t.astype(np.float64)
    p = (t64 * np.float64(c[-1]) + np.float64(c[-2])).astype(np.float32)
    for ck in list(reversed(c))[2:] + [1.0]:
        p = (p.astype(np.float64) * t64 + np.float64(ck)).astype(np.float32)
    return p


def emulate_extended(x, c, t_max, table_bits):
    """The two-pass kernels' float32 arithmetic (extexp_lut_avx2.h) with 2^table_bits entries: the pair
    (mantissa, exponent)."""
    size = 2**table_bits
    x = x.astype(np.float32)
    n = np.rint((x.astype(np.float64) * np.float64(f32(size / np.log(2)))).astype(np.float32))
    t = (n.astype(np.float64) * np.float64(f32(MINUS_LN2_HI / size)) + x.astype(np.float64)).astype(np.float32)
    t = (n.astype(np.float64) * np.float64(f32(MINUS_LN2_LO / size)) + t.astype(np.float64)).astype(np.float32)
    t = np.clip(t, -np.float32(t_max), np.float32(t_max)).astype(np.float32)
    table = np.array(pow2_bits(table_bits), dtype=np.uint32).view(np.float32)
    s = table[(n.astype(np.int64) % size)]
    e = np.floor(n.astype(np.float64) / size)
    return (extended_poly(t, c) * s).astype(np.float32), e


def emulate_lut16p3_extended(x, c, t_max):
    return emulate_extended(x, c, t_max, 4)


def extended_error_ulp(c, t_max, table_bits, lo, hi, points=4_000_001):
    """Max error of the emulated extended exp on a grid of [lo, hi], in units of the float spacing at
    the reference mantissa exp(x - e*ln2) (the power 2^e is exact)."""
    x = np.linspace(lo, hi, points).astype(np.float32)
    m, e = emulate_extended(x, c, t_max, table_bits)
    ref = np.exp(x.astype(np.float64) - e * np.log(2))
    spacing = np.spacing(ref.astype(np.float32)).astype(np.float64)
    return float(np.max(np.abs(m.astype(np.float64) - ref) / spacing))


def fit_extended(degree, table_bits):
    """The extended exp of method lut16p3 (degree 3, 16 entries) or lut64p2 (degree 2, 64 entries): fit on
    the interval the rounding reaches up to the limit, the clamp bound, the emulated error."""
    size = 2**table_bits
    limit = accurate_limit()
    reach = extended_reach(limit, table_bits)
    # Widened by 2^-10 for the reduction's own rounding, as fit() does.
    half_width = reach * np.log(2) / size * (1 + 2.0**-10)
    c = [f32(v) for v in lawson(degree, half_width)]
    poly = relative_error(c, half_width)
    # The clamp: ln2/2^k less 2^-10 of it, so that p(t_max) * T[2^k - 1] stays below 2 (checked below in
    # the kernels' arithmetic); it must contain the fitted interval, or it would cut accurate inputs.
    t_max = f32(np.log(2) / size * (1 - 2.0**-10))
    if not reach * np.log(2) / size < t_max:
        sys.exit(f"error: the reduction reaches |t| = {reach:.4f} * ln2/{size} beyond the clamp {t_max:.6g}; "
                 f"lower SOFTMAX_EXTEXP_ACCURATE_LIMIT or widen the clamp in fit_extended()")
    # Also a grid of the binade of the widest reach: |x| from 2^22/C to 2^23/C, where n rounds a half-integer.
    c_shift = f32(size / np.log(2))
    grids = [(-limit, limit), (-100.0, 100.0)]
    if 2.0**22 / c_shift < limit:
        grids.append((2.0**22 / c_shift, min(2.0**23 / c_shift, limit)))
    ulps = max(extended_error_ulp(c, t_max, table_bits, lo, hi) for lo, hi in grids)
    # The largest mantissa, p(t_max) * T[2^k - 1] in the kernels' float arithmetic, below 2 as the two-pass
    # vector scaling needs (softmax_extfloat_normalized), for every input; p(-t_max) is the smallest.
    p = extended_poly(np.array([-t_max, t_max], dtype=np.float32), c)
    mantissa_max = float(np.float32(p[1] * np.float32(2 ** ((size - 1) / size))))
    mantissa_min = float(p[0])
    if not (mantissa_max < 2 and mantissa_min > 0):
        sys.exit(f"error: the extended mantissa spans [{mantissa_min}, {mantissa_max}], not within (0, 2); "
                 f"lower t_max in fit_extended()")
    return {"limit": limit, "reach": reach, "delta": reach - 0.5, "half_width": half_width, "c": c, "poly": poly, "t_max": t_max,
            "ulps": ulps, "mantissa_min": mantissa_min, "mantissa_max": mantissa_max}


def main():
    c16, e16 = fit(3, 4)
    c64, e64 = fit(2, 6)
    print(f"lut16p3: c1..c3 = {[hexf(v) for v in c16]}, polynomial error {e16:.3g} ({e16 / ULP:.3f} ulp)")
    print(f"lut64p2: c1..c2 = {[hexf(v) for v in c64]}, polynomial error {e64:.3g} ({e64 / ULP:.3f} ulp)")
    # The whole three-pass exp, emulated over its range (x - max in [cutoff, 0]), against float64, in
    # units of the float spacing at the reference value (ulp of the result).
    ulps = whole_exp_error_ulps(c16, 4)
    print(f"lut16p3 three-pass exp, emulated on 4M points of [-87.34, 0]: max error {ulps:.3f} ulp (budget 2.5)")
    ulps64 = whole_exp_error_ulps(c64, 6)
    print(f"lut64p2 three-pass exp, emulated on 4M points of [-87.34, 0]: max error {ulps64:.3f} ulp (budget 2.5)")
    delta = abs(np.log(2) - f32(np.log(2)))
    print(f"rr1: |ln2 - float(ln2)| = {delta:.3g}; at |n| = 126 the reduced argument is off by "
          f"{126 * delta:.3g} = {126 * delta / ULP:.1f} ulp of exp(t) (budget 2.5): not built")
    ext = fit_extended(3, 4)
    ext64 = fit_extended(2, 6)
    for name, e, size in [("lut16p3", ext, 16), ("lut64p2", ext64, 64)]:
        print(f"{name} two-pass: |x| <= {e['limit']:g} puts n off by up to {e['delta']:.3f}, so |t| <= "
              f"{e['half_width'] / (np.log(2) / (2 * size)):.4f} * ln2/{2 * size}; c1.. = {[hexf(v) for v in e['c']]}, polynomial "
              f"error {e['poly']:.3g} ({e['poly'] / ULP:.3f} ulp); whole extended exp, emulated on 4M points of "
              f"[-limit, limit], of [-100, 100] and of the binade of the widest reach: max error {e['ulps']:.3f} ulp "
              f"(budget 2.5); t clamped to +-{e['t_max']:.6g} = {hexf(e['t_max'])}, mantissa in "
              f"[{e['mantissa_min']:.6f}, {e['mantissa_max']:.6f}]")
    if "--write" in sys.argv:
        write_header(c16, e16, ulps, c64, e64, ulps64, ext, ext64)


def write_header(c16, e16, ulps, c64, e64, ulps64, ext, ext64):
    pow2_entries = ", ".join(f"0x{v:08X}" for v in pow2_bits(4))
    pow2_entries64 = ", \\\n    ".join(", ".join(f"0x{v:08X}" for v in pow2_bits(6)[r:r + 8]) for r in range(0, 64, 8))
    entries = ", ".join(f"0x{v:08X}" for v in table16_entries())
    entries64 = ", \\\n    ".join(", ".join(f"0x{v:08X}" for v in table_entries(6)[r:r + 8]) for r in range(0, 64, 8))
    HEADER.write_text(f"""// Generated by scripts/fit-exp-polynomials.py --write: do not edit by hand.
// Constants of the table-based exps (methods lut16p3 and lut64p2; see docs/exp-kernels.md), as exact hex floats.
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

// Method lut64p2: exp(x) = 2^(n/64) * p(t), n = round(x * 64/ln2), t = x - n*ln2/64 (|t| <= ln2/128, the
// same two-constant reduction divided by 64, exact), 2^(n/64) from a 64-entry table read by a gather.
// p(t) = 1 + t*(c1 + t*c2): minimax in relative error on |t| <= ln2/128 (widened by 2^-10), coefficients
// rounded to float. Measured error of the rounded polynomial: {e64:.3g} ({e64 / ULP:.3f} ulp); of the
// whole three-pass exp in float arithmetic (emulated, 4M points of [-87.34, 0]): {ulps64:.3f} ulp.
#define SOFTMAX_LUT64_LOG2E_X64 {hexf(64 / np.log(2))}
#define SOFTMAX_LUT64_MINUS_LN2_HI_OVER64 {hexf(MINUS_LN2_HI / 64)}
#define SOFTMAX_LUT64_MINUS_LN2_LO_OVER64 {hexf(MINUS_LN2_LO / 64)}
#define SOFTMAX_LUT64P2_C1 {hexf(c64[0])}
#define SOFTMAX_LUT64P2_C2 {hexf(c64[1])}

// bits(2^(j/64)) - (j << 17), j = 0..63: with the magic bias SOFTMAX_LUT16_MAGIC_BIAS, bits(n) << 17
// added to entry n mod 64 gives bits(2^(n/64)) (softmax_avx2_lut64_pow2).
#define SOFTMAX_LUT64_TABLE_ENTRIES {{ \\
    {entries64}}}

// The two-pass (extended-range) exp with the table (extexp_lut_avx2.h): n = round(float(x * 16/ln2)) is off
// by up to {ext['delta']:.3f} for |x| <= SOFTMAX_EXTEXP_ACCURATE_LIMIT, so |t| <= (1/2 + {ext['delta']:.3f}) * ln2/16
// = {ext['half_width'] / (np.log(2) / 32):.4f} * ln2/32 there (widened by 2^-10). p(t) = 1 + t*(c1 + t*(c2 + t*c3)) is fitted on
// that interval: error of the rounded polynomial {ext['poly']:.3g} ({ext['poly'] / ULP:.3f} ulp); of the whole
// extended exp in float arithmetic (emulated, 4M points of [-limit, limit] and of [-100, 100]): {ext['ulps']:.3f} ulp.
// The kernels clamp t to +-SOFTMAX_LUT16P3_EXT_T_MAX = ln2/16 * (1 - 2^-10) (a no-op while float(x * 16/ln2)
// is below 2^24, |x| below about 2^19.5), which keeps the mantissa p(t) * 2^(j/16) in [0.95, {ext['mantissa_max']:.6f}],
// below 2, for every input, NaN and infinities included.
#define SOFTMAX_LUT16P3_EXT_C1 {hexf(ext['c'][0])}
#define SOFTMAX_LUT16P3_EXT_C2 {hexf(ext['c'][1])}
#define SOFTMAX_LUT16P3_EXT_C3 {hexf(ext['c'][2])}
#define SOFTMAX_LUT16P3_EXT_T_MAX {hexf(ext['t_max'])}

// bits(2^(j/16)), j = 0..15: the extended exp keeps T[j] in the mantissa, so its table is uncompensated.
#define SOFTMAX_LUT16_POW2_ENTRIES {{{pow2_entries}}}

// The two-pass exp with the 64-entry table (lut64p2, extexp_lut_avx2.h): n = round(float(x * 64/ln2)) lies
// up to {ext64['reach']:.3f} from x * 64/ln2 for |x| <= SOFTMAX_EXTEXP_ACCURATE_LIMIT (the binade below 2^23, where
// the product's spacing is 1/2, is the widest), so |t| <= {ext64['reach']:.3f} * ln2/64 = {ext64['half_width'] / (np.log(2) / 128):.4f} * ln2/128
// there (widened by 2^-10). p(t) = 1 + t*(c1 + t*c2) is fitted on that interval: error of the rounded
// polynomial {ext64['poly']:.3g} ({ext64['poly'] / ULP:.3f} ulp); of the whole extended exp in float arithmetic (emulated, 4M
// points of [-limit, limit], of [-100, 100] and of that binade): {ext64['ulps']:.3f} ulp. The kernels clamp t to
// +-SOFTMAX_LUT64P2_EXT_T_MAX = ln2/64 * (1 - 2^-10), which holds that interval (a no-op up to the limit)
// and keeps the mantissa p(t) * 2^(j/64) in [{ext64['mantissa_min']:.6f}, {ext64['mantissa_max']:.6f}], below 2, for every input.
#define SOFTMAX_LUT64P2_EXT_C1 {hexf(ext64['c'][0])}
#define SOFTMAX_LUT64P2_EXT_C2 {hexf(ext64['c'][1])}
#define SOFTMAX_LUT64P2_EXT_T_MAX {hexf(ext64['t_max'])}
#define SOFTMAX_LUT64_ONE_OVER64 0x1.0p-6f

// bits(2^(j/64)), j = 0..63: uncompensated, as SOFTMAX_LUT16_POW2_ENTRIES.
#define SOFTMAX_LUT64_POW2_ENTRIES {{ \\
    {pow2_entries64}}}

#endif  // SOFTMAX_EXP_LUT_CONSTANTS_H
""")
    print(f"wrote {HEADER}")


if __name__ == "__main__":
    main()
