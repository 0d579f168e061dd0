import assert from "node:assert/strict";
import { createBoardProvider, derToRaw } from "../../../runtime/baremetal/src/crypto-c.ts";
import type { DeviceConfig } from "../../../tool/src/config/index.ts";
import { parseConfig } from "../../../tool/src/config/index.ts";
import { cubieboard2Target } from "../../../tool/src/targets/cubieboard2.ts";
import type { Target } from "../../../tool/src/targets/types.ts";
import { unixTarget } from "../../../tool/src/targets/unix.ts";

const yaml = (crypto: string) => `name: t
main: src/unikernel.ts
devices:
  net: { type: net, ipv4: dhcp }
  keys: { type: kv_ro, path: keys }
  tls: { type: tls, stack: net, keys: keys, certificate: c.pem, key: k.pem${crypto} }
`;

function tlsWiring(target: Pick<Target, "devices">, crypto = ""): string {
  const r = parseConfig(yaml(crypto), "unikernel.yaml");
  const devices = r.config?.devices ?? [];
  const tls = devices.find((d) => d.type === "tls");
  assert.ok(tls, JSON.stringify(r.diagnostics));
  const construct = target.devices.tls?.construct as
    | ((d: DeviceConfig, ctx: unknown) => string)
    | undefined;
  assert.ok(construct);
  return construct(tls, { ref: (n: string) => n, options: { ports: [] }, devices });
}

describe("the board's crypto provider choice", () => {
  it("the tls device's crypto option: native (C on the board, node:crypto on unix) or portable (@noble)", () => {
    assert.match(tlsWiring(cubieboard2Target), /crypto: board\.createCryptoProvider\("c"\)/);
    assert.match(
      tlsWiring(cubieboard2Target, ", crypto: native"),
      /crypto: board\.createCryptoProvider\("c"\)/,
    );
    assert.match(
      tlsWiring(cubieboard2Target, ", crypto: portable"),
      /crypto: board\.createCryptoProvider\("noble"\)/,
    );
    // node:crypto with the record AEAD addon the link step puts beside the bundle.
    assert.match(
      tlsWiring(unixTarget),
      /crypto: unix\.createNodeCryptoProvider\(\{ aead: unix\.loadNativeAead\(import\.meta\.url\) \}\)/,
    );
    assert.match(
      tlsWiring(unixTarget, ", crypto: portable"),
      /crypto: unix\.createPortableCryptoProvider\(\)/,
    );
    const bad = parseConfig(yaml(", crypto: openssl"), "unikernel.yaml");
    assert.deepEqual(
      bad.diagnostics.map((d) => [d.path, d.span?.line, d.message.includes("native or portable")]),
      [["devices.tls.crypto", 6, true]],
    );
  });

  it('"noble" works anywhere; "c" without the C functions is a clear error, not a fallback', () => {
    const random = { fill: (b: Uint8Array) => b.fill(1) };
    assert.equal(createBoardProvider("noble", random).name, "noble");
    assert.throws(() => createBoardProvider("c", random), /no C crypto functions/);
    assert.throws(() => createBoardProvider("x" as "c", random), RangeError);
  });

  it("ECDSA DER is read strictly before C sees r || s", () => {
    const r = Uint8Array.of(0x01, 0x02);
    const hi = Uint8Array.of(0x00, 0x80); // 0x80 needs its leading zero: minimal and positive
    const sig = (...b: number[]) => Uint8Array.of(...b);
    const raw = derToRaw(sig(0x30, 0x08, 0x02, 0x02, ...r, 0x02, 0x02, ...hi), 4);
    assert.deepEqual(raw, Uint8Array.of(0, 0, 1, 2, 0, 0, 0, 0x80));
    const bad: [string, Uint8Array][] = [
      ["not a SEQUENCE", sig(0x31, 0x06, 0x02, 0x01, 1, 0x02, 0x01, 1)],
      ["length too long", sig(0x30, 0x07, 0x02, 0x01, 1, 0x02, 0x01, 1)],
      ["trailing byte", sig(0x30, 0x06, 0x02, 0x01, 1, 0x02, 0x01, 1, 0)],
      ["long form for a short length", sig(0x30, 0x81, 0x06, 0x02, 0x01, 1, 0x02, 0x01, 1)],
      ["negative integer", sig(0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 1)],
      ["non-minimal integer", sig(0x30, 0x07, 0x02, 0x02, 0, 1, 0x02, 0x01, 1)],
      ["empty integer", sig(0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 1)],
      ["integer longer than the curve", sig(0x30, 0x09, 0x02, 0x05, 1, 2, 3, 4, 5, 0x02, 0x00)],
      ["one integer only", sig(0x30, 0x03, 0x02, 0x01, 1)],
      ["empty", sig()],
    ];
    for (const [why, input] of bad) assert.equal(derToRaw(input, 4), null, why);
  });
});
