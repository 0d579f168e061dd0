/*
 * Time: the 64-bit counter for the monotonic clock, timer 0 (one-shot, 24 MHz) to wake the
 * core from WFI at a deadline.
 */
#include "board.h"
#include "intc.h"
#include "platform.h"

#define TMR_IRQ_EN 0x00
#define TMR_IRQ_STA 0x04
#define TMR0_CTRL 0x10
#define TMR0_INTV 0x14
#define CNT64_CTRL 0xa0
#define CNT64_LO 0xa4
#define CNT64_HI 0xa8

#define CNT64_LATCH (1u << 1)
#define TMR_EN (1u << 0)
#define TMR_RELOAD (1u << 1)
#define TMR_SRC_24M (1u << 2)
#define TMR_ONESHOT (1u << 7)

static uint64_t boot_counter;
static volatile int woken;

static uint64_t counter_read(void) {
  /* Latch, wait for the latch to complete, then read both halves of one value. */
  mmio_write(TIMER_BASE + CNT64_CTRL, CNT64_LATCH);
  while (mmio_read(TIMER_BASE + CNT64_CTRL) & CNT64_LATCH) {
  }
  uint32_t lo = mmio_read(TIMER_BASE + CNT64_LO);
  uint32_t hi = mmio_read(TIMER_BASE + CNT64_HI);
  return ((uint64_t)hi << 32) | lo;
}

uint64_t timer_counter_raw(void) {
  return counter_read();
}

void timer_init(void) {
  boot_counter = counter_read();
  mmio_write(TIMER_BASE + TMR0_CTRL, 0);
  mmio_write(TIMER_BASE + TMR_IRQ_STA, 1);
  mmio_write(TIMER_BASE + TMR_IRQ_EN, 1);
  intc_enable(IRQ_TIMER0);
}

uint64_t platform_monotonic_ns(void) {
  return COUNTER_TO_NS(counter_read() - boot_counter);
}

/* Timer 0 fires once after `ns` (clamped to what its 32-bit interval holds: about 178 s). */
static void timer_arm(uint64_t ns) {
  /* Clamp first: "no deadline" arrives as UINT64_MAX, and ns * 24 would wrap. */
  const uint64_t max_ns = 0xffffffffull * 1000u / (TIMER_HZ / 1000000u);
  if (ns > max_ns) ns = max_ns;
  uint64_t ticks = ns * (TIMER_HZ / 1000000u) / 1000u;
  if (ticks == 0) ticks = 1;
  if (ticks > 0xffffffffu) ticks = 0xffffffffu;
  mmio_write(TIMER_BASE + TMR0_CTRL, 0);
  mmio_write(TIMER_BASE + TMR0_INTV, (uint32_t)ticks);
  mmio_write(TIMER_BASE + TMR0_CTRL, TMR_ONESHOT | TMR_SRC_24M | TMR_RELOAD | TMR_EN);
}

/* From irq_dispatch: any interrupt ends the current platform_yield. */
void timer_irq(void) {
  mmio_write(TIMER_BASE + TMR_IRQ_STA, 1);
}

void platform_wake(void) {
  woken = 1;
}

void platform_yield(uint64_t deadline_ns) {
  uint64_t now = platform_monotonic_ns();
  if (deadline_ns <= now) return;
  timer_arm(deadline_ns - now);
  /*
   * With IRQs masked, check then WFI: an interrupt since the last yield (woken) returns at
   * once; one that arrives after the check still ends WFI (it is pending) and is taken when
   * IRQs are unmasked. No wake-up is lost.
   */
  __asm__ volatile("cpsid i" ::: "memory");
  if (!woken) __asm__ volatile("dsb\nwfi" ::: "memory");
  woken = 0;
  __asm__ volatile("cpsie i" ::: "memory");
}
