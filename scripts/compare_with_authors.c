// Ours against the authors' kernels, side by side in one process (scripts/compare-with-authors.sh builds
// and runs this; docs/authors-comparison.md says what it measures and how to read it).
//
// For each ISA this CPU runs (softmax_isa_supported), each algorithm and each size, every round times one
// sample of each contender (the authors' blend kernels, then ours as --ours lists them), in an order that
// rotates by one each round. A sample repeats the whole softmax until it lasts about 1 ms, each call
// writing the next of the output slices that rotate past the LLC; every 64-byte line of x is read before
// each sample, outside the timing, as both benchmarks do. Every output slice a sample wrote is checked
// against a float64 softmax of the same input: a failed check makes the contender's row an error row.
// The paired ratio ours/authors is the median of the per-round ratios, with the distribution-free 95%
// interval of results/README.md (order statistics).
//
//   compare_with_authors --self-test
//   compare_with_authors [--sizes N,N,..] [--rounds R] [--isa avx2|avx512f|both] [--llc BYTES]
//                        [--out FILE.csv] --ours LABEL:ISA:ALGORITHM:THRESHOLD:KERNEL,KERNEL[,KERNEL] ...
// THRESHOLD: the plan runs the named kernels from n >= THRESHOLD and their plain twins (no "_nt") below,
// as SoftmaxPlan does with a preset's streaming threshold.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xmmintrin.h>

#include "compare_with_authors_kernels.h"
#include "compare_with_authors_support.h"
#include "softmax_kernels.h"

enum { algorithm_count = 3, max_contenders = 8, max_sizes = 32, warmup_rounds = 2 };
static const char* const algorithm_names[algorithm_count] = {"two-pass", "three-pass-recompute", "three-pass-reload"};

// --- Our kernels.

static const softmax_kernel_info* our_kernel(const char* name) {
  for (size_t i = 0; i < softmax_kernel_count; i++) {
    if (strcmp(softmax_kernels[i].name, name) == 0) { return &softmax_kernels[i]; }
  }
  return NULL;
}

// --- Contenders.

typedef struct {
  char label[32];
  softmax_isa isa;
  int algorithm;
  int authors;                                  // 1: the authors' kernels, called through authors_fn
  void (*authors_fn[3])(void);                  // the authors' kernels, cast to their xnn_*_fn types at the call
  const softmax_kernel_info* streaming[3];      // ours, from n >= threshold
  const softmax_kernel_info* plain[3];          // ours, below the threshold
  size_t threshold;
  char kernels[256];                            // as written in the CSV
} contender;

// The paper's blend kernels per ISA (0: AVX2, 1: AVX512F) and algorithm, with their names for the CSV.
typedef struct {
  void (*fn)(void);  // cast to its xnn_*_fn type at the call
  const char* name;
} authors_kernel;
#define AUTHORS_K(f) {(void (*)(void))(f), #f}
static void authors_contender(softmax_isa isa, int algorithm, contender* c) {
  memset(c, 0, sizeof *c);
  snprintf(c->label, sizeof c->label, "authors-blend");
  c->isa = isa, c->algorithm = algorithm, c->authors = 1;
  const authors_kernel sets[2][algorithm_count][3] = {
      {{AUTHORS_K(xnn_f32_raddextexp_ukernel__avx2_p5_x96), AUTHORS_K(xnn_f32_vscaleextexp_ukernel__avx2_p5_x40)},
       {AUTHORS_K(xnn_f32_rmax_ukernel__avx), AUTHORS_K(xnn_f32_raddexpminusmax_ukernel__avx2_p5_x96),
        AUTHORS_K(xnn_f32_vscaleexpminusmax_ukernel__avx2_p5_x24)},
       {AUTHORS_K(xnn_f32_rmax_ukernel__avx), AUTHORS_K(xnn_f32_raddstoreexpminusmax_ukernel__avx2_p5_x64_acc2),
        AUTHORS_K(xnn_f32_vscale_ukernel__avx_unroll32)}},
      {{AUTHORS_K(xnn_f32_raddextexp_ukernel__avx512f_p5_scalef_x144_acc3),
        AUTHORS_K(xnn_f32_vscaleextexp_ukernel__avx512f_p5_scalef_x16)},
       {AUTHORS_K(xnn_f32_rmax_ukernel__avx512f), AUTHORS_K(xnn_f32_raddexpminusmax_ukernel__avx512f_p5_scalef_x128_acc4),
        AUTHORS_K(xnn_f32_vscaleexpminusmax_ukernel__avx512f_p5_scalef_x16)},
       {AUTHORS_K(xnn_f32_rmax_ukernel__avx512f), AUTHORS_K(xnn_f32_raddstoreexpminusmax_ukernel__avx512f_p5_scalef_x128_acc2),
        AUTHORS_K(xnn_f32_vscale_ukernel__avx512f_unroll64)}}};
  const authors_kernel* set = sets[isa == softmax_isa_avx512f][algorithm];
  const int passes = algorithm == 0 ? 2 : 3;
  size_t used = 0;
  for (int p = 0; p < passes; p++) {
    c->authors_fn[p] = set[p].fn;
    used += (size_t)snprintf(c->kernels + used, sizeof c->kernels - used, "%s%s", p ? "," : "", set[p].name);
  }
}

