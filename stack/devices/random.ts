/** A cryptographically strong random generator, seeded by the target before `start`. */
export interface Random {
  /** Fills `buf` with random bytes and returns it. */
  fill(buf: Uint8Array): Uint8Array;
}
