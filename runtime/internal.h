/* Runtime-internal declarations shared by the runtime's .c files (not installed). */
#ifndef KILN_RUNTIME_INTERNAL_H_
#define KILN_RUNTIME_INTERNAL_H_

/* Per-thread runtime state. It lives behind a pthread key rather than in a _Thread_local:
 * C TLS in a shared object calls __tls_get_addr, which would make every libNAME.so depend on
 * ld-linux-x86-64.so.2 (and initial-exec TLS can exhaust the static TLS space that dlopen
 * leaves). Allocated on first use; freed when the thread exits. */
typedef struct kiln_rt_thread_state {
  int in_task; /* running a parallel_for chunk: nested loops run inline */
  char last_error[1024];
} kiln_rt_thread_state;

/* The calling thread's state, or NULL when it cannot be allocated (callers degrade: errors
 * read as a fixed message, nesting is still caught by the pool's submit lock). */
kiln_rt_thread_state* kiln_rt_thread(void);

#endif /* KILN_RUNTIME_INTERNAL_H_ */
