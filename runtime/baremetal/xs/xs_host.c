/*
 * The JS runtime on the board: one XS machine, the host functions behind the board's
 * devices (global `__morganaBoard`, typed in ../src/host.ts), and the event loop.
 *
 * The loop: run promise jobs until none are left; ask JS for due timers
 * (`__morganaTick`, which returns the next deadline in ns or -1); sleep in WFI until that
 * deadline or an interrupt. It ends when JS calls `__morganaBoard.exit(code)`.
 */
#include "xsAll.h"
#include "xs.h"
#include "platform.h"
#include "xs_crypto.h"

/* The app bundle and the kv_ro data, linked in by the image build (image.S). */
extern const char morgana_bundle[], morgana_bundle_end[];
extern const uint8_t morgana_kv[], morgana_kv_end[];

/* Margin kept below XS's C-stack check, for host calls and reports that run past it. */
#define STACK_MARGIN (64 * 1024)

static int exit_requested;
static int exit_code;
/* Set once JS opens the network: the EMAC's interrupt can then wake an idle loop. */
static int net_open;

/* The largest frame we accept: 14 bytes of header, 1500 of payload, a VLAN tag's 4. */
#define FRAME_MAX 1518

/* The machine, for reports made outside XS (a CPU fault, XS's own abort). */
static txMachine *running;

/*
 * The JS call stack, innermost first, from XS's frames: the function names (and, in a --debug
 * image, whose XS keeps them, the bundle's path and line). Best effort: it runs after a fault.
 */
static void print_js_stack(txMachine *the) {
  txSlot *frame = the->frame;
  int shown = 0;
  platform_printf("JS stack (innermost first):\n");
  while (frame && frame->next && shown < 32) {
    txSlot *function = frame + 3; /* a frame's function slot, as XS's own error stacks read it */
    if (function->kind == XS_REFERENCE_KIND && mxIsFunction(function->value.reference)) {
      txSlot *name =
          mxBehaviorGetProperty(the, function->value.reference, mxID(_name), 0, XS_OWN);
      const char *text = "";
      if (name && (name->kind == XS_STRING_KIND || name->kind == XS_STRING_X_KIND))
        text = name->value.string;
      if (!*text) text = "(anonymous)";
#ifdef mxDebug
      /* A --debug image keeps where each frame is: the bundle's path and line. */
      txSlot *environment = mxFrameToEnvironment(frame);
      if (environment->ID != XS_NO_ID)
        platform_printf("  at %s (%s:%d)\n", text, fxGetKeyName(the, environment->ID),
                        (int)environment->value.environment.line);
      else
#endif
        platform_printf("  at %s\n", text);
      shown++;
    }
    frame = frame->next;
  }
  if (shown == 0) platform_printf("  (no JS function running)\n");
}

/* Called by the platform's crash report (platform/main.c). */
void runtime_crash_report(void) {
  if (running) print_js_stack(running);
}

void fxQueuePromiseJobs(txMachine *the) {
  the->promiseJobs = 1;
}

char *fxCStackLimit(void) {
  return platform_stack_limit() + STACK_MARGIN;
}

void fxAbort(txMachine *the, int status) {
  const char *why = "unknown reason";
  switch (status) {
  case XS_STACK_OVERFLOW_EXIT: why = "JavaScript stack overflow"; break;
  case XS_NOT_ENOUGH_MEMORY_EXIT: why = "out of memory"; break;
  case XS_NO_MORE_KEYS_EXIT: why = "too many property names"; break;
  case XS_UNHANDLED_EXCEPTION_EXIT: why = "unhandled exception"; break;
  case XS_UNHANDLED_REJECTION_EXIT: why = "unhandled promise rejection"; break;
  case XS_TOO_MUCH_COMPUTATION_EXIT: why = "too much computation"; break;
  case XS_DEBUGGER_EXIT: why = "the debugger aborted it"; break;
  default: break;
  }
  platform_printf("\nXS ABORT: %s (heap %lu MiB)\n", why,
                  (unsigned long)(platform_heap_size() >> 20));
  print_js_stack(the);
  platform_exit(EXIT_ABORT);
}

