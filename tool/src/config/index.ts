/**
 * The config model of `unikernel.yaml`, shared by the `morgana` CLI and the language server.
 * ES2022 only: no Node APIs. The caller reads the file and passes its text.
 */

export { type QuickFix, quickFixes, type TextEdit } from "./actions.ts";
export {
  type ConfigDiagnostic,
  type Diagnostic,
  type DiagnosticCode,
  diagnosticText,
  formatDiagnostic,
  pointSpan,
  type SourceSpan,
  sortDiagnostics,
} from "./diagnostics.ts";
export {
  type Completion,
  type CompletionContext,
  completionsAt,
  type DirEntry,
  type Hover,
  hoverAt,
  offsetAt,
  type Place,
  placeAt,
} from "./editor.ts";
export type {
  DeviceConfig,
  DeviceConfigOf,
  PortForward,
  TargetOptions,
  UnikernelConfig,
} from "./model.ts";
export { type ConfigSymbol, type Definition, definitionAt, documentSymbols } from "./navigation.ts";
export { parseConfig } from "./parse.ts";
export {
  type CrossFieldIssue,
  DEVICE_NAME,
  DEVICE_SCHEMA,
  DEVICE_TYPE_FIELD,
  DEVICE_TYPES,
  type DeviceDeps,
  type DeviceOptions,
  type DeviceType,
  type DeviceTypeSpec,
  type FieldKind,
  type FieldSpec,
  STACK_PROVIDERS,
  TARGET_DOCS,
  TARGET_FIELDS,
  TARGET_NAMES,
  type TargetName,
  TOP_LEVEL_FIELDS,
} from "./schema.ts";
export { editDistance, suggest } from "./suggest.ts";
export type { Checked, Ipv4Static, PortForwardValue, Validator } from "./validators.ts";
