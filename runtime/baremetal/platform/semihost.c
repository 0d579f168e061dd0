/*
 * ARM semihosting file calls (the "Semihosting for AArch32 and AArch64" specification):
 * SVC 0x123456 in ARM state, the operation in r0, a parameter block's address in r1, the
 * result in r0. platform_exit (main.c) uses the same trap for SYS_EXIT.
 */
#include "semihost.h"

#include <stdint.h>
#include <string.h>

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE 0x05
#define OPEN_MODE_WB 5 /* fopen's "wb" */

static int32_t semihost_call(uint32_t op, const uint32_t *block) {
  register uint32_t r0 __asm__("r0") = op;
  register uint32_t r1 __asm__("r1") = (uint32_t)block;
  __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory", "lr");
  return (int32_t)r0;
}

int semihost_open_write(const char *path) {
  uint32_t block[3] = {(uint32_t)path, OPEN_MODE_WB, (uint32_t)strlen(path)};
  int32_t handle = semihost_call(SYS_OPEN, block);
  return handle < 0 ? -1 : (int)handle;
}

int semihost_write(int handle, const void *data, size_t len) {
  uint32_t block[3] = {(uint32_t)handle, (uint32_t)data, (uint32_t)len};
  /* SYS_WRITE returns how many bytes it did NOT write. */
  return semihost_call(SYS_WRITE, block) == 0 ? 0 : -1;
}

int semihost_close(int handle) {
  uint32_t block[1] = {(uint32_t)handle};
  return semihost_call(SYS_CLOSE, block) == 0 ? 0 : -1;
}
