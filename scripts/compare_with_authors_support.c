// Pieces of the authors' comparison driver (compare_with_authors.c) that its --self-test checks: the
// median and its distribution-free interval, the plain twin of a kernel name, the buffers with their
// float64 reference, the output check.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare_with_authors_support.h"

// Tolerances of the output check: the kernels are accurate to a few ulp (docs/numerics.md); the
// scale 1/sum adds one rounding; |sum(y) - 1| is held to the harness's default `sum_tolerance`. Outputs whose float64 value is below 2^-120 are only required to be
// at most 2^-119 (FTZ flushes some of them, the polynomial's relative error is not defined there).
static const double max_relative_error = 1e-5, max_sum_error = 1e-3, tiny_output = 0x1p-120;

void usage_error(const char* message) {
  fprintf(stderr, "compare_with_authors: %s\n", message);
  exit(2);
}

// --- Statistics.

int compare_doubles(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

double median_of_sorted(const double* v, size_t m) {
  return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

// The distribution-free 95% interval of a median (results/README.md): the k-th smallest and k-th largest of
// m sorted values, k the largest rank with P(Binomial(m, 1/2) <= k - 1) <= 2.5%. False below 6 values.
int median_interval(const double* sorted, size_t m, double* low, double* high) {
  size_t k = 0;
  double term = pow(0.5, (double)m), cdf = 0;  // P(B = j) and P(B <= j), j from 0
  for (size_t j = 0; j < m; j++) {
    cdf += term;
    if (cdf > 0.025) { break; }
    k = j + 1;  // P(B <= k - 1) <= 2.5%
    term *= (double)(m - j) / (double)(j + 1);
  }
  if (k == 0) { return 0; }
  *low = sorted[k - 1];
  *high = sorted[m - k];
  return 1;
}

void plain_twin_name(const char* name, char* twin, size_t capacity) {
  const char* nt = strstr(name, "_nt");
  if (nt == NULL || (nt[3] != '\0' && nt[3] != '_')) {
    snprintf(twin, capacity, "%s", name);
  } else {
    snprintf(twin, capacity, "%.*s%s", (int)(nt - name), name, nt + 3);
  }
}

// --- Buffers and checks.

static void* allocate_or_exit(size_t alignment, size_t bytes) {
  void* p = aligned_alloc(alignment, ((bytes + alignment - 1) / alignment) * alignment);
  if (p == NULL) { usage_error("out of memory for the buffers (try smaller --sizes)"); }
  return p;
}

// x page-aligned; 1 + ceil(LLC / slice) output slices in one block, each starting 2 KiB into a page so that
// y[i] never 4K-aliases x[i], and from 1 MiB on 17 pages apart beyond their size so that no two lie a
// power of two apart (docs/protocol.md gives the measurements behind both rules).
buffers allocate_buffers(size_t n, size_t llc_bytes) {
  buffers b = {.n = n};
  const size_t bytes = n * sizeof(float);
  const size_t stride = ((bytes + 2048 + 4095) / 4096) * 4096 + (bytes >= (1u << 20) ? 17 * 4096 : 0);
  b.slices = 1 + (llc_bytes + bytes - 1) / bytes;
  b.x = allocate_or_exit(4096, bytes);
  b.y_block = allocate_or_exit(4096, b.slices * stride);
  b.y = allocate_or_exit(64, b.slices * sizeof(float*));
  b.reference = allocate_or_exit(64, n * sizeof(double));
  for (size_t s = 0; s < b.slices; s++) {
    b.y[s] = (float*)((char*)b.y_block + s * stride + 2048);
    memset(b.y[s], 0, bytes);
  }
  // Uniform in [-1000, 1000], as both benchmarks draw it, from a fixed SplitMix64 seed per size.
  uint64_t state = 0x9E3779B97F4A7C15ull + n;
  double max = -INFINITY, sum = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    b.x[i] = (float)(-1000.0 + 2000.0 * (double)((z ^ (z >> 31)) >> 11) * 0x1p-53);
    max = fmax(max, b.x[i]);
  }
  for (size_t i = 0; i < n; i++) { sum += (b.reference[i] = exp((double)b.x[i] - max)); }
  for (size_t i = 0; i < n; i++) { b.reference[i] /= sum; }
  return b;
}

void free_buffers(buffers* b) {
  free(b->x);
  free(b->y_block);
  free(b->y);
  free(b->reference);
}

int output_passes(const float* y, const double* reference, size_t n, check_result* worst) {
  double sum = 0, relative = 0;
  int ok = 1;
  for (size_t i = 0; i < n; i++) { sum += y[i]; }
  // Each element against float64 after the common factor is taken out (y[i] / sum(y)): every output
  // shares the one rounding error of the float sum, which grows with n (about 6e-5 at 64M elements for
  // the authors' kernels and ours alike) and which the sum's own tolerance bounds; what is left is each
  // element's own exp error.
  for (size_t i = 0; i < n; i++) {
    if (reference[i] >= tiny_output) {
      relative = fmax(relative, fabs(y[i] / sum - reference[i]) / reference[i]);
    } else if (!(fabs((double)y[i]) <= 2 * tiny_output)) {
      ok = 0;
    }
  }
  if (!(relative <= max_relative_error) || isnan(relative)) { ok = 0; }
  if (!(fabs(sum - 1) <= max_sum_error)) { ok = 0; }
  worst->relative_error = fmax(worst->relative_error, isnan(relative) ? INFINITY : relative);
  worst->sum_error = fmax(worst->sum_error, isnan(sum) ? INFINITY : fabs(sum - 1));
  return ok;
}

double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile float touch_sink;
void touch_input(const float* x, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; i += 16) { s += x[i]; }
  touch_sink = s;
}

// --- Output.

estimate estimate_of(const double* values, size_t m) {
  double sorted[256];
  memcpy(sorted, values, m * sizeof(double));
  qsort(sorted, m, sizeof(double), compare_doubles);
  estimate e = {.median = median_of_sorted(sorted, m)};
  e.has_interval = median_interval(sorted, m, &e.low, &e.high);
  return e;
}

