/**
 * Heap snapshots (`morgana build --snapshot`): the build boots the image once with
 * `__morganaSnapshotting` set, lets every module's top level run, and writes XS's heap; the
 * image it ships restores that heap and calls `__morganaResume` instead (xs/xs_host.c).
 * That boot has no seed: a module that draws random bytes at its top level fails it, so no
 * random state can end up in a snapshot.
 */

declare global {
  /** Set by the C runtime only during the build's snapshot boot. */
  var __morganaSnapshotting: boolean | undefined;
  /** What a restored image calls to start the unikernel (set by boot() in the snapshot boot). */
  var __morganaResume: (() => void) | undefined;
}

/** Whether this is the build's snapshot boot (not a boot that serves). */
export function takingSnapshot(): boolean {
  return globalThis.__morganaSnapshotting === true;
}

/** In the snapshot boot: keeps `resume` for the restored image to call, once. */
export function deferToSnapshot(resume: () => void): void {
  globalThis.__morganaResume = () => {
    globalThis.__morganaResume = undefined;
    resume();
  };
}
