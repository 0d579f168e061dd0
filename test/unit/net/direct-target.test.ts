import assert from "node:assert/strict";
import type { DeviceConfigOf } from "../../../tool/src/config/index.ts";
import { parseConfig } from "../../../tool/src/config/index.ts";
import { directTarget, hostSide } from "../../../tool/src/targets/direct.ts";

function netOf(yaml: string): DeviceConfigOf<"net"> {
  const r = parseConfig(yaml, "unikernel.yaml");
  const net = r.config?.devices.find((d) => d.type === "net");
  assert.ok(net && net.type === "net", JSON.stringify(r.diagnostics));
  return net;
}

const base = "name: t\nmain: src/unikernel.ts\ndevices:\n  clock: {}\n";

describe("the direct target's wiring and Linux side", () => {
  it("DHCP: Linux serves 10.77.0.0/24 from .50 to .150", () => {
    const side = hostSide(netOf(`${base}  net: { type: net, ipv4: dhcp }\n`));
    assert.deepEqual(side, {
      hostCidr: "10.77.0.1/24",
      dhcp: { from: "10.77.0.50", to: "10.77.0.150" },
    });
  });

  it("static: Linux takes the gateway, else the subnet's first host that is not ours", () => {
    assert.deepEqual(
      hostSide(netOf(`${base}  net: { type: net, ipv4: 10.9.8.7/16, gateway: 10.9.0.254 }\n`)),
      {
        hostCidr: "10.9.0.254/16",
      },
    );
    assert.deepEqual(hostSide(netOf(`${base}  net: { type: net, ipv4: 192.168.5.20/24 }\n`)), {
      hostCidr: "192.168.5.1/24",
    });
    assert.deepEqual(hostSide(netOf(`${base}  net: { type: net, ipv4: 192.168.5.1/24 }\n`)), {
      hostCidr: "192.168.5.2/24",
    });
  });

  it("constructs the stack from the net device's options", () => {
    const construct = directTarget.devices.net?.construct;
    assert.ok(construct);
    const net = netOf(`${base}  net: { type: net, ipv4: 10.1.2.3/24, gateway: 10.1.2.1 }\n`);
    const ctx = { ref: (n: string) => n, options: { ports: [], span: net.span }, devices: [net] };
    assert.equal(
      construct(net, ctx),
      'direct.createDirectStack({ ipv4: "10.1.2.3/24", gateway: "10.1.2.1", announce: {} })',
    );
  });
});
