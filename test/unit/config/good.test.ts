import assert from "node:assert/strict";
import { parseConfig, type UnikernelConfig } from "../../../tool/src/config/index.ts";

function parseGood(text: string): UnikernelConfig {
  const { config, diagnostics } = parseConfig(text, "unikernel.yaml");
  assert.deepEqual(diagnostics, []);
  assert.ok(config);
  return config;
}

const MiB = 1024 * 1024;

describe("config: good configs", () => {
  it("keeps name, main and the span of main's value", () => {
    const c = parseGood("name: hello\nmain: src/unikernel.ts\n");
    assert.equal(c.file, "unikernel.yaml");
    assert.equal(c.name, "hello");
    assert.equal(c.main, "src/unikernel.ts");
    assert.deepEqual(c.mainSpan, { line: 2, col: 7, endLine: 2, endCol: 23 });
    assert.deepEqual(c.devices, []);
    assert.deepEqual(c.targets, {});
  });

  it("defaults the type to the key and accepts an empty value", () => {
    const c = parseGood("name: a\nmain: m.ts\ndevices:\n  console:\n  random: {}\n");
    assert.deepEqual(
      c.devices.map((d) => [d.name, d.type]),
      [
        ["console", "console"],
        ["random", "random"],
      ],
    );
    assert.deepEqual(c.devices[0]?.span, { line: 4, col: 3, endLine: 4, endCol: 10 });
  });

  it("applies defaults", () => {
    const c = parseGood(
      "name: a\nmain: m.ts\ndevices:\n  net: {}\n  clock: {}\n  http: {}\n  disk: {type: block, path: d.img}\n",
    );
    const options = Object.fromEntries(c.devices.map((d) => [d.name, d.options]));
    assert.deepEqual(options, {
      net: { ipv4: "dhcp" },
      clock: {},
      http: {
        port: 80,
        header_timeout: 10_000,
        request_timeout: 60_000,
        idle_timeout: 5000,
        send_timeout: 60_000,
      },
      disk: { path: "d.img", sector_size: 512 },
    });
  });

  it("parses a static address with its gateway", () => {
    const c = parseGood(
      "name: a\nmain: m.ts\ndevices:\n  net: {ipv4: 10.1.2.3/16, gateway: 10.1.255.254}\n",
    );
    assert.deepEqual(c.devices[0]?.options, {
      ipv4: { address: "10.1.2.3", prefixLength: 16 },
      gateway: "10.1.255.254",
    });
  });

  it("orders devices dependencies first, else as written", () => {
    const c = parseGood(
      [
        "name: a",
        "main: m.ts",
        "devices:",
        "  http: {stack: outer}",
        "  outer: {type: tls, stack: inner, keys: k}",
        "  inner: {type: tls, stack: net, keys: k}",
        "  k: {type: kv_ro, path: keys}",
        "  net: {}",
        "  clock: {}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      c.devices.map((d) => d.name),
      ["net", "k", "inner", "outer", "clock", "http"],
    );
    assert.deepEqual(c.devices.at(-1)?.deps, { stack: "outer", clock: "clock" });
  });

  it("reads memory sizes and port forwards", () => {
    const c = parseGood(
      [
        "name: a",
        "main: m.ts",
        "targets:",
        "  unix: {memory: 64, ports: [8080, '8443:443', '5353:53/udp', '7:7/tcp']}",
        "  direct: {memory: 65536K}",
        "  cubieboard2: {memory: 1G}",
        "  xen: {memory: 16MiB}",
        "",
      ].join("\n"),
    );
    assert.equal(c.targets.unix?.memoryBytes, 64 * MiB);
    assert.equal(c.targets.direct?.memoryBytes, 64 * MiB);
    assert.equal(c.targets.cubieboard2?.memoryBytes, 1024 * MiB);
    assert.equal(c.targets.xen?.memoryBytes, 16 * MiB);
    assert.deepEqual(
      c.targets.unix?.ports.map(({ host, guest, protocol }) => [host, guest, protocol]),
      [
        [8080, 8080, "tcp"],
        [8443, 443, "tcp"],
        [5353, 53, "udp"],
        [7, 7, "tcp"],
      ],
    );
    assert.deepEqual(c.targets.unix?.ports[1]?.span, { line: 4, col: 36, endLine: 4, endCol: 46 });
    assert.deepEqual(c.targets.unix?.span, { line: 4, col: 3, endLine: 4, endCol: 7 });
  });

  it("returns the config with warnings only", () => {
    const { config, diagnostics } = parseConfig(
      "name: a\nmain: m.ts\ndevices:\n  net: {gateway: 10.0.0.1}\n",
      "u.yaml",
    );
    assert.ok(config);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.code, d.path, d.span.line, d.span.col]),
      [["warning", "bad-value", "devices.net.gateway", 4, 18]],
    );
  });
});

describe("config: durations", () => {
  const yaml = (value: string) =>
    `name: t\nmain: src/a.ts\ndevices:\n  clock: {}\n  net: {}\n  http: { request_timeout: ${value} }\n`;
  for (const [text, ms] of [
    ["500ms", 500],
    ["10s", 10_000],
    ["2m", 120_000],
    ["1.5", 1500],
    ["0.25s", 250],
  ] as const) {
    it(`reads ${text} as ${ms} ms`, () => {
      const { config, diagnostics } = parseConfig(yaml(text), "t.yaml");
      assert.deepEqual(diagnostics, []);
      const http = config?.devices.find((d) => d.type === "http");
      assert.equal(http?.type === "http" ? http.options.request_timeout : undefined, ms);
    });
  }
  for (const bad of ["10 years", "50ms", "11m", "-1s", "fast"]) {
    it(`refuses ${bad} at its position`, () => {
      const { diagnostics } = parseConfig(yaml(bad), "t.yaml");
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]?.code, "bad-value");
      assert.equal(diagnostics[0]?.path, "devices.http.request_timeout");
      assert.deepEqual([diagnostics[0]?.span.line, diagnostics[0]?.span.col], [6, 28]);
    });
  }
});
