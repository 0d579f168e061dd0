import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The Morgana checkout this CLI runs from. Projects are built against it: their generated
 * tsconfig and the bundler resolve `@morgana/*` here, wherever the project lives.
 * Both `tool/src/checkout.ts` and the bundle `tool/dist/morgana.mjs` sit two levels down.
 */
export const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const checkoutPath = (...parts: string[]) => join(CHECKOUT, ...parts);

/** Where `morgana new` finds its templates: the samples. */
export const TEMPLATES_DIR = checkoutPath("samples");
