/*
 * platform.h on Linux: the board's JS runtime (xs_host.c, the same event loop and host
 * functions) as a host process, so the stack's tests run under XS in seconds, without QEMU.
 * An XS incompatibility then shows up here first. No network: the net calls report no link.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

static char *stack_base;
static int seeded = 1;

void platform_console_write(const char *buf, size_t len) {
  fwrite(buf, 1, len, stdout);
}

void platform_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
}

uint64_t platform_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t platform_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void platform_yield(uint64_t deadline_ns) {
  uint64_t now = platform_monotonic_ns();
  if (deadline_ns <= now) return;
  uint64_t ns = deadline_ns - now;
  if (ns > 1000000000u) ns = 1000000000u;
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  nanosleep(&ts, NULL);
}

int platform_random_fill(uint8_t *buf, size_t len) {
  if (!seeded) return -1;
  while (len > 0) {
    ssize_t n = getrandom(buf, len, 0);
    if (n <= 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

void platform_exit(int code) {
  fflush(stdout);
  exit(code);
}

void platform_panic(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stdout, "\nPANIC %s:%d: ", file, line);
  vfprintf(stdout, fmt, ap);
  fprintf(stdout, "\n");
  va_end(ap);
  platform_exit(EXIT_CRASH);
}

size_t platform_heap_size(void) {
  return 0; /* the host's malloc: no fixed heap */
}

/* The main thread's stack: its base (taken in main) minus the soft limit, less a margin. */
char *platform_stack_limit(void) {
  struct rlimit rl;
  size_t size = 8u << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) size = rl.rlim_cur;
  return stack_base - size + (256u << 10);
}

void platform_net_init(uint8_t mac[6]) {
  (void)mac;
}
int platform_net_link(void) {
  return 0;
}
int platform_net_receive(uint8_t *buf, size_t cap) {
  (void)buf, (void)cap;
  return 0;
}
int platform_net_transmit(const uint8_t *buf, size_t len) {
  (void)buf, (void)len;
  return -1;
}
int platform_net_events(void) {
  return 0;
}

int main(void) {
  char here;
  stack_base = &here;
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  if (getenv("MORGANA_UNSEEDED")) seeded = 0;
  platform_exit(runtime_main());
}
