import assert from "node:assert/strict";
import {
  type ConfigDiagnostic,
  type DiagnosticCode,
  formatDiagnostic,
  parseConfig,
} from "../../../tool/src/config/index.ts";

/** Lines joined with "\n", so that line:col in the table are easy to count. */
const y = (...lines: string[]) => `${lines.join("\n")}\n`;
const HEAD = ["name: a", "main: m.ts"];

interface BadCase {
  title: string;
  text: string;
  code: DiagnosticCode;
  /** "line:col" of the single diagnostic with this code. */
  at: string;
  path: string;
  suggestion?: string;
  /** Substring of the message, when worth checking. */
  says?: string;
  severity?: "warning";
}

const CASES: BadCase[] = [
  {
    title: "malformed YAML",
    text: y(...HEAD, "devices: [console"),
    code: "yaml-syntax",
    at: "4:1",
    path: "",
  },
  {
    title: "top level is a list",
    text: y("- a", "- b"),
    code: "not-a-mapping",
    at: "1:1",
    path: "",
  },
  { title: "empty file", text: "", code: "not-a-mapping", at: "1:1", path: "", says: "empty" },
  {
    title: "unknown top-level key",
    text: y("nmae: a", "main: m.ts"),
    code: "unknown-key",
    at: "1:1",
    path: "nmae",
    suggestion: "name",
  },
  {
    title: "missing name",
    text: y("main: m.ts"),
    code: "missing-key",
    at: "1:1",
    path: "name",
  },
  {
    title: "missing main",
    text: y("name: a", "devices: {}"),
    code: "missing-key",
    at: "1:1",
    path: "main",
  },
  {
    title: "bad unikernel name",
    text: y("name: Static_Site", "main: m.ts"),
    code: "bad-value",
    at: "1:7",
    path: "name",
  },
  {
    title: "absolute main",
    text: y("name: a", "main: /src/m.ts"),
    code: "bad-value",
    at: "2:7",
    path: "main",
  },
  {
    title: "main is a number",
    text: y("name: a", "main: 42"),
    code: "wrong-type",
    at: "2:7",
    path: "main",
  },
  {
    title: "duplicate top-level key",
    text: y(...HEAD, "name: b"),
    code: "duplicate-key",
    at: "3:1",
    path: "name",
    says: "line 1",
  },
  {
    title: "duplicate device field",
    text: y(...HEAD, "devices:", "  net:", "    ipv4: dhcp", "    ipv4: dhcp"),
    code: "duplicate-key",
    at: "6:5",
    path: "devices.net.ipv4",
  },
  {
    title: "devices is a list",
    text: y(...HEAD, "devices: [console]"),
    code: "wrong-type",
    at: "3:10",
    path: "devices",
  },
  {
    title: "device value is a string",
    text: y(...HEAD, "devices:", "  console: yes"),
    code: "wrong-type",
    at: "4:12",
    path: "devices.console",
  },
  {
    title: "device name is not an identifier",
    text: y(...HEAD, "devices:", "  my-disk: {type: kv_ro, path: d}"),
    code: "bad-value",
    at: "4:3",
    path: "devices.my-disk",
  },
  {
    title: "unknown device type",
    text: y(...HEAD, "devices:", "  store: {type: kv_r0, path: d}"),
    code: "unknown-device-type",
    at: "4:17",
    path: "devices.store.type",
    suggestion: "kv_ro",
  },
  {
    title: "device type by prefix",
    text: y(...HEAD, "devices:", "  c: {type: cons}"),
    code: "unknown-device-type",
    at: "4:13",
    path: "devices.c.type",
    suggestion: "console",
  },
  {
    title: "device without type whose name is not a type",
    text: y(...HEAD, "devices:", "  consol: {}"),
    code: "missing-key",
    at: "4:3",
    path: "devices.consol.type",
    suggestion: "console",
  },
  {
    title: "unknown device field",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http: {prot: 80}"),
    code: "unknown-key",
    at: "6:10",
    path: "devices.http.prot",
    suggestion: "port",
  },
  {
    title: "port is not a number",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http: {port: 80a}"),
    code: "wrong-type",
    at: "6:16",
    path: "devices.http.port",
    says: 'expected an integer from 1 to 65535, got "80a"',
  },
  {
    title: "port is a quoted number",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", '  http: {port: "80"}'),
    code: "wrong-type",
    at: "6:16",
    path: "devices.http.port",
  },
  {
    title: "port 0",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http: {port: 0}"),
    code: "bad-value",
    at: "6:16",
    path: "devices.http.port",
  },
  {
    title: "port 70000",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http:", "    port: 70000"),
    code: "bad-value",
    at: "7:11",
    path: "devices.http.port",
  },
  {
    title: "field with no value",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http:", "    port:"),
    code: "wrong-type",
    at: "7:5",
    path: "devices.http.port",
    says: "got nothing",
  },
  {
    title: "kv_ro without path",
    text: y(...HEAD, "devices:", "  htdocs: {type: kv_ro}"),
    code: "missing-key",
    at: "4:3",
    path: "devices.htdocs.path",
  },
  {
    title: "bad CIDR",
    text: y(...HEAD, "devices:", "  net: {ipv4: 10.0.0.256/24}"),
    code: "bad-value",
    at: "4:15",
    path: "devices.net.ipv4",
  },
  {
    title: "prefix length too long",
    text: y(...HEAD, "devices:", "  net: {ipv4: 10.0.0.2/33}"),
    code: "bad-value",
    at: "4:15",
    path: "devices.net.ipv4",
  },
  {
    title: "misspelt dhcp",
    text: y(...HEAD, "devices:", "  net: {ipv4: dchp}"),
    code: "bad-value",
    at: "4:15",
    path: "devices.net.ipv4",
    suggestion: "dhcp",
  },
  {
    title: "address is the network address",
    text: y(...HEAD, "devices:", "  net: {ipv4: 10.0.0.0/24}"),
    code: "bad-value",
    at: "4:15",
    path: "devices.net.ipv4",
    says: "network address",
  },
  {
    title: "gateway outside the subnet",
    text: y(...HEAD, "devices:", "  net: {ipv4: 10.0.0.2/24, gateway: 10.0.1.1}"),
    code: "bad-value",
    at: "4:37",
    path: "devices.net.gateway",
    says: "outside the subnet 10.0.0.0/24",
  },
  {
    title: "gateway is the broadcast address",
    text: y(...HEAD, "devices:", "  net: {ipv4: 10.0.0.2/24, gateway: 10.0.0.255}"),
    code: "bad-value",
    at: "4:37",
    path: "devices.net.gateway",
  },
  {
    title: "gateway is the unikernel's own address",
    text: y(...HEAD, "devices:", "  net: {ipv4: 10.0.0.2/24, gateway: 10.0.0.2}"),
    code: "bad-value",
    at: "4:37",
    path: "devices.net.gateway",
    says: "own address",
  },
  {
    title: "gateway with dhcp",
    text: y(...HEAD, "devices:", "  net: {ipv4: dhcp, gateway: 10.0.1.1}"),
    code: "bad-value",
    at: "4:30",
    path: "devices.net.gateway",
    severity: "warning",
  },
  {
    title: "dependency names a missing device",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http: {stack: nett}"),
    code: "missing-dependency",
    at: "6:17",
    path: "devices.http.stack",
    suggestion: "net",
  },
  {
    title: "no device to wire",
    text: y(...HEAD, "devices:", "  clock: {}", "  http: {}"),
    code: "missing-dependency",
    at: "5:3",
    path: "devices.http.stack",
  },
  {
    title: "dependency of the wrong type",
    text: y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http: {stack: clock}"),
    code: "wrong-dependency-type",
    at: "6:17",
    path: "devices.http.stack",
    says: '"clock" is a clock device',
  },
  {
    title: "ambiguous auto-wiring",
    text: y(
      ...HEAD,
      "devices:",
      "  a: {type: net}",
      "  b: {type: net}",
      "  clock: {}",
      "  http: {}",
    ),
    code: "ambiguous-dependency",
    at: "7:3",
    path: "devices.http.stack",
    says: "a, b",
  },
  {
    title: "tls cycle",
    text: y(
      ...HEAD,
      "devices:",
      "  k: {type: kv_ro, path: k}",
      "  a: {type: tls, stack: b}",
      "  b: {type: tls, stack: a}",
    ),
    code: "dependency-cycle",
    at: "5:25",
    path: "devices.a.stack",
    says: "a -> b -> a",
  },
  {
    title: "tls on itself",
    text: y(...HEAD, "devices:", "  k: {type: kv_ro, path: k}", "  a: {type: tls, stack: a}"),
    code: "dependency-cycle",
    at: "5:25",
    path: "devices.a.stack",
    says: "a -> a",
  },
  {
    title: "auto-wired cycle is reported at the device",
    text: y(
      ...HEAD,
      "devices:",
      "  k: {type: kv_ro, path: k}",
      "  a: {type: tls}",
      "  b: {type: tls, stack: a}",
    ),
    code: "dependency-cycle",
    at: "5:3",
    path: "devices.a.stack",
    says: "a -> b -> a",
  },
  {
    title: "unknown target",
    text: y(...HEAD, "targets:", "  xem: {}"),
    code: "unknown-target",
    at: "4:3",
    path: "targets.xem",
    suggestion: "xen",
  },
  {
    title: "unknown target option",
    text: y(...HEAD, "targets:", "  unix: {port: ['8080:80']}"),
    code: "unknown-key",
    at: "4:10",
    path: "targets.unix.port",
    suggestion: "ports",
  },
  {
    title: "bad memory string",
    text: y(...HEAD, "targets:", "  xen: {memory: 256X}"),
    code: "bad-value",
    at: "4:17",
    path: "targets.xen.memory",
  },
  {
    title: "memory too small",
    text: y(...HEAD, "targets:", "  xen:", "    memory: 8M"),
    code: "bad-value",
    at: "5:13",
    path: "targets.xen.memory",
  },
  {
    title: "memory too large",
    text: y(...HEAD, "targets:", "  xen:", "    memory: 2G"),
    code: "bad-value",
    at: "5:13",
    path: "targets.xen.memory",
  },
  {
    title: "bad port forward",
    text: y(...HEAD, "targets:", "  unix:", "    ports: ['8080:80', '8080-80']"),
    code: "bad-value",
    at: "5:24",
    path: "targets.unix.ports[1]",
  },
  {
    title: "port forward to port 0",
    text: y(...HEAD, "targets:", "  unix:", "    ports:", "      - '8080:0'"),
    code: "bad-value",
    at: "6:9",
    path: "targets.unix.ports[0]",
  },
  {
    title: "host port forwarded twice",
    text: y(...HEAD, "targets:", "  unix:", "    ports: ['8080:80', '8080:81']"),
    code: "bad-value",
    at: "5:24",
    path: "targets.unix.ports[1]",
    says: "already forwarded",
  },
  {
    title: "ports is not a list",
    text: y(...HEAD, "targets:", "  unix:", "    ports: '8080:80'"),
    code: "wrong-type",
    at: "5:12",
    path: "targets.unix.ports",
  },
];

