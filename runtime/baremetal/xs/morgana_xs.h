/*
 * XS platform header for Morgana's bare-metal runtime (passed to XS as
 * -DINCLUDE_XSPLATFORM -DXSPLATFORM="morgana_xs.h").
 *
 * It tells XS what it runs on: newlib's C library, one core, no threads, no files.
 * The defaults kept (mxUseDefault...) are XS's own portable implementations; the ones
 * left out are provided by xs_host.c: the promise-job queue (our event loop runs the
 * jobs), the abort hook (a readable report instead of exit()), and the C-stack limit
 * (XS leaves it unset on unknown platforms, so deep recursion would run off the stack).
 *
 * This header is compiled into the cached XS objects: changing it rebuilds XS.
 */
#ifndef MORGANA_XS_H
#define MORGANA_XS_H

#include <ctype.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* xs_host.c gives XS the linker's stack limit (XS's default knows only hosted OSes). */
#define mxUseDefaultCStackLimit 0

#define mxUseDefaultBuildKeys 1
#define mxUseDefaultChunkAllocation 1
#define mxUseDefaultSlotAllocation 1
#define mxUseDefaultFindModule 1
#define mxUseDefaultLoadModule 1
#define mxUseDefaultSharedChunks 1
#define mxUseDefaultMachinePlatform 1

#ifdef mxDebug
/*
 * --debug images (xs_host.c, "The debugger"): the xsbug connection is UART0 with XS's serial
 * framing, so xs_host.c provides fxConnect, fxSend, fxReceive and the rest. It also parses
 * scripts itself, to give the bundle a stable path for breakpoints and to skip XS's habit of
 * sending every script's whole source to the debugger. Exceptions and reports go to the
 * debugger only (its log), not to the console: XS reports every throw, caught ones too.
 */
#define mxUseDefaultDebug 0
#define mxUseDefaultParseScript 0
#define mxNoConsole 1
#else
#define mxUseDefaultDebug 1
#define mxUseDefaultParseScript 1
#endif

/* Module paths are never files here; XS only needs the constants to exist. */
#define C_PATH_MAX 256

/*
 * Per-machine fields: `promiseJobs` is set by fxQueuePromiseJobs and cleared by the event
 * loop; the waiter fields are what XS's single-threaded Atomics.wait needs.
 */
#define mxMachinePlatform \
  int promiseJobs;        \
  void *waiterCondition;  \
  void *waiterData;       \
  void *waiterLink;

#endif
