/*
 * The A20's interrupt controller: an ARM GIC-400 (GIC architecture v2, ARM IHI 0048B), its
 * distributor at GICD_BASE and its CPU interface at GICC_BASE (board.h). Built only for a
 * real board (-DBOARD_REAL_A20); QEMU's cubieboard is an A10 and uses intc_a10.c.
 *
 * Interrupt IDs: 0-15 SGIs, 16-31 PPIs, 32 and up SPIs; the A20's peripheral interrupt n
 * (the A10's source n) is SPI n, ID n + 32 (board.h IRQ_*). Every SPI we use is
 * level-sensitive, active high: the device keeps it asserted until its handler clears it.
 *
 * U-Boot's `bootelf` enters the image in the secure SVC mode it runs in, so the interrupts go
 * to group 0, signalled as IRQ (FIQ stays off). Should a loader leave us non-secure, the
 * group registers read as zero and ignore writes, and bit 0 of both control registers
 * enables group 1 instead: the same writes work either way.
 */
#include "board.h"
#include "intc.h"
#include "platform.h"

/* Distributor registers (IHI 0048B section 4.3). */
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IGROUPR 0x080 /* 1 bit an interrupt: 0 = group 0 */
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICPENDR 0x280
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400 /* 1 byte an interrupt, lower is more urgent */
#define GICD_ITARGETSR 0x800  /* 1 byte an interrupt: a CPU mask, for SPIs */
#define GICD_ICFGR 0xC00      /* 2 bits an interrupt: bit 1 set = edge-triggered */

/* CPU interface registers (section 4.4). */
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00C
#define GICC_EOIR 0x010

#define FIRST_SPI 32u
#define SPURIOUS 1020u /* IAR IDs 1020-1023 are special: nothing to handle */
#define ID_MASK 0x3FFu

/*
 * The GIC-400 implements 32 priority levels (the top 5 bits of each byte). Every interrupt
 * gets the same middle priority; the mask lets all of them through.
 */
#define PRIORITY 0xA0u
#define PRIORITY_MASK 0xF0u
#define CPU0 0x01u

static unsigned lines; /* interrupt IDs the distributor implements */

static void gicd_write(uint32_t reg, uint32_t value) {
  mmio_write(GICD_BASE + reg, value);
}

void intc_init(void) {
  mmio_write(GICC_BASE + GICC_CTLR, 0);
  gicd_write(GICD_CTLR, 0);
  /* ITLinesNumber: 32 * (N + 1) interrupt IDs (the A20 has 160). */
  lines = 32u * ((mmio_read(GICD_BASE + GICD_TYPER) & 0x1Fu) + 1u);
  /* Whatever the boot loader left enabled, pending or active is cleared. */
  for (unsigned id = 0; id < lines; id += 32) {
    gicd_write(GICD_ICENABLER + id / 8, 0xFFFFFFFFu);
    gicd_write(GICD_ICPENDR + id / 8, 0xFFFFFFFFu);
    gicd_write(GICD_ICACTIVER + id / 8, 0xFFFFFFFFu);
    gicd_write(GICD_IGROUPR + id / 8, 0);
  }
  /* Four interrupts a word: priority for all, target CPU 0 for SPIs (SGI/PPI targets are fixed). */
  for (unsigned id = 0; id < lines; id += 4) {
    gicd_write(GICD_IPRIORITYR + id, PRIORITY * 0x01010101u);
    if (id >= FIRST_SPI) gicd_write(GICD_ITARGETSR + id, CPU0 * 0x01010101u);
  }
  /* Sixteen interrupts a word: every SPI level-sensitive (SGIs and PPIs are fixed). */
  for (unsigned id = FIRST_SPI; id < lines; id += 16) gicd_write(GICD_ICFGR + id / 4, 0);
  mmio_write(GICC_BASE + GICC_PMR, PRIORITY_MASK);
  mmio_write(GICC_BASE + GICC_BPR, 0);
  gicd_write(GICD_CTLR, 1);
  mmio_write(GICC_BASE + GICC_CTLR, 1);
}

void intc_enable(unsigned irq) {
  /* This message also marks an image as the A20's: build/qemu.ts A20_MARKER (keep in step). */
  if (irq >= lines) PANIC("interrupt %u is beyond the A20 GIC's %u", irq, lines);
  /* Set-enable registers take 1 bits and ignore 0 bits: no read-modify-write. */
  gicd_write(GICD_ISENABLER + 4 * (irq / 32), 1u << (irq % 32));
}

int intc_pending(void) {
  /* Reading IAR acknowledges: the interrupt turns active until intc_done writes EOIR. */
  uint32_t id = mmio_read(GICC_BASE + GICC_IAR) & ID_MASK;
  return id >= SPURIOUS ? -1 : (int)id;
}

void intc_done(unsigned irq) {
  mmio_write(GICC_BASE + GICC_EOIR, irq);
}