#ifdef mxDebug
/*
 * The debugger (--debug images): XS's xsbug protocol over UART0, which the console shares.
 * The framing is XS's own for serial lines (Moddable's serial2xsbug speaks it): each message
 * XS sends goes out as `\r\n<?xs.ID?>` followed by the message (`\r\n<xsbug>...</xsbug>\r\n`),
 * ID being the machine's address in 8 hex digits, and `\r\n<?xs-ID?>\r\n` says the machine
 * is gone. The host sends each command as `\r\n<?xs.ID?>\r\n<command .../>\r\n`: what follows
 * the prefix, up to the first `>\r\n`, goes to XS's parser; every other byte on the line
 * (nothing types into the console yet) is dropped. The emulator splits the two directions
 * from the console and serves them on a local TCP port with xsbug's TCP framing
 * (emulator/src/xsbug.ts).
 *
 * XS logs in when the machine is created and then waits for the debugger's first commands
 * (its breakpoints, then `go`): a --debug image starts only once the host side lets it.
 * While JS runs, XS polls for commands at every line (fxIsReadable: a look at the receive
 * ring, no device access); while the loop idles in WFI, the UART's interrupt wakes it and
 * the loop hands the commands to XS.
 */
#include "uart.h"
#include "xsScript.h"

/* The bundle's file name (e.g. hello.js), placed beside the bundle by the image build. */
extern const char morgana_bundle_name[];
#ifdef mxSnapshot
extern const uint8_t morgana_snapshot_mode;
#endif

static int debug_connected;
/* Inside a message XS sends in several pieces (fxSend with `more`): no prefix before the next. */
static int debug_mid_message;
/* While the bundle is parsed: the path XS records for it (breakpoints name this path). */
static const char *debug_script_path;

/* Commands for XS, already stripped of the serial prefix. */
static uint8_t debug_in[1024];
static size_t debug_in_used;

/* The receive filter's state: where it is in `\r\n<?xs.` + 8 hex digits + `?>`, or in a command. */
static const char debug_prefix[] = "\r\n<?xs.";
#define PREFIX_LEN 7
enum { DEBUG_SCAN, DEBUG_ID, DEBUG_PI_QUESTION, DEBUG_PI_END, DEBUG_COMMAND };
static int debug_state = DEBUG_SCAN;
static int debug_matched; /* bytes of debug_prefix matched, or hex digits seen */
static uint32_t debug_tail; /* the command's last bytes, to see `>\r\n` */

/* build/qemu.ts tells a --debug image by this format string: keep the two in step. */
static void debug_write_prefix(txMachine *the, char kind, int crlf) {
  char pi[24];
  int n = snprintf(pi, sizeof pi, "\r\n<?xs%c%08lX?>%s", kind, (unsigned long)(uintptr_t)the,
                   crlf ? "\r\n" : "");
  uart_write_raw(pi, (size_t)n);
}

/* Runs received bytes through the filter into debug_in; stops when debug_in is full. */
static void debug_pump(void) {
  uint8_t chunk[64];
  while (debug_in_used < sizeof debug_in && uart_readable()) {
    size_t room = sizeof debug_in - debug_in_used;
    size_t n = uart_read(chunk, room < sizeof chunk ? room : sizeof chunk);
    for (size_t i = 0; i < n; i++) {
      uint8_t c = chunk[i];
      switch (debug_state) {
      case DEBUG_SCAN:
        if (c == (uint8_t)debug_prefix[debug_matched]) {
          if (++debug_matched == PREFIX_LEN) {
            debug_state = DEBUG_ID;
            debug_matched = 0;
          }
        } else {
          debug_matched = c == '\r' ? 1 : 0;
        }
        break;
      case DEBUG_ID:
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
          if (++debug_matched == 8) debug_state = DEBUG_PI_QUESTION;
        } else {
          debug_state = DEBUG_SCAN;
          debug_matched = c == '\r' ? 1 : 0;
        }
        break;
      case DEBUG_PI_QUESTION:
        debug_state = c == '?' ? DEBUG_PI_END : DEBUG_SCAN;
        debug_matched = c == '\r' ? 1 : 0;
        break;
      case DEBUG_PI_END:
        if (c == '>') {
          debug_state = DEBUG_COMMAND;
          debug_tail = 0;
        } else {
          debug_state = DEBUG_SCAN;
          debug_matched = c == '\r' ? 1 : 0;
        }
        break;
      case DEBUG_COMMAND:
        debug_in[debug_in_used++] = c;
        debug_tail = (debug_tail << 8 | c) & 0xffffff;
        if (debug_tail == ('>' << 16 | '\r' << 8 | '\n')) {
          debug_state = DEBUG_SCAN;
          debug_matched = 0;
        }
        break;
      }
    }
  }
}

