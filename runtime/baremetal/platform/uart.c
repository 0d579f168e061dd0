/*
 * The console: UART0, a 16550 with registers 4 bytes apart. U-Boot (or QEMU) has set the
 * baud rate; we only wait for room and write. Newlines go out as CR LF, as terminals expect.
 *
 * Receiving (uart.h) is for the debugger's channel: the receive interrupt moves bytes into a
 * ring the main program reads. One producer (the interrupt), one consumer (the program), one
 * core: the indices are volatile and each is written by one side only.
 */
#include "uart.h"
#include "board.h"
#include "intc.h"
#include "platform.h"

#define UART_RBR 0x00 /* receive buffer (read) */
#define UART_THR 0x00 /* transmit holding register (write) */
#define UART_IER 0x04 /* interrupt enable */
#define UART_IIR 0x08 /* interrupt identification (read) */
#define UART_LSR 0x14 /* register 5 << 2 */
#define UART_USR 0x7c /* DesignWare UART status (real A10/A20): reading it clears busy-detect */
#define IER_ERBFI (1u << 0) /* interrupt when received data is available */
#define IIR_ID_MASK 0x0f
#define IIR_BUSY_DETECT 0x07 /* DesignWare only; QEMU's 16550 never reports it */
#define LSR_DR (1u << 0)   /* a received byte waits */
#define LSR_THRE (1u << 5) /* transmit holding register empty */
#define LSR_TEMT (1u << 6) /* transmitter idle: every byte is on the wire */

#define RX_SIZE 4096u /* a power of two */

static uint8_t rx_ring[RX_SIZE];
static volatile uint32_t rx_head; /* written by the interrupt */
static volatile uint32_t rx_tail; /* written by the program */
static volatile uint32_t rx_dropped;
static int rx_opened;

static void uart_putc(char c) {
  while (!(mmio_read(UART0_BASE + UART_LSR) & LSR_THRE)) {
  }
  mmio_write(UART0_BASE + UART_THR, (uint8_t)c);
}

void platform_console_write(const char *buf, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (buf[i] == '\n') uart_putc('\r');
    uart_putc(buf[i]);
  }
}

void uart_write_raw(const void *buf, size_t len) {
  const char *p = buf;
  for (size_t i = 0; i < len; i++) uart_putc(p[i]);
}

void uart_flush(void) {
  while (!(mmio_read(UART0_BASE + UART_LSR) & LSR_TEMT)) {
  }
}

void uart_rx_open(void) {
  if (rx_opened) return;
  rx_opened = 1;
  /* Bytes that arrived before we listened are stale (nobody could have been answered). */
  while (mmio_read(UART0_BASE + UART_LSR) & LSR_DR) (void)mmio_read(UART0_BASE + UART_RBR);
  mmio_write(UART0_BASE + UART_IER, IER_ERBFI);
  intc_enable(IRQ_UART0);
}

void uart_irq(void) {
  if ((mmio_read(UART0_BASE + UART_IIR) & IIR_ID_MASK) == IIR_BUSY_DETECT)
    (void)mmio_read(UART0_BASE + UART_USR);
  /* Reading every waiting byte clears the interrupt (data available and FIFO timeout alike). */
  while (mmio_read(UART0_BASE + UART_LSR) & LSR_DR) {
    uint8_t c = (uint8_t)mmio_read(UART0_BASE + UART_RBR);
    uint32_t head = rx_head;
    if (head - rx_tail < RX_SIZE) {
      rx_ring[head % RX_SIZE] = c;
      __asm__ volatile("" ::: "memory"); /* the byte before the index that publishes it */
      rx_head = head + 1;
    } else {
      rx_dropped++;
    }
  }
}

int uart_readable(void) {
  return rx_head != rx_tail;
}

size_t uart_read(uint8_t *buf, size_t cap) {
  uint32_t tail = rx_tail;
  uint32_t head = rx_head;
  __asm__ volatile("" ::: "memory"); /* the index before the bytes it publishes */
  size_t n = 0;
  while (tail != head && n < cap) buf[n++] = rx_ring[tail++ % RX_SIZE];
  rx_tail = tail;
  return n;
}

void uart_wait(void) {
  /* As platform_yield: check with IRQs masked, then WFI; a byte arriving in between is a
     pending interrupt, which ends WFI and is taken once IRQs are unmasked. */
  __asm__ volatile("cpsid i" ::: "memory");
  if (rx_head == rx_tail) __asm__ volatile("dsb\nwfi" ::: "memory");
  __asm__ volatile("cpsie i" ::: "memory");
}

uint32_t uart_rx_dropped(void) {
  return rx_dropped;
}
