/*
 * UART0 beyond the console: its receive side and raw writes, for the debugger's channel
 * (XS's xsbug protocol over the serial line, in --debug images; see ../xs/xs_host.c).
 *
 * Receiving is interrupt-driven: once uart_rx_open has run, each byte that arrives is moved
 * by the UART's interrupt into a ring buffer (4 KiB; bytes beyond are dropped and counted),
 * and the interrupt ends the current WFI, so an idle board wakes on input. Without
 * uart_rx_open the line is never read and the UART's interrupt stays masked: images without
 * a debugger behave as before.
 */
#ifndef MORGANA_UART_H
#define MORGANA_UART_H

#include <stddef.h>
#include <stdint.h>

/* Turns on the receive interrupt (idempotent). */
void uart_rx_open(void);

/* Copies up to `cap` received bytes into `buf`; returns how many (0 when none wait). */
size_t uart_read(uint8_t *buf, size_t cap);

/* Nonzero when received bytes wait in the ring. Cheap: two memory reads, no device access. */
int uart_readable(void);

/* Sleeps (WFI) until a byte arrives or any other interrupt; returns at once if bytes wait. */
void uart_wait(void);

/* Bytes received and dropped because the ring was full. */
uint32_t uart_rx_dropped(void);

/* Writes bytes as they are (the console's writes turn LF into CR LF; these do not). */
void uart_write_raw(const void *buf, size_t len);

/* Waits until every byte written is on the wire. */
void uart_flush(void);

/* From irq_dispatch (main.c): drains the receiver into the ring. */
void uart_irq(void);

#endif
