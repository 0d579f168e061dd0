import assert from "node:assert/strict";
import { parseIpv4, writeU32 } from "../../../stack/net/addr.ts";
import { Counters } from "../../../stack/net/counters.ts";
import {
  DHCPACK,
  DHCPDISCOVER,
  DHCPNAK,
  DHCPOFFER,
  DHCPREQUEST,
  DhcpClient,
  type DhcpMessage,
  parseDhcp,
} from "../../../stack/net/dhcp.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";
import { rng } from "../../helpers/rng.ts";

const ip = (s: string) => parseIpv4(s) as number;
const MAC = new Uint8Array([2, 0, 0, 0, 0, 9]);
const SERVER = ip("10.9.0.1");
const OFFERED = ip("10.9.0.50");
const S = 1_000_000_000n;

function u32(v: number): number[] {
  const b = new Uint8Array(4);
  writeU32(b, 0, v);
  return [...b];
}

/** A server's reply: BOOTREPLY with the client's xid and chaddr, and the given options. */
function reply(
  xid: number,
  type: number,
  opts: [number, number[]][] = [],
  chaddr = MAC,
): Uint8Array {
  const body: number[] = [53, 1, type];
  for (const [code, v] of opts) body.push(code, v.length, ...v);
  body.push(255);
  const out = new Uint8Array(240 + body.length);
  out[0] = 2;
  out[1] = 1;
  out[2] = 6;
  writeU32(out, 4, xid);
  writeU32(out, 16, OFFERED);
  out.set(chaddr, 28);
  writeU32(out, 236, 0x63825363);
  out.set(body, 240);
  return out;
}

const LEASE_OPTS: [number, number[]][] = [
  [54, u32(SERVER)],
  [51, u32(120)],
  [1, u32(0xffffff00)],
  [3, u32(SERVER)],
  [6, u32(ip("10.9.0.53"))],
];

function sent(c: DhcpClient): DhcpMessage[] {
  const counters = new Counters();
  return c.outputs.splice(0).map((o) => {
    const m = parseDhcp(o.payload, counters);
    assert.ok(m, "the client emits parseable messages");
    return Object.assign(m, { to: o.dst, from: o.src });
  });
}

function client(seed = 1) {
  const next = rng(seed);
  return new DhcpClient(MAC, { random: () => Math.floor(next() * 2 ** 32) });
}

/** Runs a client to BOUND at time 0; returns it and its xid. */
function bound(): DhcpClient {
  const c = client();
  c.start(0n);
  const [d] = sent(c);
  assert.ok(d);
  c.input(reply(d.xid, DHCPOFFER, [[54, u32(SERVER)]]), 0n);
  const [r] = sent(c);
  assert.ok(r);
  c.input(reply(r.xid, DHCPACK, LEASE_OPTS), 0n);
  c.events.splice(0);
  return c;
}

