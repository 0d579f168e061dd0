/**
 * Walks the YAML document against the schema tables, field by field, reporting every problem
 * with the span of the offending key or value. Dependencies are only collected here; graph.ts
 * resolves them.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import { describeValue, type SourceSpan } from "./diagnostics.ts";
import type { PortForward, TargetOptions } from "./model.ts";
import type { Positions } from "./positions.ts";
import type { Reporter } from "./report.ts";
import {
  DEVICE_NAME,
  DEVICE_SCHEMA,
  DEVICE_TYPES,
  type DeviceType,
  type FieldSpec,
  TARGET_FIELDS,
  TARGET_NAMES,
  type TargetName,
  TOP_LEVEL_FIELDS,
} from "./schema.ts";
import { suggest } from "./suggest.ts";
import type { PortForwardValue } from "./validators.ts";

/** A device as written, before its dependencies are resolved. */
export interface RawDevice {
  name: string;
  /** Undefined when the type is missing or unknown (already reported). */
  type: DeviceType | undefined;
  span: SourceSpan;
  /** Dependency fields given explicitly: field -> named device and the span of the name. */
  explicitDeps: Record<string, { name: string; span: SourceSpan }>;
  options: Record<string, unknown>;
  fieldSpans: Record<string, SourceSpan>;
}

export interface RawConfig {
  name?: string;
  main?: string;
  mainSpan?: SourceSpan;
  devices: RawDevice[];
  targets: Partial<Record<TargetName, TargetOptions>>;
}

interface Entry {
  key: string;
  keySpan: SourceSpan;
  /** The value node (aliases resolved), or null for `key:` with nothing after it. */
  value: Node | null;
  valueSpan: SourceSpan;
}

const MISSING = Symbol("missing");

/** Devices walked without a problem, by their value node (see `deviceOnce`). */
const walked = new WeakMap<Node, RawDevice>();

const moveSpan = (s: SourceSpan, by: number): SourceSpan => ({
  ...s,
  line: s.line + by,
  endLine: s.endLine + by,
});

/** A device walked before, its spans `by` lines further; its options are shared, not copied. */
function moveDevice(d: RawDevice, by: number): RawDevice {
  const explicitDeps: RawDevice["explicitDeps"] = {};
  for (const [k, v] of Object.entries(d.explicitDeps))
    explicitDeps[k] = { name: v.name, span: moveSpan(v.span, by) };
  const fieldSpans: RawDevice["fieldSpans"] = {};
  for (const [k, v] of Object.entries(d.fieldSpans)) fieldSpans[k] = moveSpan(v, by);
  return { ...d, span: moveSpan(d.span, by), explicitDeps, fieldSpans };
}
const ONE_OF_DEVICE_TYPES = `one of ${DEVICE_TYPES.join(", ")}`;