static int parse_algorithm(const char* name) {
  for (int a = 0; a < algorithm_count; a++) {
    if (strcmp(algorithm_names[a], name) == 0) { return a; }
  }
  return -1;
}

// LABEL:ISA:ALGORITHM:THRESHOLD:K1,K2[,K3]
static void parse_ours(const char* spec, contender* c) {
  char buffer[512], message[700];
  snprintf(buffer, sizeof buffer, "%s", spec);
  memset(c, 0, sizeof *c);
  char* fields[5];
  char* rest = buffer;
  for (int i = 0; i < 5; i++) {
    fields[i] = strsep(&rest, ":");
    if (fields[i] == NULL) {
      snprintf(message, sizeof message, "--ours '%s': expected LABEL:ISA:ALGORITHM:THRESHOLD:KERNEL,KERNEL[,KERNEL]", spec);
      usage_error(message);
    }
  }
  snprintf(c->label, sizeof c->label, "%s", fields[0]);
  c->isa = strcmp(fields[1], "avx512f") == 0 ? softmax_isa_avx512f : softmax_isa_avx2;
  c->algorithm = parse_algorithm(fields[2]);
  c->threshold = strtoull(fields[3], NULL, 10);
  snprintf(c->kernels, sizeof c->kernels, "%s", fields[4]);
  if ((strcmp(fields[1], "avx2") != 0 && strcmp(fields[1], "avx512f") != 0) || c->algorithm < 0) {
    snprintf(message, sizeof message, "--ours '%s': the ISA is avx2 or avx512f, the algorithm one of two-pass, three-pass-recompute, three-pass-reload", spec);
    usage_error(message);
  }
  int passes = 0;
  for (char* name = strtok(fields[4], ","); name != NULL; name = strtok(NULL, ","), passes++) {
    char twin[128];
    plain_twin_name(name, twin, sizeof twin);
    if (passes >= 3 || (c->streaming[passes] = our_kernel(name)) == NULL || (c->plain[passes] = our_kernel(twin)) == NULL) {
      snprintf(message, sizeof message, "--ours '%s': '%s' (or its plain twin '%s') is not a kernel of this library (softmax-repro list --kernels)", spec, name, twin);
      usage_error(message);
    }
  }
  if (passes != (c->algorithm == 0 ? 2 : 3)) {
    snprintf(message, sizeof message, "--ours '%s': %s takes %d kernels", spec, algorithm_names[c->algorithm], c->algorithm == 0 ? 2 : 3);
    usage_error(message);
  }
}

