"""Confidence intervals for medians: the one definition the plots use (the runner implements the same rule).

A distribution-free interval from order statistics: for m values sorted ascending x_(1) <= ... <= x_(m), k is
the largest integer >= 1 with P(Binomial(m, 1/2) <= k - 1) <= (1 - confidence) / 2, and the interval is
[x_(k), x_(m-k+1)] (1-based). It needs no assumption about the distribution of the timings (which are skewed,
with a right tail), only that the samples are independent. With confidence 0.95 it does not exist for m < 6:
even [min, max] covers the median with probability 1 - 2 / 2^m < 0.95 there, so none is given.

A paired speedup (the runner interleaves the configurations of one size and keeps samples in round order, so
sample i of each was taken side by side) is the median of the per-round ratios r_i = variant_i / two_pass_i,
and its interval is the same rule applied to the r_i.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

CONFIDENCE = 0.95
# The precision target for a drawn comparison: the interval's half-width within 1% of the value.
PRECISION_TARGET = 0.01
NO_CI = "no CI (fewer than 6 samples)"


def order_statistic_rank(m: int, confidence: float = CONFIDENCE) -> int | None:
    """k of the interval [x_(k), x_(m-k+1)], or None when no k >= 1 reaches the confidence."""
    tail = (1.0 - confidence) / 2
    best, cumulative = None, 0.0
    for k in range(1, m // 2 + 1):
        cumulative += math.comb(m, k - 1) / 2.0 ** m  # P(Binomial(m, 1/2) <= k - 1)
        if cumulative <= tail:
            best = k
        else:
            break
    return best


@dataclass(frozen=True)
class Estimate:
    """A median and its confidence interval (low, high), or no interval (fewer than 6 values)."""
    value: float
    low: float | None = None
    high: float | None = None
    count: int = 0
    no_ci: str = NO_CI  # why there is no interval, where there is none

    @property
    def has_ci(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def relative_half_width(self) -> float | None:
        """(high - low) / 2 / value: the precision the runner's precision column reports."""
        if not self.has_ci or not self.value:
            return None
        return (self.high - self.low) / 2 / abs(self.value)

    def exceeds(self, target: float = PRECISION_TARGET) -> bool:
        """True when the interval is wider than +-target of the value (never when there is no interval: that
        case is reported as NO_CI instead)."""
        h = self.relative_half_width
        return h is not None and h > target

    def text(self, digits: int = 2) -> str:
        """`1.23 [1.19, 1.27]`, or `1.23, no CI (fewer than 6 samples)`."""
        if self.has_ci:
            return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"
        return f"{self.value:.{digits}f}, {self.no_ci}"

    def map(self, f) -> "Estimate":
        """The same estimate through a monotonic function (ends sorted, so a decreasing f works too)."""
        if not self.has_ci:
            return Estimate(f(self.value), None, None, self.count, self.no_ci)
        a, b = sorted((f(self.low), f(self.high)))
        return Estimate(f(self.value), a, b, self.count)


def median_ci(values, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    xs = sorted(values)
    k = order_statistic_rank(len(xs), confidence)
    if k is None:
        return None
    return xs[k - 1], xs[len(xs) - k]


def median_estimate(values, confidence: float = CONFIDENCE) -> Estimate:
    xs = list(values)
    if not xs:
        raise ValueError("median of no values")
    ci = median_ci(xs, confidence)
    return Estimate(statistics.median(xs), *(ci or (None, None)), count=len(xs))


def paired_ratios(numerators, denominators) -> list[float]:
    """r_i = numerator_i / denominator_i for samples taken side by side (same length, same order)."""
    a, b = list(numerators), list(denominators)
    if len(a) != len(b):
        raise ValueError(f"paired samples differ in number: {len(a)} and {len(b)}")
    return [x / y for x, y in zip(a, b)]