void fxConnect(txMachine *the) {
  (void)the;
#ifdef mxSnapshot
  /* The build's snapshot boot has no debugger to wait for. */
  if (morgana_snapshot_mode == 1) return;
#endif
  uart_rx_open();
  debug_connected = 1;
}

void fxDisconnect(txMachine *the) {
  if (!debug_connected) return;
  debug_write_prefix(the, '-', 1);
  debug_connected = 0;
}

txBoolean fxIsConnected(txMachine *the) {
  (void)the;
  return debug_connected;
}

/* At every line XS runs: keep it cheap when nothing arrived. */
txBoolean fxIsReadable(txMachine *the) {
  (void)the;
  if (debug_in_used == 0 && !uart_readable()) return 0;
  debug_pump();
  return debug_in_used > 0;
}

/* Hands XS what has arrived, waiting (WFI) for the host when nothing has. */
void fxReceive(txMachine *the) {
  while (debug_connected) {
    debug_pump();
    if (debug_in_used > 0) {
      size_t n = debug_in_used < sizeof the->debugBuffer ? debug_in_used : sizeof the->debugBuffer;
      c_memcpy(the->debugBuffer, debug_in, n);
      c_memmove(debug_in, debug_in + n, debug_in_used - n);
      debug_in_used -= n;
      the->debugOffset = (txSize)n;
      return;
    }
    uart_wait();
  }
}

void fxSend(txMachine *the, txBoolean more) {
  if (!debug_connected) return;
  if (!debug_mid_message) debug_write_prefix(the, '.', 0);
  uart_write_raw(the->echoBuffer, (size_t)the->echoOffset);
  debug_mid_message = (more & 1) != 0;
}

/*
 * Scripts, parsed as XS's default does, but the bundle gets its file name as its path
 * (unless it names itself with `//# sourceURL=`), and no script's source is sent to the
 * debugger (XS would send the whole bundle over the serial line at every boot).
 */
txScript *fxParseScript(txMachine *the, void *stream, txGetter getter, txUnsigned flags) {
  txParser parser_record;
  txParser *parser = &parser_record;
  txParserJump jump;
  txScript *volatile script = C_NULL; /* set between setjmp and a parser error's longjmp */
  fxInitializeParser(parser, the, the->parserBufferSize, the->parserTableModulo);
  parser->firstJump = &jump;
  if (c_setjmp(jump.jmp_buf) == 0) {
    fxParserTree(parser, stream, getter, flags, C_NULL);
    parser->flags |= mxDebugFlag;
    if (!parser->source) {
      char tag[16];
      const char *path = debug_script_path;
      if (!path) {
        fxGenerateTag(the, tag, sizeof tag, C_NULL);
        path = tag;
      }
      parser->source = fxNewParserSymbol(parser, (txString)path);
    }
    fxParserHoist(parser);
    fxParserBind(parser);
    script = fxParserCode(parser);
  }
  fxTerminateParser(parser);
  return script;
}

/* From the idle loop: commands that arrived while no JS ran. Returns whether there were any. */
static int debug_idle(txMachine *the) {
  if (!fxIsReadable(the)) return 0;
  fxDebugCommand(the);
  return 1;
}
#endif

/* write(text) or write(buffer, offset, length): to the console, synchronously. */
static void host_write(txMachine *the) {
  if (xsToInteger(xsArgc) < 3) {
    txString s = xsToString(xsArg(0));
    platform_console_write(s, c_strlen(s));
    return;
  }
  /* Integers first: converting them may run JS and move the buffer's data. */
  txInteger offset = xsToInteger(xsArg(1));
  txInteger length = xsToInteger(xsArg(2));
  txInteger size = xsGetArrayBufferLength(xsArg(0));
  if (offset < 0 || length < 0 || offset > size || length > size - offset)
    xsRangeError("write: range outside the buffer");
  const char *data = xsToArrayBuffer(xsArg(0));
  platform_console_write(data + offset, (size_t)length);
}

