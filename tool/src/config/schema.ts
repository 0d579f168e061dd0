/**
 * The schema of `unikernel.yaml` as data: one table per device type, one for targets, one for
 * the top level. Each field has its kind, whether it is required or its default, a one-line
 * doc, and a pure validator. The validator in validate.ts walks these tables; the language
 * server builds completion and hover from the same constants.
 */
import {
  booleanValue,
  type Checked,
  durationIn,
  formatIpv4,
  type Ipv4Static,
  integerIn,
  ipv4Address,
  ipv4Config,
  memorySize,
  parseIpv4,
  portForward,
  powerOfTwoIn,
  relativeModule,
  relativePath,
  storeFileName,
  stringMatching,
  subnetBounds,
  type Validator,
} from "./validators.ts";

export type DeviceType =
  | "console"
  | "clock"
  | "random"
  | "kv_ro"
  | "kv_rw"
  | "block"
  | "net"
  | "http"
  | "tls"
  | "dns";

/** The targets, in the order they are listed everywhere: the one list of their names. */
export const TARGET_NAMES = ["unix", "direct", "cubieboard2", "xen"] as const;

export type TargetName = (typeof TARGET_NAMES)[number];

/**
 * What a field holds:
 * - "string", "integer", "path": a scalar checked by `validate`;
 * - "device": the name of another device, whose type must be in `accepts`;
 * - "list": a sequence whose items are each checked by `validate`;
 * - "mapping": a nested table (top-level `devices` and `targets`).
 */
export type FieldKind = "string" | "integer" | "path" | "device" | "list" | "mapping";

export interface FieldSpec<T = unknown> {
  kind: FieldKind;
  /** One line, shown on hover. */
  doc: string;
  /** What a good value looks like, completing "expected ..." in diagnostics. */
  expected: string;
  required: boolean;
  /** The value used when the field is absent (not required fields only; may be absent). */
  default?: T;
  /** Pure check of a scalar value, or of each item of a list. */
  validate?: Validator<T>;
  /** For "device" fields: the device types that may be named. */
  accepts?: readonly DeviceType[];
  /** Values worth offering in completion. */
  examples?: readonly string[];
  /** Literal words the field accepts, offered as did-you-mean for near misses. */
  keywords?: readonly string[];
  /** For "path" fields: what the path names, so an editor completes the right entries. */
  pathTo?: "folder" | "file" | "module";
}

/** A problem that involves several fields of one device, found after each field passed. */
export interface CrossFieldIssue {
  field: string;
  severity: "error" | "warning";
  code: "bad-value";
  message: string;
  expected?: string;
}

export interface DeviceTypeSpec {
  type: DeviceType;
  doc: string;
  fields: Readonly<Record<string, FieldSpec>>;
  /** Checks across fields, given the validated options (defaults applied). */
  crossCheck?: (options: Readonly<Record<string, unknown>>) => CrossFieldIssue[];
}

/** Types whose devices provide a TCP/UDP stack, so `stack:` fields may name them. */
export const STACK_PROVIDERS: readonly DeviceType[] = ["net", "tls"];

const PORT = integerIn(1, 65535);

/** A field naming another device: the wiring gets it as a dependency, not an option. */
interface DeviceField extends FieldSpec<never> {
  kind: "device";
  required: true;
  accepts: readonly DeviceType[];
}

function stackField(doc: string): DeviceField {
  return {
    kind: "device",
    doc,
    expected: "the name of a net or tls device",
    required: true,
    accepts: STACK_PROVIDERS,
  };
}

const clockField: DeviceField = {
  kind: "device",
  doc: "The clock device used for timeouts and dates; wired automatically when there is one.",
  expected: "the name of a clock device",
  required: true,
  accepts: ["clock"],
};

function storePath(
  doc: string,
  pathTo: "folder" | "file",
): FieldSpec<string> & { kind: "path"; required: true } {
  return {
    kind: "path",
    pathTo,
    doc,
    expected: "a path relative to the folder of unikernel.yaml",
    required: true,
    validate: relativePath,
  };
}

