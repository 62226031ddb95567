// Shared by the comparison driver (compare_with_authors.c) and its self-test: statistics, buffers, checks.
#ifndef COMPARE_WITH_AUTHORS_SUPPORT_H
#define COMPARE_WITH_AUTHORS_SUPPORT_H

#include <stddef.h>

/// Prints "compare_with_authors: <message>" and exits with status 2 (bad arguments, no memory).
void usage_error(const char* message);

int compare_doubles(const void* a, const void* b);
double median_of_sorted(const double* v, size_t m);
/// The distribution-free 95% interval of a median (results/README.md); 0 (no interval) below 6 values.
int median_interval(const double* sorted, size_t m, double* low, double* high);

typedef struct {
  double median, low, high;
  int has_interval;
} estimate;
/// The median of m values (at most 256) with its interval.
estimate estimate_of(const double* values, size_t m);

/// The plain twin of a streaming-store kernel: its name without "_nt" (x48_nt_pf1k -> x48_pf1k).
void plain_twin_name(const char* name, char* twin, size_t capacity);

typedef struct {
  size_t n, slices;
  float* x;
  float** y;  // the output slices
  void* y_block;
  double* reference;  // the float64 softmax of x
} buffers;
buffers allocate_buffers(size_t n, size_t llc_bytes);
void free_buffers(buffers* b);

typedef struct {
  double relative_error, sum_error;
} check_result;
/// Whether y is the softmax of reference within the tolerances; widens worst by what it saw.
int output_passes(const float* y, const double* reference, size_t n, check_result* worst);

double now_seconds(void);
/// Reads every 64-byte line of x (outside the timing, as both benchmarks do before a sample).
void touch_input(const float* x, size_t n);

#endif  // COMPARE_WITH_AUTHORS_SUPPORT_H