// One softmax of x[0..n) into y.
static void run_softmax(const contender* c, size_t n, const float* x, float* y) {
  if (c->authors) {
    const size_t bytes = n * sizeof(float);
    float r[2];
    switch (c->algorithm) {
      case 0:
        ((xnn_raddextexp_fn)c->authors_fn[0])(bytes, x, r);
        ((xnn_vscaleextexp_fn)c->authors_fn[1])(bytes, x, y, 1.0f / r[0], -r[1]);
        return;
      case 1:
        ((xnn_rmax_fn)c->authors_fn[0])(bytes, x, &r[0]);
        ((xnn_raddexpminusmax_fn)c->authors_fn[1])(bytes, x, &r[1], r[0]);
        ((xnn_vscaleexpminusmax_fn)c->authors_fn[2])(bytes, x, y, 1.0f / r[1], r[0]);
        return;
      default:
        ((xnn_rmax_fn)c->authors_fn[0])(bytes, x, &r[0]);
        ((xnn_raddstoreexpminusmax_fn)c->authors_fn[1])(bytes, x, y, &r[1], r[0]);
        ((xnn_vscale_fn)c->authors_fn[2])(bytes, y, y, 1.0f / r[1]);
        return;
    }
  }
  const softmax_kernel_info* const* k = n >= c->threshold ? c->streaming : c->plain;
  switch (c->algorithm) {
    case 0: {
      const softmax_extfloat sum = k[0]->fn.raddextexp(n, x);
      k[1]->fn.vscaleextexp(n, x, y, (softmax_extfloat){1.0f / sum.mantissa, -sum.exponent});
      return;
    }
    case 1: {
      const float max = k[0]->fn.rmax(n, x);
      k[2]->fn.vscaleexpminusmax(n, x, y, max, 1.0f / k[1]->fn.raddexpminusmax(n, x, max));
      return;
    }
    default: {
      const float max = k[0]->fn.rmax(n, x);
      k[2]->fn.vscale(n, y, y, 1.0f / k[1]->fn.raddstoreexpminusmax(n, x, y, max));
      return;
    }
  }
}

// --- Measurement.

typedef struct {
  double seconds[max_contenders][256];  // per call, per kept round
  check_result worst[max_contenders];
  int failed[max_contenders];
  size_t rounds;
} size_result;

// Calls per sample: enough that the slowest contender's sample lasts about 1 ms (at least one call).
static size_t calls_per_sample(const contender* cs, size_t count, buffers* b) {
  double slowest = 0;
  for (size_t c = 0; c < count; c++) {
    touch_input(b->x, b->n);
    const double start = now_seconds();
    run_softmax(&cs[c], b->n, b->x, b->y[0]);
    slowest = fmax(slowest, now_seconds() - start);
  }
  const double calls = ceil(1e-3 / fmax(slowest, 1e-9));
  return calls < 1 ? 1 : (size_t)calls;
}

// One sample of one contender: seconds per call; checks every slice it wrote.
static double sample(const contender* c, buffers* b, size_t calls, size_t* next_slice, check_result* worst, int* failed) {
  touch_input(b->x, b->n);
  const size_t first = *next_slice;
  const double start = now_seconds();
  for (size_t i = 0; i < calls; i++) {
    run_softmax(c, b->n, b->x, b->y[*next_slice]);
    if (++*next_slice == b->slices) { *next_slice = 0; }
  }
  const double seconds = (now_seconds() - start) / (double)calls;
  const size_t written = calls < b->slices ? calls : b->slices;
  for (size_t i = 0; i < written; i++) {
    if (!output_passes(b->y[(first + i) % b->slices], b->reference, b->n, worst)) { *failed = 1; }
  }
  for (size_t i = 0; i < written; i++) { memset(b->y[(first + i) % b->slices], 0, b->n * sizeof(float)); }
  return seconds;
}

static void measure_size(const contender* cs, size_t count, size_t n, size_t rounds, size_t llc_bytes, size_result* r) {
  memset(r, 0, sizeof *r);
  buffers b = allocate_buffers(n, llc_bytes);
  const size_t calls = calls_per_sample(cs, count, &b);
  size_t next_slice = 0;
  for (size_t round = 0; round < warmup_rounds + rounds; round++) {
    for (size_t i = 0; i < count; i++) {
      const size_t c = (i + round) % count;  // the order rotates by one each round
      const double s = sample(&cs[c], &b, calls, &next_slice, &r->worst[c], &r->failed[c]);
      if (round >= warmup_rounds) { r->seconds[c][round - warmup_rounds] = s; }
    }
  }
  r->rounds = rounds;
  free_buffers(&b);
}

static estimate ratio_estimate(const size_result* r, size_t ours, size_t authors) {
  double ratios[256];
  for (size_t i = 0; i < r->rounds; i++) { ratios[i] = r->seconds[ours][i] / r->seconds[authors][i]; }
  return estimate_of(ratios, r->rounds);
}

