/* Argument checks for inputs and outputs: every message names the tensor and shows the
 * expected and the actual type. */
#include <stdio.h>
#include <string.h>

#include "kiln/runtime.h"

size_t kiln_rt_tensor_bytes(kiln_dtype dtype, int32_t rank, const int64_t* dims, int* ok) {
  size_t bytes = kiln_rt_dtype_size(dtype);
  *ok = bytes != 0 && rank >= 0 && rank <= KILN_MAX_RANK && (rank == 0 || dims != NULL);
  if (!*ok) return 0;
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] < 0 || __builtin_mul_overflow(bytes, (size_t)dims[i], &bytes)) {
      *ok = 0;
      return 0;
    }
  }
  return bytes;
}

/* The symbols of the dims being formatted (NULL names: -1 is N, -1-k is S<k>). */
static const char* symbol_name(const char* const* names, int32_t num, int64_t k, char* buf, size_t size) {
  if (names != NULL && k < num && names[k] != NULL) return names[k];
  if (k == 0) return "N";
  snprintf(buf, size, "S%lld", (long long)k);
  return buf;
}

/* "[N,3,224,224]", "[T,N]": -1-k prints as symbol k's name. */
static const char* format_dims_sym(char* buf, size_t size, int32_t rank, const int64_t* dims,
                                   const char* const* names, int32_t num_names) {
  size_t len = 0;
  char sbuf[32];
  buf[len++] = '[';
  for (int32_t i = 0; i < rank && len + 48 < size; ++i) {
    if (dims[i] < 0)
      len += (size_t)snprintf(buf + len, size - len, "%s%.24s", i ? "," : "",
                              symbol_name(names, num_names, -1 - dims[i], sbuf, sizeof sbuf));
    else
      len += (size_t)snprintf(buf + len, size - len, "%s%lld", i ? "," : "", (long long)dims[i]);
  }
  snprintf(buf + len, size - len, "]");
  return buf;
}

static const char* format_dims(char* buf, size_t size, int32_t rank, const int64_t* dims) {
  return format_dims_sym(buf, size, rank, dims, NULL, 0);
}

static const char* format_dtype(char* buf, size_t size, kiln_dtype dtype) {
  if (kiln_rt_dtype_size(dtype) != 0) return kiln_rt_dtype_name(dtype);
  snprintf(buf, size, "unknown dtype %d", (int)dtype);
  return buf;
}

/* The checks common to inputs and outputs: dtype, rank, data, alignment. */
static kiln_status check_common(const char* kind, const char* name, const kiln_tensor* t, kiln_dtype dtype,
                                int32_t rank, const int64_t* declared_dims, const char* const* names,
                                int32_t num_names) {
  char want[256], got[256], tbuf[64];
  if (t == NULL) return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': the tensor descriptor is null", kind, name);
  if (t->dtype != dtype)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': expected dtype %s, got %s", kind, name,
                             kiln_rt_dtype_name(dtype), format_dtype(tbuf, sizeof tbuf, t->dtype));
  if (t->rank < 0 || t->rank > KILN_MAX_RANK)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': expected rank %d %s, got rank %d (out of range)", kind,
                             name, rank, format_dims_sym(want, sizeof want, rank, declared_dims, names, num_names), (int)t->rank);
  if (t->rank != rank)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': expected rank %d %s, got rank %d %s", kind, name, rank,
                             format_dims_sym(want, sizeof want, rank, declared_dims, names, num_names), (int)t->rank,
                             format_dims(got, sizeof got, t->rank, t->dims));
  if (t->data == NULL) return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': data is null", kind, name);
  size_t elem = kiln_rt_dtype_size(dtype);
  if ((uintptr_t)t->data % elem != 0)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': data %p is not aligned to its element size (%zu bytes)",
                             kind, name, t->data, elem);
  return KILN_OK;
}

static kiln_status check_capacity(const char* kind, const char* name, const kiln_tensor* t, kiln_dtype dtype,
                                  int32_t rank, const int64_t* dims) {
  char got[256];
  int ok = 0;
  size_t need = kiln_rt_tensor_bytes(dtype, rank, dims, &ok);
  if (!ok)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': shape %s %s is too large", kind, name,
                             format_dims(got, sizeof got, rank, dims), kiln_rt_dtype_name(dtype));
  if (t->capacity < need)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "%s '%s': capacity %zu bytes is less than the %zu bytes of %s %s",
                             kind, name, t->capacity, need, kiln_rt_dtype_name(dtype),
                             format_dims(got, sizeof got, rank, dims));
  return KILN_OK;
}

