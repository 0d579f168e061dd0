/*
 * Bring-up, interrupt dispatch, exit, and the reports printed when things go wrong.
 */
#include <stdarg.h>
#include <stdio.h>

#include "board.h"
#include "intc.h"
#include "platform.h"
#include "uart.h"

void mmu_init(void);
void timer_init(void);
void timer_irq(void);
void emac_irq(void);
void platform_wake(void);
void rtc_init(void);
void entropy_init(void);

void platform_init(void) {
  mmu_init();
  intc_init();
  timer_init();
  rtc_init();
  entropy_init();
  __asm__ volatile("cpsie i" ::: "memory");
}

/* Called from the IRQ vector with every caller-saved register preserved. */
void irq_dispatch(void) {
  int irq;
  while ((irq = intc_pending()) >= 0) {
    if (irq == IRQ_TIMER0) {
      timer_irq();
    } else if (irq == IRQ_EMAC) {
      emac_irq();
    } else if (irq == IRQ_UART0) {
      uart_irq(); /* enabled only by uart_rx_open: the debugger's channel */
    } else {
      PANIC("interrupt %d is enabled but has no handler", irq);
    }
    intc_done((unsigned)irq);
  }
  platform_wake();
}

void platform_printf(const char *fmt, ...) {
  /* Static: reports may run when the heap or the stack is the problem. */
  static char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
  if (n > 0) platform_console_write(buf, (size_t)n);
}

/* ARM semihosting (what QEMU's -semihosting implements): SVC 0x123456 in ARM state. */
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUNTIME_ERROR 0x20023

static void semihost(uint32_t op, uint32_t arg) {
  register uint32_t r0 __asm__("r0") = op;
  register uint32_t r1 __asm__("r1") = arg;
  __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory", "lr");
}

void platform_exit(int code) {
  uart_flush();
  /* EXIT_EXTENDED carries the code; plain EXIT (older QEMUs) only tells 0 from non-zero. */
  static uint32_t block[2];
  block[0] = ADP_STOPPED_APPLICATION_EXIT;
  block[1] = (uint32_t)code;
  semihost(SYS_EXIT_EXTENDED, (uint32_t)block);
  semihost(SYS_EXIT, code == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR);
  /* A real board without a debugger: stop here, quietly. */
  __asm__ volatile("cpsid if" ::: "memory");
  for (;;) __asm__ volatile("wfi");
}

void platform_panic(const char *file, int line, const char *fmt, ...) {
  static char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  platform_printf("\nPANIC %s:%d: %s\n", file, line, buf);
  platform_exit(EXIT_CRASH);
}

/* Filled by start.S's FAULT macro. */
struct crash_frame {
  uint32_t r[13];
  uint32_t sp, lr, pc, cpsr;
};

/* The runtime may add what it knows (the JS stack); weak so the platform links alone. */
__attribute__((weak)) void runtime_crash_report(void) {}

static const char *fault_status(uint32_t fsr) {
  switch (((fsr >> 6) & 0x10) | (fsr & 0xf)) {
  case 0x01: return "alignment fault";
  case 0x05: return "translation fault (section): unmapped address";
  case 0x07: return "translation fault (page): unmapped address";
  case 0x08: return "synchronous external abort";
  case 0x0d: return "permission fault (section)";
  case 0x0f: return "permission fault (page)";
  case 0x02: return "debug event";
  default: return "other fault";
  }
}

void exception_report(int kind, const struct crash_frame *f) {
  static const char *const names[] = {"", "undefined instruction", "prefetch abort",
                                      "data abort", "FIQ"};
  platform_printf("\nCRASH: %s at pc 0x%08lx\n", names[kind], (unsigned long)f->pc);
  if (kind == 3) {
    uint32_t dfar, dfsr;
    __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(dfar));
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
    platform_printf("  %s of address 0x%08lx: %s (DFSR 0x%08lx)\n",
                    (dfsr & (1u << 11)) ? "write" : "read", (unsigned long)dfar,
                    fault_status(dfsr), (unsigned long)dfsr);
  } else if (kind == 2) {
    uint32_t ifar, ifsr;
    __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(ifar));
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(ifsr));
    platform_printf("  instruction fetch from 0x%08lx: %s (IFSR 0x%08lx)\n", (unsigned long)ifar,
                    fault_status(ifsr), (unsigned long)ifsr);
  }
  for (int i = 0; i < 13; i += 4) {
    platform_printf(" ");
    for (int j = i; j < i + 4 && j < 13; j++) {
      platform_printf(" r%-2d 0x%08lx", j, (unsigned long)f->r[j]);
    }
    platform_printf("\n");
  }
  platform_printf("  sp  0x%08lx lr  0x%08lx pc  0x%08lx cpsr 0x%08lx\n", (unsigned long)f->sp,
                  (unsigned long)f->lr, (unsigned long)f->pc, (unsigned long)f->cpsr);
  runtime_crash_report();
  platform_exit(EXIT_CRASH);
}
