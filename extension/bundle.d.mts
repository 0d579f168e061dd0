/** Bundles src/extension.ts into dist/extension.cjs. */
export function bundle(): Promise<void>;
/** Bundles, then packs dist/morgana.vsix; returns its path. */
export function packageVsix(): Promise<string>;