/** `gateway` makes sense only with a static address, and must be a host of its subnet. */
function checkNet(options: Readonly<Record<string, unknown>>): CrossFieldIssue[] {
  const gateway = options.gateway;
  if (typeof gateway !== "string") return [];
  const ipv4 = options.ipv4;
  if (ipv4 === "dhcp" || typeof ipv4 !== "object" || ipv4 === null) {
    const message = "gateway is ignored with ipv4: dhcp (DHCP provides the gateway)";
    return [{ field: "gateway", severity: "warning", code: "bad-value", message }];
  }
  const cidr = ipv4 as Ipv4Static;
  const { network, broadcast } = subnetBounds(cidr);
  const subnet = `${formatIpv4(network)}/${cidr.prefixLength}`;
  const g = parseIpv4(gateway) ?? -1;
  const inside =
    cidr.prefixLength >= 31 ? g >= network && g <= broadcast : g > network && g < broadcast;
  if (!inside) {
    const message = `gateway ${gateway} is outside the subnet ${subnet}`;
    const expected = `an address inside ${subnet}`;
    return [{ field: "gateway", severity: "error", code: "bad-value", message, expected }];
  }
  if (gateway === cidr.address) {
    const message = `gateway ${gateway} is the unikernel's own address`;
    return [{ field: "gateway", severity: "error", code: "bad-value", message }];
  }
  return [];
}

/**
 * One table per device type. Its literal types are kept (`satisfies`, not a type annotation):
 * `DeviceOptions<T>` below derives each device's option types from it.
 */
