// C-level smoke test of the kernel library, without Swift: walks the registry, runs every kernel this
// CPU supports on small inputs with every kind of tail, and compares with a float64 computation.
// Exits 1 on any failure, naming the kernel, the size and the element. scripts/test-c-kernels.sh runs
// it natively (every ISA of this CPU), cross-compiled for aarch64 under qemu (the portable kernels, the
// proof that the architecture guards hold), and against a deliberately broken kernel (the proof that it
// can fail). It checks results within tolerances, not the bit-exact agreements the Swift tests check.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softmax_kernels.h"

// Sizes around every tile (4 to 192 elements) and its tails, and past two tiles of the widest.
static const size_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100, 129, 191, 193, 255, 257, 401};
enum { max_size = 401, guard_cells = 16 };
// Inputs in [-4, 4]: every element counts in a sum, and float(x - max) is exact enough that the kernels'
// few-ulp exp stays within the element tolerance.
static const float input_range = 4.0f;
// Relative tolerances: an element has one exp (a few ulp) and a scaling; a sum of n elements adds up to
// n roundings of 2^-24. Outputs below FLT_MIN are flushed to 0 by the kernels, hence the absolute floor.
static const double element_tolerance = 1e-5;
static double sum_tolerance(size_t n) { return 1e-5 + (double)n * 0x1p-24; }
static const double absolute_floor = 0x1p-124;
// What y holds before a kernel runs: a kernel that skips an element leaves this, which no output can be.
static const float sentinel = -12345.0f;

static int failures;

static void fail(const softmax_kernel_info* k, size_t n, const char* what) {
  if (failures < 20) { fprintf(stderr, "FAIL %s n=%zu: %s\n", k->name, n, what); }
  failures++;
}

static int close_to(double actual, double expected, double relative) {
  return fabs(actual - expected) <= relative * fabs(expected) + absolute_floor;
}

static unsigned long long rng_state;
static float uniform(void) {  // SplitMix64, mapped to [-input_range, input_range]
  unsigned long long z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (float)((double)(z >> 40) / (double)(1ull << 24) * 2.0 - 1.0) * input_range;
}

// The float64 facts of one input: max, sum of exp(x - max), log-sum-exp.
typedef struct {
  float max;
  double sum_exp_minus_max;
  double log_sum_exp;
} reference;

static reference reference_of(size_t n, const float* x) {
  reference r = {-INFINITY, 0.0, -INFINITY};
  for (size_t i = 0; i < n; i++) { r.max = x[i] > r.max ? x[i] : r.max; }
  for (size_t i = 0; i < n; i++) { r.sum_exp_minus_max += exp((double)x[i] - (double)r.max); }
  if (n != 0) { r.log_sum_exp = (double)r.max + log(r.sum_exp_minus_max); }
  return r;
}

// Checks y[0..n) element-wise against expected(i) = exp(x[i] - shift) * factor, and the guard cells after it.
static void check_vector(const softmax_kernel_info* k, size_t n, const float* x, const float* y, double shift, double factor) {
  char what[160];
  for (size_t i = 0; i < n; i++) {
    const double expected = exp((double)x[i] - shift) * factor;
    if (!close_to(y[i], expected, element_tolerance)) {
      snprintf(what, sizeof what, "y[%zu] = %.9g, float64 gives %.9g", i, (double)y[i], expected);
      return fail(k, n, what);
    }
  }
  for (size_t i = n; i < n + guard_cells; i++) {
    if (y[i] != sentinel) { return fail(k, n, "wrote past y[n - 1]"); }
  }
}

static void check_sum(const softmax_kernel_info* k, size_t n, const char* name, double actual, double expected) {
  if (!close_to(actual, expected, sum_tolerance(n))) {
    char what[160];
    snprintf(what, sizeof what, "%s = %.9g, float64 gives %.9g", name, actual, expected);
    fail(k, n, what);
  }
}

