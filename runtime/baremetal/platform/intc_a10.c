/*
 * The A10 interrupt controller (95 sources in three 32-bit banks). QEMU forwards whatever is
 * pending and not masked, so every source we have not enabled stays masked; the real chip
 * also wants the enable bit. Sources are level-triggered: the device clears them.
 */
#include "board.h"
#include "intc.h"

#define PIC_IRQ_PENDING 0x10
#define PIC_ENABLE 0x40
#define PIC_MASK 0x50
#define BANKS 3

static uint32_t enabled[BANKS];

static void write_bank(unsigned bank) {
  mmio_write(INTC_BASE + PIC_ENABLE + 4 * bank, enabled[bank]);
  mmio_write(INTC_BASE + PIC_MASK + 4 * bank, ~enabled[bank]);
}

void intc_init(void) {
  for (unsigned bank = 0; bank < BANKS; bank++) {
    enabled[bank] = 0;
    write_bank(bank);
  }
}

void intc_enable(unsigned irq) {
  enabled[irq / 32] |= 1u << (irq % 32);
  write_bank(irq / 32);
}

int intc_pending(void) {
  for (unsigned bank = 0; bank < BANKS; bank++) {
    uint32_t p = mmio_read(INTC_BASE + PIC_IRQ_PENDING + 4 * bank) & enabled[bank];
    if (p) return (int)(bank * 32 + (unsigned)__builtin_ctz(p));
  }
  return -1;
}

void intc_done(unsigned irq) {
  (void)irq; /* level-triggered: nothing to acknowledge here */
}