const DEVICE_TABLES = {
  console: { type: "console", doc: "Text output: the terminal, or the board's UART.", fields: {} },
  clock: {
    type: "clock",
    doc: "Monotonic and wall-clock time.",
    fields: {},
  },
  random: {
    type: "random",
    doc: "A seeded cryptographic random generator.",
    fields: {},
  },
  kv_ro: {
    type: "kv_ro",
    doc: "A read-only key-value store built from a folder, e.g. a website's files.",
    fields: { path: storePath("The folder whose files the store holds.", "folder") },
  },
  kv_rw: {
    type: "kv_rw",
    doc: "A read-write key-value store backed by a folder.",
    fields: { path: storePath("The folder that backs the store.", "folder") },
  },
  block: {
    type: "block",
    doc: "A block device backed by a disk image file.",
    fields: {
      path: storePath("The disk image file.", "file"),
      sector_size: {
        kind: "integer",
        doc: "Bytes per sector.",
        expected: "a power of two from 512 to 4096",
        required: false,
        default: 512,
        validate: powerOfTwoIn(512, 4096),
      },
    },
  },
  net: {
    type: "net",
    doc: "A network interface with a TCP/IP stack (IPv4); provides a stack.",
    fields: {
      ipv4: {
        kind: "string",
        doc: "`dhcp`, or a static address with its subnet prefix, e.g. 10.0.0.2/24.",
        expected: "dhcp or an address with prefix length, like 10.0.0.2/24",
        required: false,
        default: "dhcp",
        validate: ipv4Config,
        examples: ["dhcp", "10.0.0.2/24"],
        keywords: ["dhcp"],
      },
      gateway: {
        kind: "string",
        doc: "The default gateway, inside the subnet (static ipv4 only).",
        expected: "an IPv4 address like 10.0.0.1",
        required: false,
        validate: ipv4Address,
      },
    },
    crossCheck: checkNet,
  },
  http: {
    type: "http",
    doc: "An HTTP/1.1 server; `start` receives it to register handlers.",
    fields: {
      port: {
        kind: "integer",
        doc: "The TCP port the server listens on.",
        expected: "an integer from 1 to 65535",
        required: false,
        default: 80,
        validate: PORT,
      },
      stack: stackField("The stack to listen on: a net device, or a tls device for HTTPS."),
      clock: clockField,
      header_timeout: {
        kind: "string",
        doc: "How long a client may take to send a request's head, and how long its body may stall between two reads, before a 408 and close.",
        expected: "a duration from 100ms to 10m, like 10s or 500ms (a plain number is seconds)",
        required: false,
        default: 10_000,
        validate: durationIn(100, 600_000),
        examples: ["10s", "30s"],
      },
      request_timeout: {
        kind: "string",
        doc: "How long a client may take to send a whole request, head and body, however steadily it trickles in, before a 408 and close.",
        expected: "a duration from 100ms to 10m, like 60s (a plain number is seconds)",
        required: false,
        default: 60_000,
        validate: durationIn(100, 600_000),
        examples: ["60s", "5m"],
      },
      idle_timeout: {
        kind: "string",
        doc: "How long a kept-alive connection may wait for its next request before it is closed.",
        expected: "a duration from 100ms to 10m, like 5s (a plain number is seconds)",
        required: false,
        default: 5_000,
        validate: durationIn(100, 600_000),
        examples: ["5s", "60s"],
      },
      send_timeout: {
        kind: "string",
        doc: "How long a response may wait for a client that stops reading before the connection is dropped.",
        expected: "a duration from 100ms to 10m, like 60s (a plain number is seconds)",
        required: false,
        default: 60_000,
        validate: durationIn(100, 600_000),
        examples: ["60s", "10s"],
      },
    },
  },
  tls: {
    type: "tls",
    doc: "TLS over another stack, with a certificate and key; provides a stack.",
    fields: {
      stack: stackField("The stack TLS runs over: a net device or another tls device."),
      keys: {
        kind: "device",
        doc: "The kv_ro device holding the certificate and the private key.",
        expected: "the name of a kv_ro device",
        required: true,
        accepts: ["kv_ro"],
      },
      certificate: {
        kind: "path",
        doc: "The certificate chain's file name (PEM) inside `keys`.",
        expected: "a relative file name without '..'",
        required: false,
        default: "server.pem",
        validate: storeFileName,
      },
      key: {
        kind: "path",
        doc: "The private key's file name (PEM) inside `keys`.",
        expected: "a relative file name without '..'",
        required: false,
        default: "server.key",
        validate: storeFileName,
      },
      dev_certificate: {
        kind: "string",
        doc: "Make a development certificate and key at build time when `keys` has none (`morgana cert`: signed by your dev CA). Never for production.",
        expected: "true or false",
        required: false,
        default: false,
        validate: booleanValue,
        examples: ["true", "false"],
        keywords: ["true", "false"],
      },
      trust: {
        kind: "path",
        doc: "A CA bundle's file name (PEM) inside `keys`: client connections verify servers against it.",
        expected: "a relative file name without '..'",
        required: false,
        validate: storeFileName,
      },
      crypto: {
        kind: "string",
        doc: "The crypto primitives under TLS: `native`, the target's fastest (node:crypto on unix and direct, BearSSL compiled into the image on cubieboard2), or `portable`, @noble's audited JavaScript, the same on every target.",
        expected: "native or portable",
        required: false,
        default: "native",
        validate: stringMatching(/^(native|portable)$/),
        examples: ["native", "portable"],
        keywords: ["native", "portable"],
      },
    },
  },
  dns: {
    type: "dns",
    doc: "A DNS stub resolver.",
    fields: {
      stack: stackField("The stack the resolver sends queries over."),
      server: {
        kind: "string",
        doc: "The IPv4 address of the DNS server to ask.",
        expected: "an IPv4 address like 10.0.0.1",
        required: true,
        validate: ipv4Address,
      },
      port: {
        kind: "integer",
        doc: "The server's UDP port.",
        expected: "an integer from 1 to 65535",
        required: false,
        default: 53,
        validate: PORT,
      },
    },
  },
} satisfies Readonly<Record<DeviceType, DeviceTypeSpec>>;

/** The same tables, as the walker, the graph and the editor read them: any field by name. */
export const DEVICE_SCHEMA: Readonly<Record<DeviceType, DeviceTypeSpec>> = DEVICE_TABLES;

type Fields<T extends DeviceType> = (typeof DEVICE_TABLES)[T]["fields"];
type ValueOf<F> = F extends { validate: Validator<infer V> } ? V : never;
type Present<F> = F extends { required: true }
  ? true
  : F extends { default: unknown }
    ? true
    : false;

