/** The emulator: board profiles and the QEMU launcher (a library for the CLI and the extension). */
export {
  type Board,
  type BoardState,
  EmulatorError,
  type ExitInfo,
  type LaunchOptions,
  launch,
  missingQemu,
} from "./launcher.ts";
export { type BoardProfile, CUBIEBOARD2, PROFILES } from "./profiles.ts";
export { Qmp, QmpError } from "./qmp.ts";
export {
  CommandReader,
  SerialSplitter,
  type SplitterHandlers,
  serialCommand,
  XsbugBridge,
  type XsbugBridgeOptions,
} from "./xsbug.ts";
