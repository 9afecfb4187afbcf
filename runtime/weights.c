/* External weights: map NAME.weights read-only and verify its size and FNV-1a 64 checksum. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiln/runtime.h"

uint64_t kiln_rt_checksum(const void* data, size_t bytes, uint64_t seed) {
  const unsigned char* p = (const unsigned char*)data;
  uint64_t h = seed;
  for (size_t i = 0; i < bytes; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

kiln_status kiln_rt_map_weights(const char* path, uint64_t expected_size, uint64_t expected_checksum,
                                const void** data, void** mapping, size_t* mapping_size) {
  if (data == NULL || mapping == NULL || mapping_size == NULL)
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "kiln_rt_map_weights: null output pointer");
  *data = NULL;
  *mapping = NULL;
  *mapping_size = 0;
  if (path == NULL || path[0] == '\0')
    return kiln_rt_set_error(KILN_INVALID_ARGUMENT, "no weights file given (weights_path is null or empty)");

  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kiln_rt_set_error(KILN_IO_ERROR, "cannot open weights file '%s': %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return kiln_rt_set_error(KILN_IO_ERROR, "cannot stat weights file '%s': %s", path, strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return kiln_rt_set_error(KILN_IO_ERROR, "weights file '%s' is not a regular file", path);
  }
  if ((uint64_t)st.st_size != expected_size) {
    close(fd);
    return kiln_rt_set_error(KILN_IO_ERROR, "weights file '%s' has %llu bytes, expected %llu (%s)", path,
                             (unsigned long long)st.st_size, (unsigned long long)expected_size,
                             (uint64_t)st.st_size < expected_size ? "truncated" : "too long");
  }
  if (expected_size == 0) {
    close(fd);
    if (expected_checksum != KILN_CHECKSUM_SEED)
      return kiln_rt_set_error(KILN_IO_ERROR, "weights file '%s' is empty but its checksum should be 0x%016llx",
                               path, (unsigned long long)expected_checksum);
    return KILN_OK;
  }
  if ((uint64_t)(size_t)expected_size != expected_size) {
    close(fd);
    return kiln_rt_set_error(KILN_IO_ERROR, "weights file '%s' is too large to map", path);
  }
  void* m = mmap(NULL, (size_t)expected_size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (m == MAP_FAILED)
    return kiln_rt_set_error(KILN_IO_ERROR, "cannot map weights file '%s': %s", path, strerror(err));
  uint64_t sum = kiln_rt_checksum(m, (size_t)expected_size, KILN_CHECKSUM_SEED);
  if (sum != expected_checksum) {
    munmap(m, (size_t)expected_size);
    return kiln_rt_set_error(KILN_IO_ERROR,
                             "weights file '%s' is corrupted: checksum 0x%016llx, expected 0x%016llx "
                             "(not the file this artifact was compiled with?)",
                             path, (unsigned long long)sum, (unsigned long long)expected_checksum);
  }
  *data = m; /* page aligned, so 64-byte aligned */
  *mapping = m;
  *mapping_size = (size_t)expected_size;
  return KILN_OK;
}

void kiln_rt_unmap_weights(void* mapping, size_t mapping_size) {
  if (mapping != NULL && mapping_size != 0) munmap(mapping, mapping_size);
}