/**
 * The validated options of a device of type T, as the config model hands them to targets:
 * fields with a default or required are always there; a misspelt option is a type error.
 */
export type DeviceOptions<T extends DeviceType> = {
  readonly [K in keyof Fields<T> as Fields<T>[K] extends { kind: "device" } ? never : K]: Present<
    Fields<T>[K]
  > extends true
    ? ValueOf<Fields<T>[K]>
    : ValueOf<Fields<T>[K]> | undefined;
};

/** The dependency fields of a device of type T (device names after auto-wiring). */
export type DeviceDeps<T extends DeviceType> = {
  readonly [K in keyof Fields<T> as Fields<T>[K] extends { kind: "device" } ? K : never]: string;
};

export const DEVICE_TYPES: readonly DeviceType[] = Object.keys(DEVICE_SCHEMA) as DeviceType[];

/** The `type` field every device has. */
export const DEVICE_TYPE_FIELD: FieldSpec = {
  kind: "string",
  doc: "The device type; defaults to the device's name when that is a device type.",
  expected: `one of ${DEVICE_TYPES.join(", ")}`,
  required: false,
  examples: DEVICE_TYPES,
};

/** A device name becomes `devices.<name>` in the entry module: a JavaScript identifier. */
export const DEVICE_NAME = {
  doc: "The device's name: `start` receives it as devices.<name>.",
  expected: "a JavaScript identifier, like htdocs or net0",
  validate: stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]*$/),
} as const;

/** Per-target docs. */
export const TARGET_DOCS: Readonly<Record<TargetName, string>> = {
  unix: "A Node process using host sockets: the fastest development loop.",
  direct: "A Node process running Morgana's TCP/IP over a Linux tap device.",
  cubieboard2: "A bare-metal ARMv7 image for the Cubieboard2 (QEMU's cubieboard machine).",
  xen: "A Xen/ARM guest image.",
};

/** The fields of each `targets.<name>` mapping. */
export const TARGET_FIELDS: Readonly<Record<"memory" | "ports", FieldSpec>> = {
  memory: {
    kind: "string",
    doc: "Guest memory: a size with K, M or G suffix, or a plain number of MiB.",
    expected: "a size from 16M to 1G, like 256M, or a number of MiB",
    required: false,
    validate: memorySize,
    examples: ["64M", "256M", "1G"],
  },
  ports: {
    kind: "list",
    doc: "Ports forwarded from the host to the unikernel, as host:guest[/tcp|/udp].",
    expected: 'host:guest[/tcp|/udp] with ports from 1 to 65535, like "8080:80"',
    required: false,
    default: [],
    validate: portForward,
    examples: ["8080:80", "8443:443", "5353:53/udp"],
  },
};

/** The top-level keys. */
export const TOP_LEVEL_FIELDS: Readonly<
  Record<"name" | "main" | "devices" | "targets", FieldSpec>
> = {
  name: {
    kind: "string",
    doc: "The unikernel's name: lower-case letters, digits and dashes.",
    expected: "a name like static-website: a lower-case letter, then letters, digits or -",
    required: true,
    validate: stringMatching(/^[a-z][a-z0-9-]*$/),
  },
  main: {
    kind: "path",
    doc: "The entry module, relative to unikernel.yaml; it exports start(devices).",
    expected: "a relative path to a .ts or .js module, like src/unikernel.ts",
    required: true,
    pathTo: "module",
    validate: relativeModule,
  },
  devices: {
    kind: "mapping",
    doc: "The devices `start` receives: device name -> its type and options.",
    expected: "a mapping from device names to device settings",
    required: false,
    default: {},
  },
  targets: {
    kind: "mapping",
    doc: `Per-target options; keys among ${TARGET_NAMES.join(", ")}.`,
    expected: `a mapping from target names (${TARGET_NAMES.join(", ")}) to target options`,
    required: false,
    default: {},
  },
};

export type { Checked, Validator };