/* monotonic(buffer): stores the monotonic time in ns as a little-endian u64 (exact, no float). */
static void host_monotonic(txMachine *the) {
  if (xsGetArrayBufferLength(xsArg(0)) < 8) xsRangeError("monotonic: buffer too small");
  uint64_t ns = platform_monotonic_ns();
  c_memcpy(xsToArrayBuffer(xsArg(0)), &ns, 8);
}

static void host_wall_ms(txMachine *the) {
  xsResult = xsNumber((txNumber)platform_wall_ms());
}

/* randomFill(buffer, offset, length): false when the board has no seed. */
static void host_random_fill(txMachine *the) {
  txInteger offset = xsToInteger(xsArg(1));
  txInteger length = xsToInteger(xsArg(2));
  txInteger size = xsGetArrayBufferLength(xsArg(0));
  if (offset < 0 || length < 0 || offset > size || length > size - offset)
    xsRangeError("randomFill: range outside the buffer");
  uint8_t *data = xsToArrayBuffer(xsArg(0));
  xsResult = xsBoolean(platform_random_fill(data + offset, (size_t)length) == 0);
}

static void host_exit(txMachine *the) {
  exit_code = xsToInteger(xsArg(0));
  exit_requested = 1;
}

/*
 * kv_ro: the packed folder is "MGKV", a little-endian u32 index length, the index (JSON),
 * then the values. kvIndex() returns the index text; kvRead(offset, length) a copy of the
 * bytes at `offset` in the value area.
 */
static uint32_t kv_index_length(void) {
  size_t size = (size_t)(morgana_kv_end - morgana_kv);
  if (size < 8 || c_memcmp(morgana_kv, "MGKV", 4) != 0) return 0;
  uint32_t n = (uint32_t)morgana_kv[4] | (uint32_t)morgana_kv[5] << 8 |
               (uint32_t)morgana_kv[6] << 16 | (uint32_t)morgana_kv[7] << 24;
  return n <= size - 8 ? n : 0;
}

static void host_kv_index(txMachine *the) {
  uint32_t n = kv_index_length();
  if (n == 0) {
    xsResult = xsString("{\"files\":[]}");
    return;
  }
  xsResult = xsStringBuffer((txString)(morgana_kv + 8), (txInteger)n);
}

static void host_kv_read(txMachine *the) {
  txInteger offset = xsToInteger(xsArg(0));
  txInteger length = xsToInteger(xsArg(1));
  size_t base = 8 + kv_index_length();
  size_t size = (size_t)(morgana_kv_end - morgana_kv);
  if (offset < 0 || length < 0 || base + (size_t)offset + (size_t)length > size)
    xsRangeError("kvRead: range outside the store");
  xsResult = xsArrayBuffer((void *)(morgana_kv + base + offset), length);
}

/* netOpen(mac): brings the EMAC up; `mac` (6 bytes) in, the MAC in use out. */
static void host_net_open(txMachine *the) {
  if (xsGetArrayBufferLength(xsArg(0)) < 6) xsRangeError("netOpen: the MAC takes 6 bytes");
  uint8_t mac[6];
  c_memcpy(mac, xsToArrayBuffer(xsArg(0)), 6);
  platform_net_init(mac);
  c_memcpy(xsToArrayBuffer(xsArg(0)), mac, 6);
  net_open = 1;
}

static void host_net_link(txMachine *the) {
  xsResult = xsBoolean(platform_net_link() != 0);
}

/* netReceive(): the next frame as an ArrayBuffer, or null when none is waiting. */
static void host_net_receive(txMachine *the) {
  static uint8_t frame[FRAME_MAX];
  for (;;) {
    int n = platform_net_receive(frame, sizeof frame);
    if (n == 0) {
      xsResult = xsNull;
      return;
    }
    if (n > 0) {
      xsResult = xsArrayBuffer(frame, n);
      return;
    }
    /* A dropped frame (bad status, oversized): try the next one. */
  }
}

