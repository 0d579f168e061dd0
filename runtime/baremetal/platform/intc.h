/*
 * The interrupt controller, behind one small interface: intc_a10.c drives QEMU's (and the
 * real A10's) controller; intc_gic.c the real A20's GIC-400 (-DBOARD_REAL_A20). The image
 * build links exactly one of them (build/image.ts, by chip).
 */
#ifndef MORGANA_INTC_H
#define MORGANA_INTC_H

void intc_init(void);
/* Lets interrupt `irq` reach the core. */
void intc_enable(unsigned irq);
/*
 * The highest-priority pending enabled interrupt, or -1 when none is pending. On the GIC
 * this acknowledges it: every interrupt it returns must be followed by intc_done.
 */
int intc_pending(void);
/* Tells the controller the handler is done with `irq` (the source must be cleared first). */
void intc_done(unsigned irq);

#endif