function only(diagnostics: ConfigDiagnostic[], code: DiagnosticCode): ConfigDiagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} in:\n${diagnostics.map(formatDiagnostic).join("\n")}`);
  return found[0] as ConfigDiagnostic;
}

describe("config: bad configs", () => {
  for (const c of CASES) {
    it(`${c.title}: ${c.code} at ${c.at} ${c.path}`, () => {
      const { config, diagnostics } = parseConfig(c.text, "unikernel.yaml");
      const d = only(diagnostics, c.code);
      assert.equal(`${d.span.line}:${d.span.col}`, c.at);
      assert.equal(d.path, c.path);
      assert.equal(d.suggestion, c.suggestion);
      assert.equal(d.severity, c.severity ?? "error");
      assert.equal(d.file, "unikernel.yaml");
      if (c.says !== undefined) assert.ok(d.message.includes(c.says), d.message);
      if (c.severity === undefined) assert.equal(config, undefined);
    });
  }

  it("reports every error, in source order", () => {
    const text = y(
      "nam: a",
      "main: m.ts",
      "devices:",
      "  http: {port: 0, stack: nope}",
      "  store: {type: kv_rw}",
      "targets:",
      "  unx: {}",
      "  xen: {memory: lots}",
    );
    const { config, diagnostics } = parseConfig(text, "unikernel.yaml");
    assert.equal(config, undefined);
    assert.deepEqual(
      diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.path}`),
      [
        "1:1 unknown-key nam",
        "1:1 missing-key name",
        "4:3 missing-dependency devices.http.clock",
        "4:16 bad-value devices.http.port",
        "4:26 missing-dependency devices.http.stack",
        "5:3 missing-key devices.store.path",
        "7:3 unknown-target targets.unx",
        "8:17 bad-value targets.xen.memory",
      ],
    );
  });

  it("does not report keys as missing when the YAML is broken", () => {
    const { config, diagnostics } = parseConfig("{{{", "u.yaml");
    assert.equal(config, undefined);
    assert.ok(diagnostics.length > 0);
    assert.deepEqual(
      diagnostics.filter((d) => d.code === "missing-key" || d.code === "not-a-mapping"),
      [],
    );
  });

  it("still reports schema errors next to syntax errors", () => {
    const { diagnostics } = parseConfig(
      y("name: a", "main: m.ts", "prot: 1", "x: [", ""),
      "u.yaml",
    );
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ["unknown-key", "unknown-key", "yaml-syntax"],
    );
  });

  it("gives the end of a span, exclusive", () => {
    const { diagnostics } = parseConfig(
      y(...HEAD, "devices:", "  net: {}", "  clock: {}", "  http: {port: 80a}"),
      "u.yaml",
    );
    assert.deepEqual(diagnostics[0]?.span, { line: 6, col: 16, endLine: 6, endCol: 19 });
  });
});