/* netTransmit(buffer, offset, length): false when the transmitter is busy. */
static void host_net_transmit(txMachine *the) {
  txInteger offset = xsToInteger(xsArg(1));
  txInteger length = xsToInteger(xsArg(2));
  txInteger size = xsGetArrayBufferLength(xsArg(0));
  if (offset < 0 || length < 0 || offset > size || length > size - offset || length > FRAME_MAX)
    xsRangeError("netTransmit: range outside the buffer or frame too long");
  const uint8_t *data = xsToArrayBuffer(xsArg(0));
  xsResult = xsBoolean(platform_net_transmit(data + offset, (size_t)length) == 0);
}

static void host_net_events(txMachine *the) {
  xsResult = xsBoolean(platform_net_events() != 0);
}

/*
 * The host functions, in one table: install_board installs them, and a heap snapshot lists
 * them (by index) so that a restored machine binds them again. A host function installed
 * any other way would not survive a snapshot: add it here.
 */
static const struct {
  const char *name;
  txCallback fn;
  int length;
} board_functions[] = {
    {"write", host_write, 3},      {"monotonic", host_monotonic, 1},
    {"wallMs", host_wall_ms, 0},   {"randomFill", host_random_fill, 3},
    {"exit", host_exit, 1},        {"kvIndex", host_kv_index, 0},
    {"kvRead", host_kv_read, 2},   {"netOpen", host_net_open, 1},
    {"netLink", host_net_link, 0}, {"netReceive", host_net_receive, 0},
    {"netTransmit", host_net_transmit, 3}, {"netEvents", host_net_events, 0},
    CRYPTO_FUNCTIONS, /* xs_crypto.c: the hot primitives in C (BearSSL) */
};
#define BOARD_FUNCTION_COUNT (sizeof board_functions / sizeof board_functions[0])

static void install_board(txMachine *the) {
  xsBeginHost(the);
  xsVars(2);
  xsVar(0) = xsNewObject();
  for (unsigned i = 0; i < BOARD_FUNCTION_COUNT; i++) {
    xsVar(1) = xsNewHostFunction(board_functions[i].fn, board_functions[i].length);
    xsSet(xsVar(0), xsID(board_functions[i].name), xsVar(1));
  }
  xsSet(xsGlobal, xsID("__morganaBoard"), xsVar(0));
  xsEndHost(the);
}

/* Prints a JS exception that reached C: its message and, when XS keeps one, its stack. */
static void report_exception(txMachine *the, const char *where) {
  xsVars(1);
  xsVar(0) = xsException;
  xsTry {
    platform_printf("\nJS EXCEPTION in %s: %s\n", where, xsToString(xsVar(0)));
    if (xsIsInstanceOf(xsVar(0), xsErrorPrototype) && xsHas(xsVar(0), xsID("stack"))) {
      platform_printf("%s\n", xsToString(xsGet(xsVar(0), xsID("stack"))));
    }
  }
  xsCatch {
    platform_printf("\nJS EXCEPTION in %s (not printable)\n", where);
  }
}

static int run_bundle(txMachine *the) {
  int ok = 1;
  xsBeginHost(the);
  xsTry {
    txStringCStream stream;
    stream.buffer = (txString)morgana_bundle;
    stream.offset = 0;
    stream.size = (txSize)(morgana_bundle_end - morgana_bundle);
    txSlot *realm = mxProgram.value.reference->next->value.module.realm;
#ifdef mxDebug
    debug_script_path = morgana_bundle_name;
#endif
    txScript *script = fxParseScript(the, &stream, fxStringCGetter, mxProgramFlag);
#ifdef mxDebug
    debug_script_path = C_NULL;
#endif
    fxRunScript(the, script, mxRealmGlobal(realm), C_NULL, mxRealmClosures(realm)->value.reference,
                C_NULL, mxProgram.value.reference);
  }
  xsCatch {
    report_exception(the, "the bundle's top level");
    ok = 0;
  }
  xsEndHost(the);
  return ok;
}

