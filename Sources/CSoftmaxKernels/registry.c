// The kernel registry, generated from kernels.def: the one list Swift reads. The facts of each family
// and ISA (names, function types, traffic, memory reference) come from families.def and
// isas.def.
#include <string.h>

#include "common/instruction_counts.h"
#include "common/kernel_common.h"

// Each family's traffic as integer constants, so the table below can use them in its initializers.
enum {
#define SOFTMAX_FAMILY(name, read, written, memref) softmax_bytes_read_##name = read, softmax_bytes_written_##name = written,
#include "families.def"
#undef SOFTMAX_FAMILY
};

#define KERNEL(f, i, t, a, v) extern __typeof__(*(softmax_##f##_fn)0) SOFTMAX_KERNEL_NAME(f, i, t, a, v);
#include "kernels.def"
#undef KERNEL

// The table holds wrappers that run each kernel with FTZ and DAZ set and restore the caller's setting
// (see softmax_flush_enter): its results do not depend on the caller's floating-point control register.
// One wrapper per kernel, with the family's signature; how the call is spelled depends on the result
// type (void returns nothing): one line per result type families.def uses.
#define SOFTMAX_FLUSHED(k) SOFTMAX_CAT(k, _flushed)
#define SOFTMAX_FLUSHED_CALL_VALUE(type, call) \
  const unsigned csr = softmax_flush_enter(); \
  const type result = call; \
  softmax_flush_leave(csr); \
  return result;
#define SOFTMAX_FLUSHED_CALL_void(call) \
  const unsigned csr = softmax_flush_enter(); \
  call; \
  softmax_flush_leave(csr);
#define SOFTMAX_FLUSHED_CALL_float(call) SOFTMAX_FLUSHED_CALL_VALUE(float, call)
#define SOFTMAX_FLUSHED_CALL_softmax_extfloat(call) SOFTMAX_FLUSHED_CALL_VALUE(softmax_extfloat, call)
#define SOFTMAX_FLUSHED_CALL_softmax_maxsum(call) SOFTMAX_FLUSHED_CALL_VALUE(softmax_maxsum, call)
#define SOFTMAX_WRAP_(k, result, parameters, arguments) \
  static result SOFTMAX_FLUSHED(k) parameters { SOFTMAX_FLUSHED_CALL_##result(k arguments) }
#define SOFTMAX_WRAP(k, ...) SOFTMAX_WRAP_(k, __VA_ARGS__)
#define KERNEL(f, i, t, a, v) SOFTMAX_WRAP(SOFTMAX_KERNEL_NAME(f, i, t, a, v), SOFTMAX_SIGNATURE_##f)
#include "kernels.def"
#undef KERNEL

#define KERNEL(f, i, t, a, v) \
  { \
      .name = SOFTMAX_STR(SOFTMAX_KERNEL_NAME(f, i, t, a, v)), \
      .family = softmax_family_##f, \
      .isa = softmax_isa_##i, \
      .elements_per_iteration = t, \
      .accumulators = a, \
      .variant = SOFTMAX_VARIANT_STRING_##v, \
      .exp_method = SOFTMAX_EXP_STRING(v), \
      .nontemporal_stores = SOFTMAX_NT(v), \
      .prefetch_bytes = SOFTMAX_PF(v), \
      .bytes_read_per_element = softmax_bytes_read_##f, \
      .bytes_written_per_element = softmax_bytes_written_##f, \
      .fn.f = SOFTMAX_FLUSHED(SOFTMAX_KERNEL_NAME(f, i, t, a, v)), \
  },
const softmax_kernel_info softmax_kernels[] = {
#include "kernels.def"
};
#undef KERNEL

const size_t softmax_kernel_count = sizeof(softmax_kernels) / sizeof(softmax_kernels[0]);

const softmax_kernel_info* softmax_kernel_at(size_t i) { return i < softmax_kernel_count ? &softmax_kernels[i] : NULL; }

// The lists' facts, indexed by enum value (a row's position).
typedef struct {
  const char* name;
  uint32_t bytes_read_per_element;
  uint32_t bytes_written_per_element;
  const char* memory_reference;
} softmax_family_facts;

static const softmax_family_facts softmax_families[] = {
#define SOFTMAX_FAMILY(name, read, written, memref) {#name, read, written, #memref},
#include "families.def"
#undef SOFTMAX_FAMILY
};
const size_t softmax_family_count = sizeof(softmax_families) / sizeof(softmax_families[0]);

static const char* const softmax_isa_names[] = {
#define SOFTMAX_ISA(name, architecture) #name,
#include "isas.def"
#undef SOFTMAX_ISA
};
const size_t softmax_isa_count = sizeof(softmax_isa_names) / sizeof(softmax_isa_names[0]);

static const softmax_family_facts* softmax_family_at(softmax_family family) {
  return (size_t)family < softmax_family_count ? &softmax_families[family] : NULL;
}

const char* softmax_family_name(softmax_family family) {
  const softmax_family_facts* facts = softmax_family_at(family);
  return facts ? facts->name : "unknown";
}

uint32_t softmax_family_bytes_read_per_element(softmax_family family) {
  const softmax_family_facts* facts = softmax_family_at(family);
  return facts ? facts->bytes_read_per_element : 0;
}

uint32_t softmax_family_bytes_written_per_element(softmax_family family) {
  const softmax_family_facts* facts = softmax_family_at(family);
  return facts ? facts->bytes_written_per_element : 0;
}

const char* softmax_family_memory_reference(softmax_family family) {
  const softmax_family_facts* facts = softmax_family_at(family);
  return facts ? facts->memory_reference : "unknown";
}

const char* softmax_isa_name(softmax_isa isa) {
  return (size_t)isa < softmax_isa_count ? softmax_isa_names[isa] : "unknown";
}

double softmax_kernel_main_loop_instructions(const char* name) {
  for (size_t i = 0; i < sizeof(softmax_instruction_counts) / sizeof(softmax_instruction_counts[0]); i++) {
    if (strcmp(softmax_instruction_counts[i].name, name) == 0) { return softmax_instruction_counts[i].instructions; }
  }
  return 0;
}

const char* softmax_instruction_counts_compiler(void) { return SOFTMAX_INSTRUCTION_COUNTS_COMPILER; }
