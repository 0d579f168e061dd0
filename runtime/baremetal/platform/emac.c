/*
 * The Ethernet controller: the A10/A20 EMAC (QEMU's `allwinner-emac`), programmed I/O.
 * Received frames sit in the controller's FIFO, each as a magic word, a header word
 * (length with the 4-byte CRC, status), then the data in 32-bit words; transmit pushes words
 * into a TX FIFO, then the length, then a start bit. Only the RX interrupt is used: it sets a
 * flag the event loop reads (platform_net_events); frames are read when JS asks.
 */
#include <string.h>

#include "board.h"
#include "intc.h"
#include "platform.h"

#define EMAC_CTL 0x00
#define EMAC_TX_MODE 0x04
#define EMAC_TX_CTL0 0x0c
#define EMAC_TX_INS 0x14
#define EMAC_TX_PL0 0x18
#define EMAC_TX_IO_DATA 0x24
#define EMAC_RX_CTL 0x3c
#define EMAC_RX_IO_DATA 0x4c
#define EMAC_RX_FBC 0x50
#define EMAC_INT_CTL 0x54
#define EMAC_INT_STA 0x58
#define EMAC_MAC_MADR 0x84
#define EMAC_MAC_MRDD 0x8c
#define EMAC_MAC_A0 0x98
#define EMAC_MAC_A1 0x9c

#define CTL_RESET (1u << 0)
#define CTL_TX_EN (1u << 1)
#define CTL_RX_EN (1u << 2)
#define RX_ACCEPT (1u << 16 | 1u << 20 | 1u << 22) /* unicast, multicast, broadcast */
#define INT_RX (1u << 8)
#define RX_MAGIC 0x0143414du /* "MAC\x01", the word before each received frame */
#define RX_STATUS_OK (1u << 7)
#define FCS_LEN 4

#define MII_BMSR 1
#define BMSR_LINK (1u << 2)
#define PHY_ADDR 1 /* QEMU's cubieboard and the Cubieboard2 both wire the PHY at 1 */

static volatile int events;
static int up;

static uint16_t mdio_read(unsigned reg) {
  mmio_write(EMAC_BASE + EMAC_MAC_MADR, (PHY_ADDR << 8) | reg);
  return (uint16_t)mmio_read(EMAC_BASE + EMAC_MAC_MRDD);
}

void platform_net_init(uint8_t mac[6]) {
  /* A MAC U-Boot left in the address registers wins; otherwise the caller's stays. */
  uint32_t a0 = mmio_read(EMAC_BASE + EMAC_MAC_A0), a1 = mmio_read(EMAC_BASE + EMAC_MAC_A1);
  if (a0 != 0 || a1 != 0) {
    uint8_t from_regs[6] = {(uint8_t)(a0 >> 16), (uint8_t)(a0 >> 8), (uint8_t)a0,
                            (uint8_t)(a1 >> 16), (uint8_t)(a1 >> 8), (uint8_t)a1};
    memcpy(mac, from_regs, 6);
  }
  mmio_write(EMAC_BASE + EMAC_CTL, CTL_RESET);
  mmio_write(EMAC_BASE + EMAC_RX_FBC, 0); /* drop anything left in the RX FIFO */
  mmio_write(EMAC_BASE + EMAC_TX_MODE, 0);
  mmio_write(EMAC_BASE + EMAC_RX_CTL, RX_ACCEPT);
  mmio_write(EMAC_BASE + EMAC_MAC_A0, (uint32_t)mac[0] << 16 | (uint32_t)mac[1] << 8 | mac[2]);
  mmio_write(EMAC_BASE + EMAC_MAC_A1, (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5]);
  mmio_write(EMAC_BASE + EMAC_INT_STA, 0xffffffffu);
  mmio_write(EMAC_BASE + EMAC_INT_CTL, INT_RX);
  mmio_write(EMAC_BASE + EMAC_CTL, CTL_TX_EN | CTL_RX_EN);
  intc_enable(IRQ_EMAC);
  up = 1;
}

int platform_net_link(void) {
  return up && (mdio_read(MII_BMSR) & BMSR_LINK) != 0;
}

/* From irq_dispatch: acknowledge (the line is level-triggered) and tell the event loop. */
void emac_irq(void) {
  mmio_write(EMAC_BASE + EMAC_INT_STA, mmio_read(EMAC_BASE + EMAC_INT_STA));
  events = 1;
}

int platform_net_events(void) {
  int e = events;
  events = 0;
  return e;
}

int platform_net_receive(uint8_t *buf, size_t cap) {
  if (!up || mmio_read(EMAC_BASE + EMAC_RX_FBC) == 0) return 0;
  uint32_t magic = mmio_read(EMAC_BASE + EMAC_RX_IO_DATA);
  if (magic != RX_MAGIC) {
    /* Out of step with the FIFO: drop everything and start again at a frame boundary. */
    mmio_write(EMAC_BASE + EMAC_RX_FBC, 0);
    return -1;
  }
  uint32_t header = mmio_read(EMAC_BASE + EMAC_RX_IO_DATA);
  uint32_t len = header & 0xffff;
  uint32_t words = (len + 3) / 4;
  size_t frame = len >= FCS_LEN ? len - FCS_LEN : 0;
  int ok = (header >> 16) & RX_STATUS_OK && frame <= cap;
  for (uint32_t i = 0; i < words; i++) {
    uint32_t w = mmio_read(EMAC_BASE + EMAC_RX_IO_DATA);
    size_t at = (size_t)i * 4;
    for (unsigned b = 0; b < 4 && ok && at + b < frame; b++) buf[at + b] = (uint8_t)(w >> (8 * b));
  }
  return ok ? (int)frame : -1;
}

int platform_net_transmit(const uint8_t *buf, size_t len) {
  if (!up) return -1;
  /* The previous frame must have left channel 0 (QEMU sends at once; hardware takes a while). */
  if (mmio_read(EMAC_BASE + EMAC_TX_CTL0) & 1) return -1;
  mmio_write(EMAC_BASE + EMAC_TX_INS, 0);
  for (size_t at = 0; at < len; at += 4) {
    uint32_t w = 0;
    for (unsigned b = 0; b < 4 && at + b < len; b++) w |= (uint32_t)buf[at + b] << (8 * b);
    mmio_write(EMAC_BASE + EMAC_TX_IO_DATA, w);
  }
  mmio_write(EMAC_BASE + EMAC_TX_PL0, (uint32_t)len);
  mmio_write(EMAC_BASE + EMAC_TX_CTL0, 1);
  return 0;
}