static void run_jobs(txMachine *the) {
  while (the->promiseJobs) {
    the->promiseJobs = 0;
    xsBeginHost(the);
    fxRunPromiseJobs(the);
    xsEndHost(the);
  }
}

/* Fires due timers in JS; returns the next deadline (ns), or a negative number for none. */
static double tick(txMachine *the) {
  double next = -1;
  xsBeginHost(the);
  xsTry {
    next = xsToNumber(xsCall0(xsGlobal, xsID("__morganaTick")));
  }
  xsCatch {
    report_exception(the, "a timer");
    exit_code = EXIT_FAILED;
    exit_requested = 1;
  }
  xsEndHost(the);
  return next;
}

/* Runs the unikernel: promise jobs, timers and WFI until JS asks to exit. */
static int event_loop(txMachine *the) {
  for (;;) {
    run_jobs(the);
    if (exit_requested) break;
    double next = tick(the);
    if (exit_requested) break;
    /* Timers that fired queued jobs, which may set new timers: run them, then ask again. */
    if (the->promiseJobs) continue;
    if (next < 0 && !net_open) {
      platform_printf("\nthe unikernel is waiting, but no timer or device can wake it\n");
      return EXIT_FAILED;
    }
#ifdef mxDebug
    /* The debugger's commands that came while JS was idle (breakpoints set, a pause). */
    if (debug_idle(the)) continue;
#endif
    /* No timer: sleep until a device interrupts (the wake-up timer re-arms every ~3 min). */
    platform_yield(next < 0 ? UINT64_MAX : (uint64_t)next);
  }
  return exit_code;
}

static txMachine *create_machine(void) {
  xsCreation creation = {
      .initialChunkSize = 1024 * 1024,
      .incrementalChunkSize = 1024 * 1024,
      .initialHeapCount = 64 * 1024,
      .incrementalHeapCount = 32 * 1024,
      .stackCount = 16 * 1024,
      .initialKeyCount = 8 * 1024,
      .incrementalKeyCount = 1024,
      .nameModulo = 1993,
      .symbolModulo = 127,
      .parserBufferSize = 256 * 1024,
      .parserTableModulo = 1993,
      .staticSize = 0,
  };
  txMachine *the = xsCreateMachine(&creation, "morgana", C_NULL);
  if (!the) PANIC("cannot create the XS machine");
  running = the;
  install_board(the);
  return the;
}

#ifdef mxSnapshot
/*
 * Heap snapshots (`morgana build --snapshot`, build/snapshot.ts). The build boots the image
 * once in QEMU with morgana_snapshot_mode = SNAPSHOT_TAKE: XS evaluates the bundle (every
 * module's top level), boot() leaves starting the devices to `__morganaResume`, and the
 * heap goes to a host file through semihosting. The build then links a second image with
 * that snapshot embedded and no bundle: it restores the heap (no parsing, no evaluation)
 * and calls `__morganaResume`, which builds the devices. That boot has no seed, so nothing
 * random can be drawn before the snapshot; the generator (platform/entropy.c) lives
 * outside the XS heap and is keyed afresh at every boot.
 */
#include <errno.h>

#include "semihost.h"
#include "unpack.h"
#include "xsSnapshot.h"

extern const uint8_t morgana_snapshot[], morgana_snapshot_end[];
extern const uint8_t morgana_snapshot_mode;
#define SNAPSHOT_TAKE 1
/* Where the snapshot boot writes: relative to QEMU's working directory (build/snapshot.ts). */
#define SNAPSHOT_FILE "morgana.xsnap"

/* XS's snapshot code calls these as on a hosted system: its atom sizes are big-endian. */
uint32_t htonl(uint32_t x) { return __builtin_bswap32(x); }
uint32_t ntohl(uint32_t x) { return __builtin_bswap32(x); }

static char snapshot_signature[] = "morgana-xs-heap-1";
static txCallback snapshot_callbacks[BOARD_FUNCTION_COUNT];

