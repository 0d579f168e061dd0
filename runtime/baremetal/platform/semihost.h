/*
 * Host files through ARM semihosting (QEMU's -semihosting-config enable=on,target=native):
 * the image build's snapshot boot writes the XS heap snapshot to a file on the machine that
 * runs QEMU. Paths are the host's, relative to QEMU's working directory. Only an emulator
 * (or a debugger) answers these calls: on a board without one they fault.
 */
#ifndef MORGANA_SEMIHOST_H
#define MORGANA_SEMIHOST_H

#include <stddef.h>

/* Opens (creates, truncates) a host file for writing; a handle, or -1. */
int semihost_open_write(const char *path);

/* Writes all `len` bytes; 0 on success, -1 if the host took fewer. */
int semihost_write(int handle, const void *data, size_t len);

/* Closes the handle; 0 on success, -1 on failure. */
int semihost_close(int handle);

#endif