// One CSV row per contender; ratio columns empty for the authors' row and wherever a check failed.
static void write_rows(FILE* csv, const contender* cs, size_t count, size_t n, const size_result* r) {
  for (size_t c = 0; c < count; c++) {
    fprintf(csv, "%s,%s,%zu,%s,\"%s\",%zu,", softmax_isa_name(cs[c].isa), algorithm_names[cs[c].algorithm], n, cs[c].label,
            cs[c].kernels, r->rounds);
    if (r->failed[c]) {
      fprintf(csv, ",,,,,,%.3g,%.3g,output check failed\n", r->worst[c].relative_error, r->worst[c].sum_error);
      continue;
    }
    const estimate t = estimate_of(r->seconds[c], r->rounds);
    fprintf(csv, "%.6g,", t.median);
    if (t.has_interval) { fprintf(csv, "%.6g,%.6g,", t.low, t.high); } else { fprintf(csv, ",,"); }
    if (c == 0 || r->failed[0]) {
      fprintf(csv, ",,,");
    } else {
      const estimate q = ratio_estimate(r, c, 0);
      fprintf(csv, "%.4f,", q.median);
      if (q.has_interval) { fprintf(csv, "%.4f,%.4f,", q.low, q.high); } else { fprintf(csv, ",,"); }
    }
    fprintf(csv, "%.3g,%.3g,\n", r->worst[c].relative_error, r->worst[c].sum_error);
  }
  fflush(csv);
}

// The Markdown cell of one contender at one size: "ratio [lo, hi]", "error" or "n/a".
static void ratio_cell(char* cell, size_t capacity, const size_result* r, size_t c) {
  if (r->failed[c] || r->failed[0]) {
    snprintf(cell, capacity, "check failed");
    return;
  }
  const estimate q = ratio_estimate(r, c, 0);
  if (q.has_interval) {
    snprintf(cell, capacity, "%.2f [%.2f, %.2f]", q.median, q.low, q.high);
  } else {
    snprintf(cell, capacity, "%.2f", q.median);
  }
}

// --- Self-test (scripts/test-compare-with-authors.sh): the pieces whose errors no comparison would show.

