/* 64-byte aligned allocation: one cache line, and enough for any AVX-512 load. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "kiln/runtime.h"

void* kiln_rt_alloc(size_t bytes) {
  if (bytes == 0) return NULL;
  void* p = NULL;
  if (posix_memalign(&p, 64, bytes) != 0) return NULL;
  return p;
}

void kiln_rt_free(void* p) { free(p); }
