// Softmax micro-kernels: the passes of the paper's three algorithms (and online softmax's), for portable C,
// AVX2+FMA and AVX512F; on architectures other than x86-64, portable C only.
//
// Every kernel of a family has the family's one function type, generated from families.def. Kernels are
// listed once, in kernels.def; the registry (`softmax_kernels`) is generated from that list and is what
// Swift reads. The ISAs are listed once, in isas.def.
//
// Semantics shared by every ISA (docs/numerics.md gives the reasoning):
//   * -inf inputs contribute exactly 0; an input of NaN makes every output NaN; +inf makes every output
//     NaN (inf - inf, as a float64 reference and PyTorch give); all inputs -inf give NaN outputs.
//   * Every kernel of the table (and the merges below) runs with FTZ and DAZ set: it sets them for the
//     call where the caller's MXCSR lacks them and puts the caller's setting back on return (on aarch64
//     the one bit FPCR.FZ, which does both). So results do not depend on the caller's setting and no
//     kernel returns a subnormal: outputs below 2^-126 are 0, subnormal inputs count as 0, and
//     element-wise passes agree bit for bit across ISAs. (Other architectures: no flush control here.)
//   * The two-pass (extended-exponent) kernels are accurate for |x| <= SOFTMAX_EXTEXP_ACCURATE_LIMIT.
//     Beyond it they stay defined: finite, non-negative, ordered, summing to 1. Only finite inputs beyond
//     +-FLT_MAX * ln2 (about 2.36e38), whose x*log2e overflows the float range, count as +-inf there.
#ifndef SOFTMAX_KERNELS_H
#define SOFTMAX_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Largest |x| for which the extended-exponent exp (two-pass) is within 4 ulp of exp(x). Beyond it the
/// rounding error of float(x * log2e) pushes the reduced argument out of the polynomial's fitted
/// interval: measured relative error 2.7e-7 at 2^18, 1.1e-6 at 2^20, 2.4e-5 at 2^23, and from 2^24 on
/// (where float(x * log2e) is off by whole units) only magnitudes and order are kept.
#define SOFTMAX_EXTEXP_ACCURATE_LIMIT 0x1.0p17f

/// The instruction sets, from isas.def: softmax_isa_portable, softmax_isa_avx2, ...
typedef enum {
#define SOFTMAX_ISA(name, architecture) softmax_isa_##name,
#include "../isas.def"
#undef SOFTMAX_ISA
} softmax_isa;

/// The pass families, from families.def: softmax_family_rmax, softmax_family_raddexpminusmax, ...
typedef enum {
#define SOFTMAX_FAMILY(name, read, written, memref) softmax_family_##name,
#include "../families.def"
#undef SOFTMAX_FAMILY
} softmax_family;

/// An extended-range float: value = mantissa * 2^exponent, the exponent an integer held in a float.
typedef struct {
  float mantissa;
  float exponent;
} softmax_extfloat;

/// A running max with the sum of exp(x - max) over the elements seen, as the online reduction returns it.
typedef struct {
  float max;
  float sum;
} softmax_maxsum;

// The function type of each family, softmax_<family>_fn, from its SOFTMAX_SIGNATURE_<family> (documented
// there, in families.def).
#define SOFTMAX_FUNCTION_TYPE_(name, result, parameters, arguments) typedef result(*softmax_##name##_fn) parameters;
#define SOFTMAX_FUNCTION_TYPE(name, ...) SOFTMAX_FUNCTION_TYPE_(name, __VA_ARGS__)
#define SOFTMAX_FAMILY(name, read, written, memref) SOFTMAX_FUNCTION_TYPE(name, SOFTMAX_SIGNATURE_##name)
#include "../families.def"
#undef SOFTMAX_FAMILY

/// The sum of extended-range floats (the raddextexp results of a vector's slices), scaled to the largest
/// exponent exactly as raddextexp merges its own lanes; {0, -inf} for count == 0. A NaN part gives NaN.
softmax_extfloat softmax_extfloat_sum(size_t count, const softmax_extfloat* parts);

/// The online reduction of a whole vector from those of its slices: the largest max, and every sum
/// rescaled by exp(its max - that max), as rmaxaddexp merges its own lanes; {-FLT_MAX, 0} for count == 0.
softmax_maxsum softmax_maxsum_merge(size_t count, const softmax_maxsum* parts);

