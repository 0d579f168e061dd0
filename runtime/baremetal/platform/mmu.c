/*
 * The MMU: one level of 1 MiB sections, identity-mapped. DRAM is normal memory, write-back
 * cached (XS is memory-bound: caches matter more than anything else on the A8); the one
 * device section is device memory, never executable. Everything else stays unmapped, so a
 * NULL pointer or a wild address faults with a report instead of reading the boot ROM.
 */
#include "board.h"
#include "platform.h"

#define SECTION 0x2u
#define SECT_B (1u << 2)
#define SECT_C (1u << 3)
#define SECT_XN (1u << 4)
#define SECT_AP_RW (3u << 10) /* read/write at every privilege level */
#define SECT_TEX(x) ((uint32_t)(x) << 12)
#define SECT_S (1u << 16)

/* TEX=001 C=1 B=1: outer and inner write-back, write-allocate (ARM ARM B3.8.2). */
#define NORMAL_WB (SECTION | SECT_AP_RW | SECT_TEX(1) | SECT_C | SECT_B | SECT_S)
/* TEX=000 C=0 B=1: shareable device. */
#define DEVICE (SECTION | SECT_AP_RW | SECT_B | SECT_XN)

#define DRAM_MIB 1024u

#define SCTLR_M (1u << 0)
#define SCTLR_C (1u << 2)
#define SCTLR_Z (1u << 11)
#define SCTLR_I (1u << 12)

static uint32_t ttb[4096] __attribute__((aligned(16384)));

void mmu_init(void) {
  for (unsigned i = 0; i < 4096; i++) ttb[i] = 0;
  ttb[DEVICE_BASE >> 20] = DEVICE_BASE | DEVICE;
  for (uint32_t mib = 0; mib < DRAM_MIB; mib++) {
    uint32_t addr = DRAM_BASE + (mib << 20);
    ttb[addr >> 20] = addr | NORMAL_WB;
  }
  /* U-Boot hands over with the D-cache clean and off; we only need clean TLBs and I-cache. */
  __asm__ volatile(
      "mcr p15, 0, %0, c8, c7, 0\n"  /* TLBIALL */
      "mcr p15, 0, %0, c7, c5, 0\n"  /* ICIALLU */
      "mcr p15, 0, %0, c7, c5, 6\n"  /* BPIALL */
      "mcr p15, 0, %1, c3, c0, 0\n"  /* DACR: domain 0 is a client (permissions checked) */
      "mcr p15, 0, %0, c2, c0, 2\n"  /* TTBCR = 0: TTBR0 covers the whole 4 GiB */
      "mcr p15, 0, %2, c2, c0, 0\n"  /* TTBR0 */
      "dsb\n"
      "isb\n" ::"r"(0),
      "r"(1), "r"((uint32_t)ttb)
      : "memory");
  uint32_t sctlr;
  __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
  sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_Z;
  __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\nisb" ::"r"(sctlr) : "memory");
}
