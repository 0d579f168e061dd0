/*
 * Morgana's bare-metal platform: the whole API the JS runtime (../xs/xs_host.c) uses.
 *
 * One core, no threads, no interrupts visible to the caller: interrupts only wake the core
 * from platform_yield. Times are nanoseconds. Errors: a call that can fail returns a
 * negative value; what the platform cannot recover from (a CPU fault, a broken invariant)
 * ends in PANIC, which prints a report on the console and exits with EXIT_CRASH.
 *
 * Board differences (QEMU's A10 `cubieboard` machine against a real A20 Cubieboard2) live
 * in board.h and behind intc.h; nothing in this header changes between boards.
 */
#ifndef MORGANA_PLATFORM_H
#define MORGANA_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes: what `morgana run` and the emulator report. */
#define EXIT_OK 0
#define EXIT_FAILED 1 /* the unikernel failed: start() rejected, a device was refused */
#define EXIT_ABORT 2  /* XS gave up: out of memory, stack overflow, unhandled exception */
#define EXIT_CRASH 3  /* the CPU faulted or the platform panicked */

/* Brings the board up: MMU and caches, console, interrupts, timers, RTC, entropy. */
void platform_init(void);

/* Writes bytes to the console (UART0), blocking until the UART has taken them all. */
void platform_console_write(const char *buf, size_t len);

/* Nanoseconds since boot from the SoC's 64-bit counter; never goes backwards. */
uint64_t platform_monotonic_ns(void);

/* Wall-clock milliseconds since the Unix epoch: the RTC at boot plus monotonic time since. */
int64_t platform_wall_ms(void);

/*
 * Sleeps (WFI) until the monotonic clock reaches `deadline_ns` or an interrupt arrives,
 * whichever is first. Returns at once if the deadline has passed. Callers loop.
 */
void platform_yield(uint64_t deadline_ns);

/*
 * Fills `buf` from a ChaCha20 generator keyed by the seed the loader placed in memory,
 * mixed with timer jitter. Returns -1 (and fills nothing) when no seed was placed: a
 * unikernel must never use an unseeded generator.
 */
int platform_random_fill(uint8_t *buf, size_t len);

/*
 * The network interface (the EMAC): Ethernet frames without preamble or FCS.
 * platform_net_init brings it up with `mac` (or, on a board, the MAC U-Boot programmed,
 * which it copies back into `mac`). platform_net_receive copies the next frame into `buf`
 * and returns its length, 0 when none is waiting, -1 for a frame dropped (bad or too big).
 * platform_net_transmit returns 0 once the frame is taken, -1 when the transmitter is busy.
 * platform_net_events returns (and clears) whether the EMAC interrupted since the last call.
 */
void platform_net_init(uint8_t mac[6]);
int platform_net_link(void);
int platform_net_receive(uint8_t *buf, size_t cap);
int platform_net_transmit(const uint8_t *buf, size_t len);
int platform_net_events(void);

/* Flushes the console and ends: QEMU exits with `code` (semihosting); a board halts. */
void platform_exit(int code) __attribute__((noreturn));

/* Prints "PANIC file:line: message" and exits with EXIT_CRASH. */
void platform_panic(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
#define PANIC(...) platform_panic(__FILE__, __LINE__, __VA_ARGS__)

/* printf to the console, for reports; not for hot paths. */
void platform_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bytes malloc may grow to (the image's memory option), for reports. */
size_t platform_heap_size(void);
/* The lowest address of the main stack: XS checks its recursion against it. */
char *platform_stack_limit(void);

/* The unikernel: the JS runtime's entry, called after platform_init; returns an exit code. */
int runtime_main(void);

#endif