/* A snapshot description with our host functions listed, in board_functions' order. */
static void snapshot_init(txSnapshot *snapshot) {
  c_memset(snapshot, 0, sizeof *snapshot);
  for (unsigned i = 0; i < BOARD_FUNCTION_COUNT; i++) snapshot_callbacks[i] = board_functions[i].fn;
  snapshot->signature = snapshot_signature;
  snapshot->signatureLength = (int)(sizeof snapshot_signature - 1);
  snapshot->callbacks = snapshot_callbacks;
  snapshot->callbacksLength = (int)BOARD_FUNCTION_COUNT;
}

/* XS writes a snapshot in many small pieces: gather them, one semihosting call per 64 KiB. */
static struct {
  int handle;
  size_t used;
  size_t total;
  uint8_t buf[64 * 1024];
} snapshot_out;

static int snapshot_write(void *stream, void *address, size_t size) {
  (void)stream;
  const uint8_t *p = address;
  while (size > 0) {
    size_t n = sizeof snapshot_out.buf - snapshot_out.used;
    if (n > size) n = size;
    c_memcpy(snapshot_out.buf + snapshot_out.used, p, n);
    snapshot_out.used += n;
    snapshot_out.total += n;
    p += n;
    size -= n;
    if (snapshot_out.used == sizeof snapshot_out.buf) {
      if (semihost_write(snapshot_out.handle, snapshot_out.buf, snapshot_out.used) != 0)
        return EIO;
      snapshot_out.used = 0;
    }
  }
  return 0;
}

/* The build's snapshot boot: evaluate, let boot() defer and warm up, write the heap. */
static int take_snapshot(void) {
  txMachine *the = create_machine();
  xsBeginHost(the);
  xsSet(xsGlobal, xsID("__morganaSnapshotting"), xsTrue);
  xsEndHost(the);
  if (!run_bundle(the)) {
    platform_printf("snapshot: evaluating the bundle failed (above)\n");
    return EXIT_FAILED;
  }
  run_jobs(the);
  if (exit_requested) {
    platform_printf("snapshot: the unikernel exited (code %d) while its modules were evaluated\n",
                    exit_code);
    return EXIT_FAILED;
  }
  int deferred = 0;
  xsBeginHost(the);
  xsVars(1);
  xsVar(0) = xsGet(xsGlobal, xsID("__morganaResume"));
  deferred = xsIsInstanceOf(xsVar(0), xsFunctionPrototype);
  xsDelete(xsGlobal, xsID("__morganaSnapshotting"));
  xsEndHost(the);
  if (!deferred) {
    platform_printf("snapshot: the bundle did not call boot() (@morgana/runtime-baremetal), "
                    "so a restored image would have nothing to start\n");
    return EXIT_FAILED;
  }
  snapshot_out.handle = semihost_open_write(SNAPSHOT_FILE);
  if (snapshot_out.handle < 0) {
    platform_printf("snapshot: cannot create the host file %s (QEMU needs -semihosting)\n",
                    SNAPSHOT_FILE);
    return EXIT_FAILED;
  }
  txSnapshot snapshot;
  snapshot_init(&snapshot);
  snapshot.write = snapshot_write;
  uint64_t started = platform_monotonic_ns();
  int ok = fxWriteSnapshot(the, &snapshot);
  if (ok && snapshot_out.used > 0 &&
      semihost_write(snapshot_out.handle, snapshot_out.buf, snapshot_out.used) != 0)
    ok = 0;
  if (semihost_close(snapshot_out.handle) != 0) ok = 0;
  if (!ok) {
    platform_printf("snapshot: writing the heap failed (error %d)\n", snapshot.error);
    return EXIT_FAILED;
  }
  platform_printf("snapshot: %lu bytes written in %lu ms\n", (unsigned long)snapshot_out.total,
                  (unsigned long)((platform_monotonic_ns() - started) / 1000000u));
  return EXIT_OK;
}

static struct {
  const uint8_t *at;
  const uint8_t *end;
} snapshot_in;

/*
 * Undoes build/snapshot.ts's planeSlots on the unpacked snapshot: the HEAP atom's slots were
 * stored as byte planes (every slot's byte 0, then every slot's byte 1, ...). Returns 0 when
 * the atoms do not read as XS's (then XS's own checks would refuse the snapshot anyway).
 */