describe("dhcp client (RFC 2131)", () => {
  it("discover, offer, request, ack: bound with address, prefix, gateway, DNS", () => {
    const c = client();
    const trace = new TraceRecorder();
    const traced = new DhcpClient(MAC, { random: () => 7, tracer: trace });
    traced.start(0n);
    c.start(0n);
    const [discover, ...more] = sent(c);
    assert.equal(more.length, 0);
    assert.ok(discover);
    assert.equal(discover.type, DHCPDISCOVER);
    assert.equal(discover.flags & 0x8000, 0x8000, "broadcast flag while unconfigured");
    assert.deepEqual(discover.chaddr, MAC);
    assert.equal(c.state, "selecting");
    c.input(reply(discover.xid, DHCPOFFER, [[54, u32(SERVER)]]), S);
    const [request] = sent(c);
    assert.ok(request);
    assert.equal(request.type, DHCPREQUEST);
    assert.deepEqual([...(request.options.get(50) ?? [])], u32(OFFERED));
    assert.deepEqual([...(request.options.get(54) ?? [])], u32(SERVER));
    assert.equal(request.ciaddr, 0);
    c.input(reply(request.xid, DHCPACK, LEASE_OPTS), 2n * S);
    assert.equal(c.state, "bound");
    const [ev] = c.events;
    assert.ok(ev?.kind === "bound");
    assert.deepEqual(
      [ev.lease.address, ev.lease.prefixLength, ev.lease.gateway, ev.lease.dns],
      [OFFERED, 24, SERVER, [ip("10.9.0.53")]],
    );
    assert.equal(c.pollAt(), 2n * S + 60n * S, "T1 = half the 120 s lease");
    assert.deepEqual(
      trace.find("dhcp", "state").map((e) => e.state.state),
      ["selecting"],
    );
  });

  it("retransmits DISCOVER after 4 s then 8 s, each +-1 s (RFC 2131 §4.1)", () => {
    const c = client(3);
    c.start(0n);
    sent(c);
    const first = c.pollAt() as bigint;
    assert.ok(first >= 3n * S && first <= 5n * S, String(first));
    c.poll(first);
    assert.equal(sent(c).length, 1);
    const second = (c.pollAt() as bigint) - first;
    assert.ok(second >= 7n * S && second <= 9n * S, String(second));
  });

  it("renews by unicast at T1, rebinds by broadcast at T2, and loses the lease at expiry", () => {
    const c = bound();
    c.poll(60n * S);
    const [renew] = sent(c) as (DhcpMessage & { to: number })[];
    assert.ok(renew);
    assert.equal(c.state, "renewing");
    assert.equal(renew.to, SERVER);
    assert.equal(renew.ciaddr, OFFERED);
    assert.equal(renew.options.has(50), false, "no requested-IP option while renewing");
    c.poll(105n * S); // T2 = 0.875 * 120 s
    const [rebind] = sent(c) as (DhcpMessage & { to: number })[];
    assert.ok(rebind);
    assert.equal(c.state, "rebinding");
    assert.equal(rebind.to, 0xffffffff);
    c.poll(120n * S);
    assert.deepEqual(c.events, [{ kind: "lost", reason: "lease expired" }]);
    assert.equal(c.lease, null);
    const [again] = sent(c);
    assert.equal(again?.type, DHCPDISCOVER);
  });

  it("an ACK while renewing extends the lease", () => {
    const c = bound();
    c.poll(60n * S);
    const [renew] = sent(c);
    assert.ok(renew);
    c.input(reply(renew.xid, DHCPACK, LEASE_OPTS), 61n * S);
    assert.equal(c.state, "bound");
    assert.equal(c.lease?.expiresAtNs, 181n * S);
  });

  it("a NAK drops the lease and starts over", () => {
    const c = bound();
    c.poll(60n * S);
    const [renew] = sent(c);
    assert.ok(renew);
    c.input(reply(renew.xid, DHCPNAK, [[54, u32(SERVER)]]), 61n * S);
    assert.equal(c.lease, null);
    assert.equal(c.events[0]?.kind, "lost");
    c.poll(62n * S);
    assert.equal(sent(c)[0]?.type, DHCPDISCOVER);
  });

  it("gives up on a silent server after 4 requests and discovers again", () => {
    const c = client();
    c.start(0n);
    const [d] = sent(c);
    assert.ok(d);
    c.input(reply(d.xid, DHCPOFFER, [[54, u32(SERVER)]]), 0n);
    let requests = 0;
    let discovers = 0;
    for (let t = 0n; t < 200n * S && discovers === 0; t += S) {
      c.poll(t);
      for (const m of sent(c)) m.type === DHCPREQUEST ? requests++ : discovers++;
    }
    assert.equal(requests, 4);
    assert.equal(discovers, 1);
  });

  it("drops malformed and foreign replies, counted", () => {
    const c = client();
    c.start(0n);
    const [d] = sent(c);
    assert.ok(d);
    const good = reply(d.xid, DHCPOFFER, [[54, u32(SERVER)]]);
    c.input(good.subarray(0, 200), 0n);
    const cookie = good.slice();
    cookie[236] = 0;
    c.input(cookie, 0n);
    const overrun = good.slice(0, 240 + 3 + 2);
    overrun[243] = 54;
    overrun[244] = 4;
    c.input(overrun, 0n);
    c.input(reply(d.xid + 1, DHCPOFFER, [[54, u32(SERVER)]]), 0n);
    c.input(reply(d.xid, DHCPOFFER, [[54, u32(SERVER)]], new Uint8Array(6)), 0n);
    c.input(reply(d.xid, DHCPOFFER), 0n); // no server identifier
    assert.equal(c.state, "selecting");
    assert.deepEqual(c.counters.snapshot(), {
      "tx-1": 1,
      "drop-truncated": 1,
      "drop-cookie": 1,
      "drop-option-overrun": 1,
      "drop-not-ours": 2,
      "rx-2": 1,
      "drop-bad-offer": 1,
    });
  });
});
