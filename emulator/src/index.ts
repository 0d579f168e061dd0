/** The emulator: board profiles and the QEMU launcher (a library for the CLI and the extension). */
export {
  type Board,
  EmulatorError,
  type ExitInfo,
  type LaunchOptions,
  launch,
  missingQemu,
} from "./launcher.ts";
export { type BoardProfile, CUBIEBOARD2, PROFILES } from "./profiles.ts";