kiln_status kiln_rt_check_input_symbols(const char* name, const kiln_tensor* t, kiln_dtype dtype, int32_t rank,
                                        const int64_t* declared_dims, int32_t num_symbols,
                                        const char* const* symbol_names, const int64_t* symbol_max, int64_t* sizes,
                                        const char** bound_by) {
  char want[256], got[256], sbuf[32];
  if (name == NULL) name = "?";
  kiln_status s = check_common("input", name, t, dtype, rank, declared_dims, symbol_names, num_symbols);
  if (s != KILN_OK) return s;
  for (int32_t i = 0; i < rank; ++i) {
    int64_t d = t->dims[i];
    if (declared_dims[i] < 0) {
      int64_t k = -1 - declared_dims[i];
      if (k >= num_symbols || symbol_max == NULL)
        return kiln_rt_set_error(KILN_INTERNAL, "input '%s': dim %d refers to symbol %lld, the model has %d", name,
                                 (int)i, (long long)k, (int)num_symbols);
      const char* sym = symbol_name(symbol_names, num_symbols, k, sbuf, sizeof sbuf);
      int is_batch = k == 0 && strcmp(sym, "N") == 0;
      if (d < 1 || d > symbol_max[k]) {
        format_dims_sym(want, sizeof want, rank, declared_dims, symbol_names, num_symbols);
        format_dims(got, sizeof got, rank, t->dims);
        if (is_batch)
          return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                                   "input '%s': batch (dim %d) is %lld, must be in [1, %lld] (the compiled max batch); "
                                   "expected %s, got %s",
                                   name, (int)i, (long long)d, (long long)symbol_max[k], want, got);
        return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                                 "input '%s': %s (dim %d) is %lld, must be in [1, %lld] (the compiled max %s); "
                                 "expected %s, got %s",
                                 name, sym, (int)i, (long long)d, (long long)symbol_max[k], sym, want, got);
      }
      if (sizes != NULL && sizes[k] != 0 && sizes[k] != d) {
        if (is_batch && (bound_by == NULL || bound_by[k] == NULL))
          return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                                   "input '%s': batch (dim %d) is %lld but the inputs before it have batch %lld",
                                   name, (int)i, (long long)d, (long long)sizes[k]);
        if (is_batch)
          return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                                   "input '%s': batch (dim %d) is %lld but the inputs before it have batch %lld "
                                   "(bound by input '%s')",
                                   name, (int)i, (long long)d, (long long)sizes[k], bound_by[k]);
        return kiln_rt_set_error(KILN_INVALID_ARGUMENT,
                                 "input '%s': symbolic dim %s (dim %d) is %lld but input '%s' bound %s to %lld",
                                 name, sym, (int)i, (long long)d, bound_by && bound_by[k] ? bound_by[k] : "?", sym,
                                 (long long)sizes[k]);
      }
      if (sizes != NULL && sizes[k] == 0) {
        sizes[k] = d;
        if (bound_by != NULL) bound_by[k] = name;
      }
    } else if (d != declared_dims[i]) {
      return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "input '%s': dim %d is %lld, expected %lld (expected %s, got %s)",
                               name, (int)i, (long long)d, (long long)declared_dims[i],
                               format_dims_sym(want, sizeof want, rank, declared_dims, symbol_names, num_symbols),
                               format_dims(got, sizeof got, rank, t->dims));
    }
  }
  return check_capacity("input", name, t, dtype, rank, t->dims);
}

kiln_status kiln_rt_check_input(const char* name, const kiln_tensor* t, kiln_dtype dtype, int32_t rank,
                                const int64_t* declared_dims, int64_t max_batch, int64_t* batch) {
  static const char* const names[1] = {"N"};
  int64_t max[1] = {max_batch};
  int64_t size[1] = {batch != NULL ? *batch : 0};
  kiln_status s =
      kiln_rt_check_input_symbols(name, t, dtype, rank, declared_dims, 1, names, max, batch ? size : NULL, NULL);
  if (s == KILN_OK && batch != NULL) *batch = size[0];
  return s;
}

kiln_status kiln_rt_prepare_output(const char* name, kiln_tensor* t, kiln_dtype dtype, int32_t rank,
                                   const int64_t* dims) {
  if (name == NULL) name = "?";
  kiln_status s = check_common("output", name, t, dtype, rank, dims, NULL, 0);
  if (s != KILN_OK) return s;
  s = check_capacity("output", name, t, dtype, rank, dims);
  if (s != KILN_OK) return s;
  for (int32_t i = 0; i < KILN_MAX_RANK; ++i) t->dims[i] = i < rank ? dims[i] : 0;
  return KILN_OK;
}
