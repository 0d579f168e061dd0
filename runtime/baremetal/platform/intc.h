/*
 * The interrupt controller, behind one small interface: intc_a10.c drives QEMU's (and the
 * real A10's) controller; an A20 board supplies intc_gic.c with the same four calls.
 */
#ifndef MORGANA_INTC_H
#define MORGANA_INTC_H

void intc_init(void);
/* Lets interrupt `irq` reach the core. */
void intc_enable(unsigned irq);
/* The highest-priority pending enabled interrupt, or -1 when none is pending. */
int intc_pending(void);
/* Tells the controller the handler is done with `irq` (the source must be cleared first). */
void intc_done(unsigned irq);

#endif
