/** The board debugger as a library: the session, the xsbug client and the source-map reader. */
export { BOARD_TARGETS, type BootedBoard, bootForDebug } from "./board.ts";
export { type LaunchArguments, MorganaDebugSession } from "./session.ts";
export { BundleMap, decodeMappings } from "./sourcemap.ts";
export { command, readMessage, XsbugClient, type XsMessage } from "./xsbug.ts";