static void check_kernel(const softmax_kernel_info* k, size_t n, const float* x, float* y) {
  for (size_t i = 0; i < n + guard_cells; i++) { y[i] = sentinel; }
  const reference r = reference_of(n, x);
  const float max = n != 0 ? r.max : 0.0f;
  const double scale = 0.5;  // a scale that is not 1, so a kernel that ignores it fails
  switch (k->family) {
    case softmax_family_rmax:
      if (k->fn.rmax(n, x) != r.max) { fail(k, n, "max differs from the largest input"); }
      return;
    case softmax_family_raddexpminusmax:
      return check_sum(k, n, "sum", k->fn.raddexpminusmax(n, x, max), r.sum_exp_minus_max);
    case softmax_family_vscaleexpminusmax:
      k->fn.vscaleexpminusmax(n, x, y, max, (float)scale);
      return check_vector(k, n, x, y, max, scale);
    case softmax_family_raddstoreexpminusmax:
      check_sum(k, n, "sum", k->fn.raddstoreexpminusmax(n, x, y, max), r.sum_exp_minus_max);
      return check_vector(k, n, x, y, max, 1.0);
    case softmax_family_vscale:
      k->fn.vscale(n, x, y, (float)scale);
      for (size_t i = 0; i < n; i++) {
        if (y[i] != x[i] * (float)scale) { return fail(k, n, "y != x * scale"); }
      }
      return check_vector(k, 0, x, y + n, 0, 0);  // the guard cells
    case softmax_family_raddextexp: {
      const softmax_extfloat s = k->fn.raddextexp(n, x);
      if (n == 0) {
        if (!(s.mantissa == 0.0f && s.exponent == -INFINITY)) { fail(k, n, "empty sum is not {0, -inf}"); }
        return;
      }
      const double log_sum = log(s.mantissa) + (double)s.exponent * M_LN2;
      return check_sum(k, n, "log of the sum (absolute)", 1.0 + (log_sum - r.log_sum_exp), 1.0);
    }
    case softmax_family_vscaleextexp: {
      // scale = 1 / sum exp(x) as mantissa * 2^exponent, so y is the softmax.
      const double exponent = n != 0 ? -floor(r.log_sum_exp / M_LN2) : 0.0;
      const double mantissa = n != 0 ? exp(-r.log_sum_exp - exponent * M_LN2) : 1.0;
      k->fn.vscaleextexp(n, x, y, (softmax_extfloat){(float)mantissa, (float)exponent});
      return check_vector(k, n, x, y, n != 0 ? r.log_sum_exp : 0.0, 1.0);
    }
    case softmax_family_rmaxaddexp: {
      const softmax_maxsum m = k->fn.rmaxaddexp(n, x);
      if (m.max != (n != 0 ? r.max : -FLT_MAX)) { fail(k, n, "running max differs from the largest input"); }
      return check_sum(k, n, "sum", m.sum, r.sum_exp_minus_max);
    }
  }
  fail(k, n, "no smoke check for this family: add a case to check_kernel");
}

// Every kernel sets FTZ and DAZ (FPCR.FZ on aarch64) for its own call: a subnormal input counts as 0, a
// subnormal product is flushed to 0, and the caller's setting comes back. Checked with a portable vscale.
static void check_flushing(void) {
  const bool before = softmax_flush_denormals(false);
  softmax_flush_denormals(true);
  if (!softmax_flush_denormals_enabled()) {
    printf("SKIPPED the subnormal checks: this library has no flush-to-zero control on this architecture\n");
    return;
  }
  softmax_flush_denormals(false);
  for (size_t i = 0; i < softmax_kernel_count; i++) {
    const softmax_kernel_info* k = &softmax_kernels[i];
    if (k->family != softmax_family_vscale || k->isa != softmax_isa_portable) { continue; }
    // Subnormal inputs times 2^30 would be normal: 0 only if they were read as 0.
    const float subnormal[2] = {0x1p-140f, -0x1p-130f};
    float y[2];
    k->fn.vscale(2, subnormal, y, 0x1p30f);
    if (y[0] != 0.0f || y[1] != 0.0f) { fail(k, 2, "a subnormal input was not read as 0 (DAZ / FZ)"); }
    // A normal input times 2^-30 whose product is subnormal: flushed to 0; a normal product stays.
    const float normal[2] = {0x1p-100f, 1.0f};
    k->fn.vscale(2, normal, y, 0x1p-30f);
    if (y[0] != 0.0f) { fail(k, 2, "a subnormal product was not flushed to 0 (FTZ / FZ)"); }
    if (y[1] != 0x1p-30f) { fail(k, 2, "1 * 2^-30 is not 2^-30"); }
    if (softmax_flush_denormals_enabled()) { fail(k, 2, "the caller's flush setting (off) was not put back"); }
  }
  softmax_flush_denormals(before);
}

int main(void) {
  static float x[max_size], y_buffer[max_size + guard_cells + 1];
  size_t checked = 0, per_isa[8] = {0};
  for (size_t f = 0; f < softmax_family_count; f++) {
    if (strcmp(softmax_family_name((softmax_family)f), "unknown") == 0) { failures++; }
  }
  for (size_t i = 0; i < softmax_kernel_count; i++) {
    const softmax_kernel_info* k = &softmax_kernels[i];
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s_%s_x", softmax_family_name(k->family), softmax_isa_name(k->isa));
    if (strncmp(k->name, prefix, strlen(prefix)) != 0) { fail(k, 0, "name does not start with its family and ISA"); }
    if (k->bytes_read_per_element != softmax_family_bytes_read_per_element(k->family) ||
        k->bytes_written_per_element != softmax_family_bytes_written_per_element(k->family)) {
      fail(k, 0, "traffic differs from its family's");
    }
    if (!softmax_isa_supported(k->isa)) { continue; }
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      rng_state = 0x5EED0000ull + sizes[s];
      for (size_t j = 0; j < sizes[s]; j++) { x[j] = uniform(); }
      // y one float past a 64-byte boundary for odd sizes: streaming-store variants take their masked head.
      check_kernel(k, sizes[s], x, y_buffer + (sizes[s] & 1));
    }
    checked++;
    if ((size_t)k->isa < sizeof per_isa / sizeof per_isa[0]) { per_isa[k->isa]++; }
  }
  check_flushing();
  printf("%zu of %zu kernels checked at %zu sizes:", checked, softmax_kernel_count, sizeof sizes / sizeof sizes[0]);
  for (size_t i = 0; i < softmax_isa_count && i < sizeof per_isa / sizeof per_isa[0]; i++) {
    printf(" %s %zu", softmax_isa_name((softmax_isa)i), per_isa[i]);
  }
  printf("; %d failures\n", failures);
  if (per_isa[softmax_isa_portable] == 0) {
    fprintf(stderr, "FAIL: no portable kernel ran\n");
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
