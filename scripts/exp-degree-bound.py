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
import importlib.util
from pathlib import Path

import numpy as np

ALLOWED = 4 * 2.0**-24  # elementwiseExpBound in Tests/SoftmaxTests/ElementwiseExpTests.swift

# The one minimax fit (Lawson's IRLS) is fit-exp-polynomials.py's.
_spec = importlib.util.spec_from_file_location("fit_exp_polynomials", Path(__file__).with_name("fit-exp-polynomials.py"))
fit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fit)


def minimax_error(degree, points=4001):
    """The largest relative error of the minimax 1 + sum c_k t^k on the kernels' |t| <= ln2/2, in float64."""
    a = np.log(2) / 2
    c = fit.lawson(degree, a, points=points)
    t = np.cos(np.linspace(0, np.pi, points)) * a
    p = 1 + sum(ck * t ** (k + 1) for k, ck in enumerate(c))
    return float(np.max(np.abs(p / np.exp(t) - 1)))


if __name__ == "__main__":
    print(f"allowed by the tests: {ALLOWED:.3g} relative ({ALLOWED / 2**-24:.1f} x 2^-24)")
    for degree in (3, 4, 5):
        e = minimax_error(degree)
        verdict = "can pass" if e < ALLOWED else "cannot pass"
        print(f"degree {degree}: best relative error {e:.3g} ({e / 2**-24:.1f} x 2^-24): {verdict}")
