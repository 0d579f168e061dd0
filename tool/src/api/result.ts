import type { Diagnostic } from "../config/index.ts";

/** What every library call answers: whether it worked, and every problem found (warnings too). */
export interface Outcome {
  ok: boolean;
  diagnostics: Diagnostic[];
}

export const hasErrors = (diagnostics: readonly Diagnostic[]) =>
  diagnostics.some((d) => d.severity === "error");

/** A failed outcome carrying `diagnostics`. */
export const failure = (diagnostics: Diagnostic[]): Outcome => ({ ok: false, diagnostics });
