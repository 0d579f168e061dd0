/*
 * The board: Allwinner A10 as QEMU's `cubieboard` machine models it (DESIGN.md, "The
 * bare-metal runtime"). The real Cubieboard2 is an A20: same UART, timers and EMAC at the
 * same addresses, but a GIC instead of the A10 interrupt controller (see intc.h), Cortex-A7
 * cores, and a 64-bit counter at 24 MHz where QEMU's counts nanoseconds. Every such
 * difference is a macro here.
 */
#ifndef MORGANA_BOARD_H
#define MORGANA_BOARD_H

#include <stdint.h>

#define DRAM_BASE 0x40000000u
#define DEVICE_BASE 0x01C00000u /* one 1 MiB section holds every device we use */

#define UART0_BASE 0x01C28000u /* 16550, registers 4 bytes apart (shift 2) */
#define TIMER_BASE 0x01C20C00u /* timers 0-5, watchdog, 64-bit counter */
#define RTC_BASE 0x01C20D00u
#define EMAC_BASE 0x01C0B000u

/*
 * The interrupt controller and the interrupt numbers: the A10's own controller numbers its
 * sources 0-95; the A20's GIC-400 (intc_gic.c) gives source n the ID n + 32, its SPI n
 * (the first 32 IDs are the GIC's private interrupts).
 */
#ifdef BOARD_REAL_A20
#define GICD_BASE 0x01C81000u /* GIC-400 distributor */
#define GICC_BASE 0x01C82000u /* GIC-400 CPU interface */
#define IRQ_SOURCE(n) ((n) + 32)
#else
#define INTC_BASE 0x01C20400u /* A10 interrupt controller */
#define IRQ_SOURCE(n) (n)
#endif

#define IRQ_UART0 IRQ_SOURCE(1)
#define IRQ_TIMER0 IRQ_SOURCE(22)
#define IRQ_EMAC IRQ_SOURCE(55)

/* Timer 0 runs from the 24 MHz oscillator on both chips and in QEMU. */
#define TIMER_HZ 24000000u

/* QEMU latches its virtual clock in ns into the counter; the real chips count at 24 MHz. */
#ifdef BOARD_REAL_A20
#define COUNTER_TO_NS(t) ((t) * 125u / 3u) /* 1e9 / 24e6 = 125 / 3 */
#define RTC_BASE_YEAR 2010
#else
#define COUNTER_TO_NS(t) (t)
#define RTC_BASE_YEAR 2010
#endif

/*
 * Where the emulator places a fresh seed (QEMU `-device loader,file=seed,addr=...`): below
 * the image, in DRAM the image never uses. Layout: SEED_MAGIC, a little-endian u32 length,
 * then the bytes. The platform wipes it once read.
 */
#define SEED_ADDR 0x40001000u
#define SEED_MAGIC "MGNSEED1"
#define SEED_MAX 256u

static inline uint32_t mmio_read(uint32_t addr) {
  return *(volatile uint32_t *)addr;
}
static inline void mmio_write(uint32_t addr, uint32_t value) {
  *(volatile uint32_t *)addr = value;
}

#endif
