/*
 * The console: UART0, a 16550 with registers 4 bytes apart. U-Boot (or QEMU) has set the
 * baud rate; we only wait for room and write. Newlines go out as CR LF, as terminals expect.
 */
#include "board.h"
#include "platform.h"

#define UART_THR 0x00
#define UART_LSR 0x14 /* register 5 << 2 */
#define LSR_THRE (1u << 5) /* transmit holding register empty */
#define LSR_TEMT (1u << 6) /* transmitter idle: every byte is on the wire */

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

void uart_flush(void) {
  while (!(mmio_read(UART0_BASE + UART_LSR) & LSR_TEMT)) {
  }
}