/// One kernel: its name states family, ISA, elements per main-loop iteration, accumulators and variant.
typedef struct {
  const char* name;
  softmax_family family;
  softmax_isa isa;
  uint32_t elements_per_iteration;
  uint32_t accumulators;
  /// The variant's name as spelled at the end of `name` ("" for the plain kernel; see kernel_common.h).
  const char* variant;
  /// The exp method as spelled at the end of `name` ("" for the paper's; see common/exp_method.h). It
  /// changes the arithmetic, where `variant` changes only memory movement.
  const char* exp_method;
  /// Streaming stores for the aligned body of the output: no write-allocate read of y.
  bool nontemporal_stores;
  /// Software prefetch distance ahead of the input loads, in bytes; 0 for none.
  uint32_t prefetch_bytes;
  /// Memory traffic per element, as the loop issues it (write-allocate reads not counted).
  uint32_t bytes_read_per_element;
  uint32_t bytes_written_per_element;
  union softmax_kernel_fn {
#define SOFTMAX_FAMILY(name, read, written, memref) softmax_##name##_fn name;
#include "../families.def"
#undef SOFTMAX_FAMILY
  } fn;
} softmax_kernel_info;

typedef union softmax_kernel_fn softmax_kernel_fn;

/// Every kernel compiled into this library, whatever the CPU; filter with softmax_isa_supported().
extern const softmax_kernel_info softmax_kernels[];
extern const size_t softmax_kernel_count;
/// softmax_kernels[i], for languages that cannot index an array of unknown size (Swift).
const softmax_kernel_info* softmax_kernel_at(size_t i);

/// The lists' facts, for languages that cannot expand the .def files (Swift reads each once).
extern const size_t softmax_family_count;
extern const size_t softmax_isa_count;
/// "unknown" (and 0 bytes) for a value outside the lists.
const char* softmax_family_name(softmax_family family);
const char* softmax_isa_name(softmax_isa isa);
/// Memory traffic of every kernel of the family per element, as the loop issues it.
uint32_t softmax_family_bytes_read_per_element(softmax_family family);
uint32_t softmax_family_bytes_written_per_element(softmax_family family);
/// The memory reference loop (softmax_memref_info.name) with the family's access pattern under
/// ordinary stores: "read", "copy" or "scale".
const char* softmax_family_memory_reference(softmax_family family);

/// True when this CPU and OS can run kernels of `isa` (CPUID feature bits plus XGETBV's enabled state).
bool softmax_isa_supported(softmax_isa isa);

/// Sets (on = true) or clears FTZ and DAZ in this thread's MXCSR (FPCR.FZ on aarch64); returns the previous
/// setting (true when both were set). A no-op returning false on other CPUs. Kernels need neither: they set
/// FTZ and DAZ for their own call (see above); this is for the caller's own arithmetic.
bool softmax_flush_denormals(bool on);
bool softmax_flush_denormals_enabled(void);

/// A memory reference loop: `read` sums x, `copy` writes y = x, `scale` multiplies y in place, `write`
/// fills y. Bytes per element as the loop issues them (write-allocate not counted).
typedef struct {
  const char* name;
  softmax_isa isa;
  uint32_t bytes_read_per_element;
  uint32_t bytes_written_per_element;
  float (*fn)(size_t n, const float* x, float* y);
} softmax_memref_info;

extern const size_t softmax_memref_count;
const softmax_memref_info* softmax_memref_at(size_t i);

/// The compiler and the kernel flags this library was built with, for the run metadata.
const char* softmax_kernels_compiler(void);
/// Instructions in one iteration of the named kernel's main loop, counted in its object code by
/// scripts/count-instructions.py (common/instruction_counts.h); 0 when it has no count.
double softmax_kernel_main_loop_instructions(const char* name);
/// The compiler whose code was counted, spelled as softmax_kernels_compiler() spells it.
const char* softmax_instruction_counts_compiler(void);
const char* softmax_kernels_cflags(void);

#ifdef __cplusplus
}
#endif

#endif  // SOFTMAX_KERNELS_H
