#!/usr/bin/env python3
"""Smallest relative error any polynomial exp(t) ~ 1 + t*q(t) of a given degree can reach on the kernels'
reduced range |t| <= ln2/2, against the error the kernel tests allow.

Why: issue 5 asks whether a lower-degree polynomial than the kernels' degree 5 would do. The tests bound
each output of the element-wise passes by 4 units of 2^-24 (elementwiseExpBound: 2 for the exp, 1 for the
scaling, 1 for the final rounding), and the reductions' sums by more only through summation. This script
finds the minimax fit (Lawson's iteratively reweighted least squares on 4001 Chebyshev points, in
float64, before any float32 rounding): if even that misses the bound, no coefficients of that degree can
pass the tests, and the degree is rejected without building a kernel for it.

Run: python3 scripts/exp-degree-bound.py
"""
import numpy as np

ALLOWED = 4 * 2.0**-24  # elementwiseExpBound in Tests/SoftmaxTests/ElementwiseExpTests.swift


def minimax_error(degree, points=4001, iterations=300):
    a = np.log(2) / 2
    t = np.cos(np.linspace(0, np.pi, points)) * a
    f = np.exp(t)
    # Relative error of 1 + sum c_k t^k: (A c - b) with rows scaled by 1/exp(t).
    A = np.stack([t**k for k in range(1, degree + 1)], 1) / f[:, None]
    b = (f - 1) / f
    w = np.full(points, 1.0 / points)
    for _ in range(iterations):
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
        e = np.abs(A @ c - b)
        w = w * e
        w /= w.sum()
    return float(np.max(np.abs(A @ c - b)))


if __name__ == "__main__":
    print(f"allowed by the tests: {ALLOWED:.3g} relative ({ALLOWED / 2**-24:.1f} x 2^-24)")
    for degree in (3, 4, 5):
        e = minimax_error(degree)
        verdict = "can pass" if e < ALLOWED else "cannot pass"
        print(f"degree {degree}: best relative error {e:.3g} ({e / 2**-24:.1f} x 2^-24): {verdict}")