export class ConfigWalker {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly pos: Positions,
    private readonly out: Reporter,
    /** With syntax errors, keys may be hidden: "missing" and "not a mapping" are not reported. */
    private readonly brokenSyntax = false,
  ) {}

  walk(): RawConfig | undefined {
    const raw: RawConfig = { devices: [], targets: {} };
    const root = this.resolve(this.doc.contents);
    if (!isMap(root)) {
      if (this.brokenSyntax && !isSeq(root)) return undefined;
      const span = this.pos.node(root) ?? this.pos.start();
      const got = root === null ? "an empty file" : describeValue(root.toJSON());
      this.out.error("not-a-mapping", span, "", `expected a mapping at the top level, got ${got}`, {
        expected: "a mapping with keys name, main, devices, targets",
      });
      return undefined;
    }
    const entries = this.entries(root, "");
    const seen = new Set(entries.map((e) => e.key));
    for (const e of entries) {
      switch (e.key) {
        case "name": {
          const v = this.scalarField(TOP_LEVEL_FIELDS.name, e, "name");
          if (typeof v === "string") raw.name = v;
          break;
        }
        case "main": {
          const v = this.scalarField(TOP_LEVEL_FIELDS.main, e, "main");
          if (typeof v === "string") {
            raw.main = v;
            raw.mainSpan = e.valueSpan;
          }
          break;
        }
        case "devices":
          raw.devices = this.devices(e);
          break;
        case "targets":
          raw.targets = this.targets(e);
          break;
        default:
          this.unknownKey(e, e.key, Object.keys(TOP_LEVEL_FIELDS), "a top-level key");
      }
    }
    // A missing top-level key has no text of its own: point at the first key of the mapping.
    const first = entries[0]?.keySpan ?? this.pos.node(root) ?? this.pos.start();
    for (const [key, spec] of Object.entries(TOP_LEVEL_FIELDS)) {
      if (spec.required && !seen.has(key) && !this.brokenSyntax) {
        this.out.error("missing-key", first, key, `missing required key "${key}": ${spec.doc}`, {
          expected: spec.expected,
        });
      }
    }
    return raw;
  }

  private devices(e: Entry): RawDevice[] {
    const map = this.mappingValue(e, "devices", TOP_LEVEL_FIELDS.devices.expected);
    if (map === undefined) return [];
    return this.entries(map, "devices").map((d) => this.deviceOnce(d));
  }

  /**
   * A device walked before, when its value is the very node walked then (a parse in blocks
   * keeps a block's nodes while its text is unchanged) and it had no problem: only its lines
   * moved, by whole lines, since a block starts at a line. Else walked now.
   */
  private deviceOnce(e: Entry): RawDevice {
    const node = e.value;
    const before = node === null ? undefined : walked.get(node);
    if (before !== undefined) {
      const by = e.keySpan.line - before.span.line;
      if (by === 0) return before;
      const moved = moveDevice(before, by);
      walked.set(node as Node, moved);
      return moved;
    }
    const problems = this.out.diagnostics.length;
    const device = this.device(e);
    if (node !== null && this.out.diagnostics.length === problems) walked.set(node, device);
    return device;
  }

  private device(e: Entry): RawDevice {
    const path = `devices.${e.key}`;
    const device: RawDevice = {
      name: e.key,
      type: undefined,
      span: e.keySpan,
      explicitDeps: {},
      options: {},
      fieldSpans: {},
    };
    const name = DEVICE_NAME.validate(e.key);
    if (!name.ok) {
      this.out.error("bad-value", e.keySpan, path, `bad device name "${e.key}"`, {
        expected: DEVICE_NAME.expected,
      });
    }
    const expected = "a mapping of device settings, like { type: kv_ro, path: htdocs }";
    const map = this.mappingValue(e, path, expected);
    const entries = map === undefined ? [] : this.entries(map, path);

    const typeEntry = entries.find((x) => x.key === "type");
    if (typeEntry !== undefined) {
      device.type = this.deviceType(typeEntry, `${path}.type`);
    } else if ((DEVICE_TYPES as readonly string[]).includes(e.key)) {
      device.type = e.key as DeviceType;
    } else if (map !== undefined) {
      this.out.error(
        "missing-key",
        e.keySpan,
        `${path}.type`,
        `device "${e.key}" needs a type: its name is not a device type`,
        {
          expected: `type: one of ${DEVICE_TYPES.join(", ")}`,
          suggestion: suggest(e.key, DEVICE_TYPES),
        },
      );
    }
    if (device.type === undefined) return device;

    const spec = DEVICE_SCHEMA[device.type];
    let failed = false;
    for (const f of entries) {
      if (f.key === "type") continue;
      const field = spec.fields[f.key];
      const fieldPath = `${path}.${f.key}`;
      if (field === undefined) {
        const known = ["type", ...Object.keys(spec.fields)];
        this.unknownKey(f, fieldPath, known, `a ${device.type} field`);
        continue;
      }
      device.fieldSpans[f.key] = f.valueSpan;
      if (field.kind === "device") {
        const target = this.deviceName(field, f, fieldPath);
        if (target === undefined) failed = true;
        else device.explicitDeps[f.key] = { name: target, span: f.valueSpan };
        continue;
      }
      const v = this.scalarField(field, f, fieldPath);
      if (v === MISSING) failed = true;
      else device.options[f.key] = v;
    }
    for (const [key, field] of Object.entries(spec.fields)) {
      if (field.kind === "device" || key in device.options || key in device.fieldSpans) continue;
      if (field.required) {
        this.out.error(
          "missing-key",
          e.keySpan,
          `${path}.${key}`,
          `${device.type} device "${e.key}" needs "${key}": ${field.doc}`,
          { expected: field.expected },
        );
        failed = true;
      } else if (field.default !== undefined) {
        device.options[key] = field.default;
      }
    }
    if (!failed && spec.crossCheck !== undefined) {
      for (const issue of spec.crossCheck(device.options)) {
        const span = device.fieldSpans[issue.field] ?? e.keySpan;
        const extra = issue.expected === undefined ? undefined : { expected: issue.expected };
        const report = issue.severity === "error" ? this.out.error : this.out.warning;
        report.call(this.out, issue.code, span, `${path}.${issue.field}`, issue.message, extra);
      }
    }
    return device;
  }

  private deviceType(e: Entry, path: string): DeviceType | undefined {
    const v = this.scalarOf(e.value);
    const expected = ONE_OF_DEVICE_TYPES;
    if (typeof v !== "string") {
      this.wrongType(e.valueSpan, path, expected, v);
      return undefined;
    }
    if ((DEVICE_TYPES as readonly string[]).includes(v)) return v as DeviceType;
    this.out.error("unknown-device-type", e.valueSpan, path, `unknown device type "${v}"`, {
      expected,
      suggestion: suggest(v, DEVICE_TYPES),
    });
    return undefined;
  }

  private deviceName(field: FieldSpec, e: Entry, path: string): string | undefined {
    const v = this.scalarOf(e.value);
    if (typeof v === "string" && v !== "") return v;
    this.wrongType(e.valueSpan, path, field.expected, v);
    return undefined;
  }

  private targets(e: Entry): Partial<Record<TargetName, TargetOptions>> {
    const result: Partial<Record<TargetName, TargetOptions>> = {};
    const map = this.mappingValue(e, "targets", TOP_LEVEL_FIELDS.targets.expected);
    if (map === undefined) return result;
    for (const t of this.entries(map, "targets")) {
      const path = `targets.${t.key}`;
      if (!(TARGET_NAMES as readonly string[]).includes(t.key)) {
        this.out.error("unknown-target", t.keySpan, path, `unknown target "${t.key}"`, {
          expected: `one of ${TARGET_NAMES.join(", ")}`,
          suggestion: suggest(t.key, TARGET_NAMES),
        });
        continue;
      }
      const options: TargetOptions = { ports: [], span: t.keySpan };
      const expected = 'a mapping of target options, like { ports: ["8080:80"] }';
      const body = this.mappingValue(t, path, expected);
      for (const f of body === undefined ? [] : this.entries(body, path)) {
        if (f.key === "memory") {
          const v = this.scalarField(TARGET_FIELDS.memory, f, `${path}.memory`);
          if (typeof v === "number") options.memoryBytes = v;
        } else if (f.key === "ports") {
          options.ports = this.ports(f, `${path}.ports`);
        } else {
          this.unknownKey(f, `${path}.${f.key}`, Object.keys(TARGET_FIELDS), "a target option");
        }
      }
      result[t.key as TargetName] = options;
    }
    return result;
  }

  private ports(e: Entry, path: string): PortForward[] {
    const spec = TARGET_FIELDS.ports;
    const list = e.value;
    if (!isSeq(list)) {
      this.wrongType(e.valueSpan, path, `a list of ${spec.expected}`, this.scalarOf(list));
      return [];
    }
    const ports: PortForward[] = [];
    const used = new Map<string, number>();
    list.items.forEach((item, i) => {
      const node = this.resolve(item as Node | null);
      const itemPath = `${path}[${i}]`;
      const span = this.pos.node(node) ?? e.valueSpan;
      const v = this.checked(spec, this.scalarOf(node), span, itemPath);
      if (v === MISSING) return;
      const forward = v as PortForwardValue;
      const hostKey = `${forward.host}/${forward.protocol}`;
      const earlier = used.get(hostKey);
      if (earlier !== undefined) {
        const message = `host port ${hostKey} is already forwarded by ${path}[${earlier}]`;
        this.out.error("bad-value", span, itemPath, message, { expected: "distinct host ports" });
        return;
      }
      used.set(hostKey, i);
      ports.push({ ...forward, span });
    });
    return ports;
  }

  /** Validates a scalar field; returns its value, or MISSING after reporting. */
  private scalarField(field: FieldSpec, e: Entry, path: string): unknown {
    // `key:` with nothing after it: point at the key, since the value has no text.
    const span = this.pos.isEmpty(e.value) ? e.keySpan : e.valueSpan;
    return this.checked(field, this.scalarOf(e.value), span, path);
  }

  private checked(field: FieldSpec, value: unknown, span: SourceSpan, path: string): unknown {
    const result = field.validate?.(value) ?? { ok: true as const, value };
    if (result.ok) return result.value;
    const message = result.message ?? `expected ${field.expected}, got ${describeValue(value)}`;
    const suggestion =
      typeof value === "string" && field.keywords ? suggest(value, field.keywords) : undefined;
    this.out.error(result.code, span, path, message, { expected: field.expected, suggestion });
    return MISSING;
  }

  private unknownKey(e: Entry, path: string, known: readonly string[], what: string) {
    this.out.error("unknown-key", e.keySpan, path, `unknown key "${e.key}"`, {
      expected: `${what}: ${known.join(", ")}`,
      suggestion: suggest(e.key, known),
    });
  }

  /** The entry's value as a mapping; `key:` with nothing counts as an empty mapping. */
  private mappingValue(e: Entry, path: string, expected: string): YAMLMap | undefined {
    if (isMap(e.value)) return e.value;
    const v = this.scalarOf(e.value);
    if (v === null) return undefined;
    this.wrongType(e.valueSpan, path, expected, v);
    return undefined;
  }

  /** Reports a value of the wrong kind as "expected X, got Y". */
  private wrongType(span: SourceSpan, path: string, expected: string, got: unknown): void {
    this.out.error("wrong-type", span, path, `expected ${expected}, got ${describeValue(got)}`, {
      expected,
    });
  }

  /** The mapping's entries with string keys, reporting odd and duplicate keys. */
  private entries(map: YAMLMap, path: string): Entry[] {
    const entries: Entry[] = [];
    const seen = new Map<string, SourceSpan>();
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key as Node | null);
      const value = this.resolve(pair.value as Node | null);
      const keySpan = this.pos.node(keyNode) ?? this.pos.node(map) ?? this.pos.start();
      const valueSpan = this.pos.isEmpty(value) ? keySpan : (this.pos.node(value) ?? keySpan);
      const raw = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
        const where = path === "" ? "at the top level" : `in ${path}`;
        this.out.error("wrong-type", keySpan, path, `expected a plain name as key ${where}`, {
          expected: "a plain name as key",
        });
        continue;
      }
      const key = String(raw);
      const keyPath = path === "" ? key : `${path}.${key}`;
      const first = seen.get(key);
      if (first !== undefined) {
        this.out.error(
          "duplicate-key",
          keySpan,
          keyPath,
          `"${key}" is already set on line ${first.line}`,
        );
        continue;
      }
      seen.set(key, keySpan);
      entries.push({ key, keySpan, value, valueSpan });
    }
    return entries;
  }

  /** A scalar's value; lists and mappings become [] and {} so validators can reject them. */
  private scalarOf(node: Node | null): unknown {
    if (node === null) return null;
    if (isScalar(node)) return node.value;
    if (isSeq(node)) return [];
    if (isMap(node)) return {};
    return null;
  }

  private resolve(node: Node | null | undefined): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node;
  }
}
