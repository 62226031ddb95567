// How close can a kernel come to the roofline's max(compute, memory) when the two bounds are equal?
//
// Why: issue 5 holds every pass to 10% of the larger of its two bounds. The AVX2 passes that stream y at
// 64M have an arithmetic bound and a memory bound within 10% of each other, and came out at 0.82-0.92.
// This probe asks whether any kernel of that balance can do better here. Its loop is nothing but loads,
// K independent FMAs per vector and streaming stores, so nothing in it can stall but the core and the
// memory system. For each K it times, side by side in every round:
//   - the loop at n floats, output to alternating slices that are never a power of two apart (as the
//     harness does);
//   - the loop on L2-resident buffers, scaled to n: its compute bound;
//   - a streaming copy at n: its memory bound (the harness's copy_nt);
// and prints the median over rounds of max(bounds) / time, the harness's `efficiency`.
//
// On the 2-vCPU Zen 4 guest, over five runs: 0.97-1.10 where the loop is memory-bound by far (K = 4, 8),
// 0.94-0.99 at K = 20 (compute 1.7x memory), and 0.88-0.95 at K = 12 and 14, where the two bounds are
// within 20% of each other: there the memory and the arithmetic do not overlap completely, whatever the
// kernel.
//
// Build and run (x86-64 with AVX2 and FMA; one pinned core; about 0.8 GB of memory at the default n):
//   clang -O2 -o /tmp/overlap-probe scripts/overlap-probe.c && taskset -c 1 /tmp/overlap-probe [n] [rounds]
// (gcc works too.)
#define _GNU_SOURCE
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TARGET __attribute__((target("avx2,fma")))
// Fully unrolled, so that v[] lives in registers (GCC 12 at -O2 otherwise kept it on the stack and the
// "compute bound" measured loads and stores).
#define UNROLL _Pragma("GCC unroll 32")

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static int compare(const void* a, const void* b) {
  const double x = *(const double*) a, y = *(const double*) b;
  return x < y ? -1 : x > y;
}

static double median(const double* v, int count) {
  double* sorted = malloc(sizeof(double) * (size_t) count);
  memcpy(sorted, v, sizeof(double) * (size_t) count);
  qsort(sorted, (size_t) count, sizeof(double), compare);
  const double m = sorted[count / 2];
  free(sorted);
  return m;
}

// 64 floats per iteration: 8 vectors, each through K dependent FMAs (8 independent chains).
#define PROBE(K)                                                                              \
  TARGET static void probe_##K(size_t n, const float* x, float* y) {                          \
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);                      \
    for (size_t i = 0; i + 64 <= n; i += 64) {                                                \
      __m256 v[8];                                                                            \
      UNROLL for (int j = 0; j < 8; j++) v[j] = _mm256_loadu_ps(x + i + 8 * j);               \
      UNROLL for (int k = 0; k < K; k++)                                                      \
        UNROLL for (int j = 0; j < 8; j++) v[j] = _mm256_fmadd_ps(v[j], a, b);                \
      UNROLL for (int j = 0; j < 8; j++) _mm256_stream_ps(y + i + 8 * j, v[j]);               \
    }                                                                                         \
    _mm_sfence();                                                                             \
  }
PROBE(4) PROBE(8) PROBE(10) PROBE(12) PROBE(14) PROBE(16) PROBE(20)

TARGET static void copy_nt(size_t n, const float* x, float* y) {
  for (size_t i = 0; i + 8 <= n; i += 8) _mm256_stream_ps(y + i, _mm256_loadu_ps(x + i));
  _mm_sfence();
}

typedef void (*kernel)(size_t, const float*, float*);

static volatile float sink;

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) / 64 * 64 : (size_t) 64 << 20;
  const int rounds = argc > 2 ? atoi(argv[2]) : 11;
  const size_t small = 16384;  // 64 KiB in, 64 KiB out: L2-resident
  const kernel probes[] = {probe_4, probe_8, probe_10, probe_12, probe_14, probe_16, probe_20};
  const int ks[] = {4, 8, 10, 12, 14, 16, 20};
  enum { P = sizeof ks / sizeof ks[0] };
  if (n < 64 || rounds < 1) {
    fprintf(stderr, "usage: overlap-probe [n >= 64 floats] [rounds >= 1]\n");
    return 2;
  }
  // Two output slices 2 KiB into a page and 17 pages further apart than their size, as the harness lays them out.
  const size_t gap = 17 * 1024;
  float* x = aligned_alloc(4096, n * sizeof(float));
  float* out = aligned_alloc(4096, (2 * n + gap + 1024) * sizeof(float));
  float* xs = aligned_alloc(4096, small * sizeof(float));
  float* ys = aligned_alloc(4096, small * sizeof(float));
  if (!x || !out || !xs || !ys) {
    fprintf(stderr, "overlap-probe: cannot allocate %.1f GiB; pass a smaller n\n", (3.0 * (double) n * 4) / (1 << 30));
    return 1;
  }
  for (size_t i = 0; i < n; i++) x[i] = (float) (i % 1000) * 1e-3f;
  memset(out, 0, (2 * n + gap + 1024) * sizeof(float));
  memcpy(xs, x, small * sizeof(float));
  float* y[2] = {out + 512, out + 512 + n + gap};

  double* memory = calloc((size_t) rounds, sizeof(double));
  double* compute = calloc((size_t) rounds * P, sizeof(double));
  double* timed = calloc((size_t) rounds * P, sizeof(double));
  int slice = 0;
  for (int r = 0; r < rounds; r++) {
    for (int c = 0; c <= 2 * P; c++) {
      float touch = 0;  // x as warm as the caches allow, as before every harness sample
      for (size_t i = 0; i < n; i += 16) touch += x[i];
      sink = touch;
      double t0 = now();
      if (c == 0) {
        copy_nt(n, x, y[slice ^= 1]);
        memory[r] = now() - t0;
      } else if (c <= P) {
        probes[c - 1](n, x, y[slice ^= 1]);
        timed[r * P + c - 1] = now() - t0;
      } else {
        const int calls = 200;
        for (int k = 0; k < calls; k++) probes[c - 1 - P](small, xs, ys);
        compute[r * P + c - 1 - P] = (now() - t0) / calls * (double) n / (double) small;
      }
    }
  }
  printf("n = %zu floats, %d rounds; copy_nt (memory bound) median %.4f s\n", n, rounds, median(memory, rounds));
  printf("%4s %12s %12s %10s\n", "K", "compute_s", "time_s", "efficiency");
  for (int p = 0; p < P; p++) {
    double* c = malloc(sizeof(double) * (size_t) rounds);
    double* t = malloc(sizeof(double) * (size_t) rounds);
    double* e = malloc(sizeof(double) * (size_t) rounds);
    for (int r = 0; r < rounds; r++) {
      c[r] = compute[r * P + p];
      t[r] = timed[r * P + p];
      e[r] = (memory[r] > c[r] ? memory[r] : c[r]) / t[r];
    }
    printf("%4d %12.4f %12.4f %10.3f\n", ks[p], median(c, rounds), median(t, rounds), median(e, rounds));
    free(c), free(t), free(e);
  }
  return 0;
}
