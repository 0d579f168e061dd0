/*
 * Entry and exception vectors. QEMU (or U-Boot's `go`) jumps to _start in SVC mode with
 * the MMU off. We give each exception mode its own stack, point VBAR at our vectors, turn
 * on VFP/NEON (XS does double arithmetic everywhere), zero .bss and call into C.
 * Everything runs in SVC mode; IRQ only wakes the core; the aborts print a crash report.
 */
    .syntax unified
    .arm

    .section .text.vectors, "ax"
    .align 5
    .global _start
_start:
vectors:
    b reset
    b undef_entry
    b svc_entry
    b pabt_entry
    b dabt_entry
    b .                     @ reserved
    b irq_entry
    b fiq_entry

    .text
reset:
    cpsid if
    cps #0x12               @ IRQ
    ldr sp, =__irq_stack_top
    cps #0x17               @ abort
    ldr sp, =__exc_stack_top
    cps #0x1b               @ undefined
    ldr sp, =__exc_stack_top
    cps #0x11               @ FIQ (unused; its handler reports)
    ldr sp, =__exc_stack_top
    cps #0x13               @ SVC: where the unikernel runs
    ldr sp, =__stack_top

    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0      @ VBAR
    mrc p15, 0, r0, c1, c0, 0
    bic r0, r0, #(1 << 13)          @ SCTLR.V = 0: vectors at VBAR, not 0xffff0000
    mcr p15, 0, r0, c1, c0, 0

    mrc p15, 0, r0, c1, c0, 2
    orr r0, r0, #(0xf << 20)        @ CPACR: cp10 and cp11 (VFP, NEON) full access
    mcr p15, 0, r0, c1, c0, 2
    isb
    mov r0, #0x40000000             @ FPEXC.EN
    vmsr fpexc, r0

    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
1:  cmp r0, r1
    strlo r2, [r0], #4
    blo 1b

    bl platform_init
    bl runtime_main
    b platform_exit                 @ with runtime_main's result in r0

/*
 * A fault: build a crash_frame (r0-r12, sp, lr, pc, cpsr of the interrupted code) on the
 * exception stack and report it. \adjust turns the banked lr into the faulting pc.
 */
    .macro FAULT kind, adjust
    sub lr, lr, #\adjust
    sub sp, sp, #(17 * 4)
    stmia sp, {r0-r12}
    str lr, [sp, #(15 * 4)]
    mrs r0, spsr
    str r0, [sp, #(16 * 4)]
    @ Read sp and lr of the interrupted mode (user mode's through system mode).
    and r1, r0, #0x1f
    cmp r1, #0x10
    moveq r1, #0x1f
    mrs r2, cpsr
    bic r3, r2, #0x1f
    orr r3, r3, r1
    orr r3, r3, #0xc0
    msr cpsr_c, r3
    mov r4, sp
    mov r5, lr
    msr cpsr_c, r2
    str r4, [sp, #(13 * 4)]
    str r5, [sp, #(14 * 4)]
    mov r0, #\kind
    mov r1, sp
    bl exception_report
    b .
    .endm

undef_entry: FAULT 1, 4
pabt_entry:  FAULT 2, 4
dabt_entry:  FAULT 3, 8
fiq_entry:   FAULT 4, 4

/*
 * An SVC reaches here only when no debugger or emulator handles semihosting (a real
 * board): return, so platform_exit falls back to halting.
 */
svc_entry:
    movs pc, lr

/* IRQ: save what C may clobber, VFP/NEON included (gcc uses them for copies), dispatch. */
irq_entry:
    sub lr, lr, #4
    push {r0-r3, r12, lr}
    vpush {d0-d7}
    vpush {d16-d31}
    vmrs r0, fpscr
    push {r0, r1}
    bl irq_dispatch
    pop {r0, r1}
    vmsr fpscr, r0
    vpop {d16-d31}
    vpop {d0-d7}
    ldm sp!, {r0-r3, r12, pc}^