static int unplane_slots(uint8_t *snap, size_t len) {
  for (size_t at = 8; at + 8 <= len;) {
    size_t size = (size_t)snap[at] << 24 | (size_t)snap[at + 1] << 16 |
                  (size_t)snap[at + 2] << 8 | (size_t)snap[at + 3];
    if (size < 8 || size > len - at) return 0;
    if (c_memcmp(snap + at + 4, "HEAP", 4) == 0) {
      size_t bytes = size - 8;
      size_t n = bytes / sizeof(txSlot);
      if (bytes % sizeof(txSlot) != 0) return 0;
      uint8_t *planes = c_malloc(bytes > 0 ? bytes : 1);
      if (!planes) return 0;
      uint8_t *slots = snap + at + 8;
      c_memcpy(planes, slots, bytes);
      for (size_t k = 0; k < n; k++) {
        uint8_t *slot = slots + k * sizeof(txSlot);
        for (size_t b = 0; b < sizeof(txSlot); b++) slot[b] = planes[b * n + k];
      }
      c_free(planes);
      return 1;
    }
    at += size;
  }
  return 0;
}

static int snapshot_read(void *stream, void *address, size_t size) {
  (void)stream;
  if (size > (size_t)(snapshot_in.end - snapshot_in.at)) return EIO;
  c_memcpy(address, snapshot_in.at, size);
  snapshot_in.at += size;
  return 0;
}

/*
 * An image with a snapshot: unpack it (build/pack.ts), put its slots back in order, restore
 * the heap, then start the devices (`__morganaResume`).
 */
static int boot_from_snapshot(void) {
  uint64_t started = platform_monotonic_ns();
  size_t packed = (size_t)(morgana_snapshot_end - morgana_snapshot);
  long size = unpack_size(morgana_snapshot, packed);
  uint8_t *heap = size > 0 ? c_malloc((size_t)size) : C_NULL;
  if (!heap || unpack(morgana_snapshot, packed, heap, (size_t)size) != size ||
      !unplane_slots(heap, (size_t)size)) {
    platform_printf("\nthe image's heap snapshot is damaged or too big to unpack\n");
    return EXIT_ABORT;
  }
  snapshot_in.at = heap;
  snapshot_in.end = heap + size;
  txSnapshot snapshot;
  snapshot_init(&snapshot);
  snapshot.read = snapshot_read;
  txMachine *the = fxReadSnapshot(&snapshot, "morgana", C_NULL);
  c_free(heap);
  if (!the || snapshot.error) {
    platform_printf("\nXS could not restore the image's heap snapshot (error %d)\n",
                    snapshot.error);
    return EXIT_ABORT;
  }
  running = the;
  /* The marker test/e2e/board-snapshot looks for: this boot evaluated no bundle. */
  platform_printf("morgana: heap snapshot restored (%lu KiB from %lu KiB packed) in %lu ms\n",
                  (unsigned long)((size_t)size >> 10), (unsigned long)(packed >> 10),
                  (unsigned long)((platform_monotonic_ns() - started) / 1000000u));
  int ok = 1;
  xsBeginHost(the);
  xsTry {
    xsCall0(xsGlobal, xsID("__morganaResume"));
  }
  xsCatch {
    report_exception(the, "the unikernel's start after the snapshot");
    ok = 0;
  }
  xsEndHost(the);
  if (!ok) return EXIT_FAILED;
  return event_loop(the);
}
#endif

/*
 * XS's Math.random is the C library's rand(): seed it from the board's generator at every
 * boot, or each boot (and each boot of a snapshot image) would repeat one sequence. Without
 * a seed it stays unseeded, as Random refuses to serve then anyway.
 */
static void seed_math_random(void) {
  unsigned int seed;
  if (platform_random_fill((uint8_t *)&seed, sizeof seed) == 0) srand(seed);
}

int runtime_main(void) {
  seed_math_random();
#ifdef mxSnapshot
  /* An image with a snapshot restores it; the build's snapshot boot takes one. */
  if (morgana_snapshot_end > morgana_snapshot) return boot_from_snapshot();
  if (morgana_snapshot_mode == SNAPSHOT_TAKE) return take_snapshot();
#endif
  txMachine *the = create_machine();
  if (!run_bundle(the)) return EXIT_FAILED;
  return event_loop(the);
}
