/* Status codes, dtype names and the per-thread last error. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>

#include "internal.h"
#include "kiln/runtime.h"

static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;
static int thread_key_ok;

static void free_thread_state(void* state) { free(state); }

static void create_thread_key(void) { thread_key_ok = pthread_key_create(&thread_key, free_thread_state) == 0; }

/* When an artifact is dlclose'd, its destructor code goes away: delete the key so that no
 * thread exiting later calls into unmapped code (their states leak, 1 KiB each). */
__attribute__((destructor)) static void delete_thread_key(void) {
  if (thread_key_ok) {
    free(pthread_getspecific(thread_key));
    pthread_setspecific(thread_key, NULL);
    pthread_key_delete(thread_key);
    thread_key_ok = 0;
  }
}

kiln_rt_thread_state* kiln_rt_thread(void) {
  pthread_once(&thread_key_once, create_thread_key);
  if (!thread_key_ok) return NULL;
  kiln_rt_thread_state* state = (kiln_rt_thread_state*)pthread_getspecific(thread_key);
  if (state != NULL) return state;
  state = (kiln_rt_thread_state*)calloc(1, sizeof *state);
  if (state == NULL) return NULL;
  if (pthread_setspecific(thread_key, state) != 0) {
    free(state);
    return NULL;
  }
  return state;
}

kiln_status kiln_rt_set_error(kiln_status status, const char* format, ...) {
  kiln_rt_thread_state* state = kiln_rt_thread();
  if (state == NULL) return status;
  va_list args;
  va_start(args, format);
  vsnprintf(state->last_error, sizeof state->last_error, format, args);
  va_end(args);
  return status;
}

const char* kiln_rt_last_error(void) {
  kiln_rt_thread_state* state = kiln_rt_thread();
  return state != NULL ? state->last_error : "kiln: no memory for this thread's error message";
}

void kiln_rt_clear_error(void) {
  kiln_rt_thread_state* state = kiln_rt_thread();
  if (state != NULL) state->last_error[0] = '\0';
}

const char* kiln_rt_status_name(kiln_status status) {
  switch (status) {
    case KILN_OK: return "KILN_OK";
    case KILN_INVALID_ARGUMENT: return "KILN_INVALID_ARGUMENT";
    case KILN_OUT_OF_MEMORY: return "KILN_OUT_OF_MEMORY";
    case KILN_IO_ERROR: return "KILN_IO_ERROR";
    case KILN_UNAVAILABLE: return "KILN_UNAVAILABLE";
    case KILN_INTERNAL: return "KILN_INTERNAL";
  }
  return "KILN_UNKNOWN_STATUS";
}

const char* kiln_rt_dtype_name(kiln_dtype dtype) {
  switch (dtype) {
    case KILN_F32: return "f32";
    case KILN_F64: return "f64";
    case KILN_F16: return "f16";
    case KILN_BF16: return "bf16";
    case KILN_I64: return "i64";
    case KILN_I32: return "i32";
    case KILN_BOOL: return "bool";
  }
  return "unknown";
}

size_t kiln_rt_dtype_size(kiln_dtype dtype) {
  switch (dtype) {
    case KILN_F32: return 4;
    case KILN_F64: return 8;
    case KILN_F16: return 2;
    case KILN_BF16: return 2;
    case KILN_I64: return 8;
    case KILN_I32: return 4;
    case KILN_BOOL: return 1;
  }
  return 0;
}
