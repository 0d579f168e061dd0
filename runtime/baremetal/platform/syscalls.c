/*
 * What newlib asks of an OS: memory for malloc, a place for printf's bytes, the time.
 * Files do not exist on the board: every other call fails cleanly.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "platform.h"

#undef errno
extern int errno;

/* Linker symbols (link.ld). */
extern char __heap_start[], __heap_end[], __stack_limit[];

size_t platform_heap_size(void) {
  return (size_t)(__heap_end - __heap_start);
}

char *platform_stack_limit(void) {
  return __stack_limit;
}

/* The heap grows up from the end of the stacks to __heap_end; past it malloc returns NULL. */
void *_sbrk(ptrdiff_t incr) {
  static char *brk = __heap_start;
  if (incr > __heap_end - brk || incr < __heap_start - brk) {
    errno = ENOMEM;
    return (void *)-1;
  }
  char *old = brk;
  brk += incr;
  return old;
}

int _write(int fd, const char *buf, int len) {
  (void)fd;
  platform_console_write(buf, (size_t)len);
  return len;
}

int _read(int fd, char *buf, int len) {
  (void)fd, (void)buf, (void)len;
  return 0;
}

int _open(const char *path, int flags, int mode) {
  (void)path, (void)flags, (void)mode;
  errno = ENOENT;
  return -1;
}

int _close(int fd) {
  (void)fd;
  return -1;
}

int _lseek(int fd, int off, int whence) {
  (void)fd, (void)off, (void)whence;
  return 0;
}

int _fstat(int fd, struct stat *st) {
  (void)fd;
  st->st_mode = S_IFCHR;
  return 0;
}

int _isatty(int fd) {
  (void)fd;
  return 1;
}

int _getpid(void) {
  return 1;
}

int _kill(int pid, int sig) {
  (void)pid, (void)sig;
  errno = EINVAL;
  return -1;
}

void _exit(int code) {
  platform_exit(code);
}

int _gettimeofday(struct timeval *tv, void *tz) {
  (void)tz;
  int64_t ms = platform_wall_ms();
  tv->tv_sec = (time_t)(ms / 1000);
  tv->tv_usec = (suseconds_t)((ms % 1000) * 1000);
  return 0;
}