static int self_test(void) {
  int failures = 0;
#define EXPECT(condition) \
  do { \
    if (!(condition)) { fprintf(stderr, "self-test FAILED: %s (line %d)\n", #condition, __LINE__), failures++; } \
  } while (0)
  double v[21], low = 0, high = 0;
  for (int i = 0; i < 21; i++) { v[i] = i + 1; }
  // m = 15: the 4th and 12th (results/README.md); m = 21: P(B <= 5) = 1.3%, P(B <= 6) = 3.9%: 6th and 16th.
  EXPECT(median_interval(v, 15, &low, &high) && low == 4 && high == 12);
  EXPECT(median_interval(v, 21, &low, &high) && low == 6 && high == 16);
  // m = 6: P(B <= 0) = 1.6%: min and max; m = 5: P(B <= 0) = 3.1%, no 95% interval.
  EXPECT(median_interval(v, 6, &low, &high) && low == 1 && high == 6);
  EXPECT(!median_interval(v, 5, &low, &high));
  EXPECT(median_of_sorted(v, 15) == 8 && median_of_sorted(v, 6) == 3.5);
  const double shuffled[7] = {0.9, 1.3, 0.8, 1.1, 1.0, 1.2, 0.7};
  EXPECT(estimate_of(shuffled, 7).median == 1.0 && estimate_of(shuffled, 7).has_interval);
  char twin[128];
  plain_twin_name("vscaleextexp_avx512f_x48_nt_pf1k", twin, sizeof twin);
  EXPECT(strcmp(twin, "vscaleextexp_avx512f_x48_pf1k") == 0);
  plain_twin_name("raddstoreexpminusmax_avx512f_x128_acc2_nt", twin, sizeof twin);
  EXPECT(strcmp(twin, "raddstoreexpminusmax_avx512f_x128_acc2") == 0);
  plain_twin_name("raddextexp_avx2_x72_pf4k", twin, sizeof twin);
  EXPECT(strcmp(twin, "raddextexp_avx2_x72_pf4k") == 0);
  // The output check: an exact softmax passes, one element off by 1e-4 or a NaN fails.
  const double reference[4] = {0.1, 0.2, 0.3, 0.4};
  float y[4] = {0.1f, 0.2f, 0.3f, 0.4f};
  check_result worst = {0, 0};
  EXPECT(output_passes(y, reference, 4, &worst));
  // A common factor off by 6e-5 (the float sum's rounding at 64M elements) passes; one element off fails.
  for (int i = 0; i < 4; i++) { y[i] = (float)(reference[i] * (1 + 6e-5)); }
  EXPECT(output_passes(y, reference, 4, &worst));
  for (int i = 0; i < 4; i++) { y[i] = (float)reference[i]; }
  y[2] = 0.30003f;
  EXPECT(!output_passes(y, reference, 4, &worst));
  y[2] = NAN;
  EXPECT(!output_passes(y, reference, 4, &worst));
  // Ours through the registry, as run_softmax calls it, against float64 at 1000 elements.
  contender c;
  parse_ours("ours:avx2:two-pass:0:raddextexp_portable_x4_acc4,vscaleextexp_portable_x4", &c);
  buffers b = allocate_buffers(1000, 0);
  run_softmax(&c, b.n, b.x, b.y[0]);
  worst = (check_result){0, 0};
  EXPECT(output_passes(b.y[0], b.reference, b.n, &worst));
  free_buffers(&b);
#undef EXPECT
  fprintf(stderr, "compare_with_authors self-test: %s\n", failures ? "FAILED" : "passed");
  return failures ? 1 : 0;
}

// --- Main.

typedef struct {
  size_t sizes[max_sizes], size_count, rounds, llc_bytes;
  int isa_mask;  // 1: avx2, 2: avx512f
  const char* out;
  contender ours[64];
  size_t ours_count;
} options;

static size_t llc_bytes_of_this_machine(void) {
  long bytes = sysconf(_SC_LEVEL3_CACHE_SIZE);
  return bytes > 0 ? (size_t)bytes : (size_t)32 << 20;
}

static options parse_options(int argc, char** argv) {
  options o = {.sizes = {1000, 10000, 100000, 1000000, 10000000, 64u << 20}, .size_count = 6, .rounds = 21, .isa_mask = 3};
  o.llc_bytes = llc_bytes_of_this_machine();
  for (int i = 1; i < argc; i += 2) {
    const char* value = i + 1 < argc ? argv[i + 1] : NULL;
    if (value == NULL) { usage_error("every option takes a value (see the comment at the top of compare_with_authors.c)"); }
    if (strcmp(argv[i], "--sizes") == 0) {
      o.size_count = 0;
      for (const char* p = value; *p && o.size_count < max_sizes; p += (*p == ',')) {
        char* end;
        o.sizes[o.size_count++] = strtoull(p, &end, 10);
        if (end == p || o.sizes[o.size_count - 1] == 0) { usage_error("--sizes: a comma-separated list of element counts, such as 1000,65536"); }
        p = end;
      }
    } else if (strcmp(argv[i], "--rounds") == 0) {
      o.rounds = strtoull(value, NULL, 10);
      if (o.rounds < 1 || o.rounds > 256) { usage_error("--rounds: 1 to 256 (6 or more for an interval)"); }
    } else if (strcmp(argv[i], "--isa") == 0) {
      o.isa_mask = strcmp(value, "avx2") == 0 ? 1 : strcmp(value, "avx512f") == 0 ? 2 : strcmp(value, "both") == 0 ? 3 : 0;
      if (o.isa_mask == 0) { usage_error("--isa: avx2, avx512f or both"); }
    } else if (strcmp(argv[i], "--llc") == 0) {
      o.llc_bytes = strtoull(value, NULL, 10);
    } else if (strcmp(argv[i], "--out") == 0) {
      o.out = value;
    } else if (strcmp(argv[i], "--ours") == 0) {
      if (o.ours_count == 64) { usage_error("at most 64 --ours plans"); }
      parse_ours(value, &o.ours[o.ours_count++]);
    } else {
      usage_error("unknown option (see the comment at the top of compare_with_authors.c)");
    }
  }
  return o;
}

enum { max_labels = 4 };
static char table_labels[max_labels][32];
static size_t table_label_count;
static char cells[max_labels][2][algorithm_count][max_sizes][40];
static int row_measured[2][algorithm_count];

static size_t label_index(const char* label) {
  for (size_t i = 0; i < table_label_count; i++) {
    if (strcmp(table_labels[i], label) == 0) { return i; }
  }
  if (table_label_count == max_labels) { usage_error("at most 4 distinct --ours labels"); }
  snprintf(table_labels[table_label_count], sizeof table_labels[0], "%s", label);
  return table_label_count++;
}

// One table per label of ours: rows ISA x algorithm, columns sizes, cells "ratio [lo, hi]" (ours / authors).
static void print_tables(const options* o) {
  for (size_t l = 0; l < table_label_count; l++) {
    printf("\n%s / authors-blend, paired time ratio (median of %zu rounds) [95%% interval]; below 1: ours faster\n\n| ISA | algorithm |",
           table_labels[l], o->rounds);
    for (size_t s = 0; s < o->size_count; s++) { printf(" %zu |", o->sizes[s]); }
    printf("\n|---|---|");
    for (size_t s = 0; s < o->size_count; s++) { printf("---|"); }
    printf("\n");
    for (int i = 0; i < 2; i++) {
      for (int a = 0; a < algorithm_count; a++) {
        if (!row_measured[i][a]) { continue; }
        printf("| %s | %s |", i ? "AVX512F" : "AVX2", algorithm_names[a]);
        for (size_t s = 0; s < o->size_count; s++) { printf(" %s |", cells[l][i][a][s][0] ? cells[l][i][a][s] : "n/a"); }
        printf("\n");
      }
    }
  }
}

static void compare_isa(const options* o, int avx512, FILE* csv) {
  const softmax_isa isa = avx512 ? softmax_isa_avx512f : softmax_isa_avx2;
  for (int a = 0; a < algorithm_count; a++) {
    contender cs[max_contenders];
    size_t count = 0;
    authors_contender(isa, a, &cs[count++]);
    for (size_t i = 0; i < o->ours_count && count < max_contenders; i++) {
      if (o->ours[i].isa == isa && o->ours[i].algorithm == a) { cs[count++] = o->ours[i]; }
    }
    if (count == 1) { continue; }
    row_measured[avx512][a] = 1;
    for (size_t s = 0; s < o->size_count; s++) {
      static size_result r;
      fprintf(stderr, "compare_with_authors: %s %s n=%zu\n", softmax_isa_name(isa), algorithm_names[a], o->sizes[s]);
      measure_size(cs, count, o->sizes[s], o->rounds, o->llc_bytes, &r);
      write_rows(csv, cs, count, o->sizes[s], &r);
      for (size_t c = 1; c < count; c++) {
        ratio_cell(cells[label_index(cs[c].label)][avx512][a][s], sizeof cells[0][0][0][0], &r, c);
      }
    }
  }
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--self-test") == 0) { return self_test(); }
  const options o = parse_options(argc, argv);
  // Every authors' kernel must be linked in (they are weak, for the self-test's build), whatever the CPU.
#define AUTHORS_REQUIRE(family, name) \
  if (name == NULL) { usage_error("the authors' kernel " #name " is not linked in: build through scripts/compare-with-authors.sh"); }
  AUTHORS_KERNELS(AUTHORS_REQUIRE)
#undef AUTHORS_REQUIRE
  if (o.ours_count == 0) { usage_error("no --ours plan: scripts/compare-with-authors.sh passes them from the presets"); }
  FILE* csv = o.out ? fopen(o.out, "w") : NULL;
  if (o.out && csv == NULL) {
    fprintf(stderr, "compare_with_authors: cannot write %s: %s\n", o.out, strerror(errno));
    return 2;
  }
  if (csv == NULL) { csv = stderr; }
  // FTZ and DAZ, as both benchmarks run (our registry's wrappers then leave the MXCSR as it is).
  _mm_setcsr(_mm_getcsr() | 0x8040);
  fprintf(csv, "isa,algorithm,n,contender,kernels,rounds,median_s,median_ci_low_s,median_ci_high_s,ratio_to_authors,"
               "ratio_ci_low,ratio_ci_high,max_relative_error,max_sum_error,error\n");
  int failed = 0;
  for (int avx512 = 0; avx512 < 2; avx512++) {
    const softmax_isa isa = avx512 ? softmax_isa_avx512f : softmax_isa_avx2;
    if (!(o.isa_mask & (1 << avx512))) { continue; }
    if (!softmax_isa_supported(isa)) {
      fprintf(stderr, "compare_with_authors: SKIPPED %s: this CPU (or OS) does not run it\n", softmax_isa_name(isa));
      continue;
    }
    compare_isa(&o, avx512, csv);
  }
  for (size_t l = 0; l < table_label_count; l++) {
    for (int i = 0; i < 2; i++) {
      for (int a = 0; a < algorithm_count; a++) {
        for (size_t s = 0; s < o.size_count; s++) { failed |= strcmp(cells[l][i][a][s], "check failed") == 0; }
      }
    }
  }
  print_tables(&o);
  if (csv != stderr) { fclose(csv); }
  if (failed) { fprintf(stderr, "compare_with_authors: some outputs failed their check (CSV column error)\n"); }
  return failed ? 1 : 0;
}
