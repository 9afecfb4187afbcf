/* The kiln runtime as LLVM bitcode (//runtime:runtime_bc), embedded in the compiler so that it
 * can link the runtime into every artifact's module without a file next to the binary.
 * Target: the build host's triple, no target-cpu/feature choice of its own beyond clang's
 * defaults; every function has hidden visibility. */
#ifndef KILN_RUNTIME_BC_H_
#define KILN_RUNTIME_BC_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The bytes of runtime.bc (16-byte aligned) and their count. */
extern const unsigned char kiln_runtime_bc[];
extern const size_t kiln_runtime_bc_size;

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_BC_H_ */
