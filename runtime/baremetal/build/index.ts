/** Building images for the board: XS (cached), the platform, the app bundle, kv_ro. */
export { type BundleProblem, bundleForBoard } from "./bundle.ts";
export { type ImageInput, type ImageResult, imageSizes, linkImage } from "./image.ts";
export { type KvEntry, packKv } from "./kv.ts";
export {
  DEFAULT_MAC,
  type Forward,
  imageHasDebugger,
  QEMU_BOARD,
  qemuArgs,
  seedFile,
  unbootableInQemu,
} from "./qemu.ts";
export {
  linkSnapshotImage,
  SnapshotError,
  type SnapshotImageInput,
  type SnapshotImageResult,
} from "./snapshot.ts";
export { cacheRoot, missingToolchain, ToolchainError } from "./toolchain.ts";
export {
  ensureXsLibrary,
  XS_PACKAGE,
  XS_PACKAGE_VERSION,
  type XsBuild,
  type XsFeatures,
  xsDefines,
} from "./xs.ts";
