import assert from "node:assert/strict";
import {
  dnsNameMatches,
  dnsWithin,
  ipToString,
  ipWithin,
  nameConstraintViolation,
  normalizeDnsName,
  parseIp,
  referenceIdentity,
} from "../../../stack/x509/index.ts";

describe("x509: RFC 9525 identifiers and RFC 5280 name constraints", () => {
  const matches: [string, string, boolean][] = [
    ["www.example.com", "www.example.com", true],
    ["WWW.Example.COM", "www.example.com", true],
    ["www.example.com.", "www.example.com", true],
    ["*.example.com", "www.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "a.b.example.com", false],
    ["*.com", "example.com", false],
    ["w*.example.com", "www.example.com", false],
    ["*w.example.com", "www.example.com", false],
    ["www.*.com", "www.example.com", false],
    ["*.*.example.com", "a.b.example.com", false],
    ["xn--bcher-kva.example", "xn--bcher-kva.example", true],
    ["example.com", "example.co", false],
  ];
  for (const [presented, host, want] of matches) {
    it(`${presented} ${want ? "matches" : "does not match"} ${host}`, () => {
      assert.equal(dnsNameMatches(presented, normalizeDnsName(host) as string), want);
    });
  }

  it("reference identities: IP literals are IPs, bad names are refused", () => {
    assert.deepEqual(referenceIdentity("127.0.0.1"), {
      kind: "ip",
      address: Uint8Array.of(127, 0, 0, 1),
    });
    assert.equal(referenceIdentity("[::1]")?.kind, "ip");
    assert.equal(referenceIdentity("localhost")?.kind, "dns");
    for (const bad of [
      "",
      "a..b",
      "-a.example",
      "a b",
      "*.example.com",
      "bücher.example",
      "x".repeat(64),
    ]) {
      assert.equal(referenceIdentity(bad), undefined, bad);
    }
    assert.equal(parseIp("01.2.3.4"), undefined);
    assert.equal(parseIp("1.2.3.256"), undefined);
    assert.equal(parseIp("1::2::3"), undefined);
    assert.equal(parseIp("1:2:3:4:5:6:7:8:9"), undefined);
  });

  it("IPv6 text round trips in RFC 5952 form", () => {
    for (const [text, canonical] of [
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["::1", "::1"],
      ["::", "::"],
      ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
      ["::ffff:192.0.2.1", "::ffff:c000:201"],
    ]) {
      const b = parseIp(text as string);
      assert.ok(b !== undefined, text);
      assert.equal(ipToString(b as Uint8Array), canonical);
    }
  });

  it("dNSName constraints: the name or names with labels added on the left", () => {
    assert.equal(dnsWithin("example.com", "example.com"), true);
    assert.equal(dnsWithin("a.b.example.com", "example.com"), true);
    assert.equal(dnsWithin("badexample.com", "example.com"), false);
    assert.equal(dnsWithin("example.com", ".example.com"), false);
    assert.equal(dnsWithin("a.example.com", ".example.com"), true);
    assert.equal(dnsWithin("anything", ""), true);
  });

  it("a wildcard SAN is excluded when it could stand for an excluded name", () => {
    const nc = {
      permitted: [{ type: "dNSName" as const, value: "example.com" }],
      excluded: [{ type: "dNSName" as const, value: "bad.example.com" }],
    };
    const dns = (value: string) => [{ type: "dNSName" as const, value }];
    assert.equal(nameConstraintViolation(dns("good.example.com"), nc), undefined);
    assert.match(nameConstraintViolation(dns("bad.example.com"), nc) ?? "", /excluded/);
    assert.match(nameConstraintViolation(dns("x.bad.example.com"), nc) ?? "", /excluded/);
    assert.match(nameConstraintViolation(dns("*.example.com"), nc) ?? "", /excluded/);
    assert.match(nameConstraintViolation(dns("*.bad.example.com"), nc) ?? "", /excluded/);
    assert.equal(nameConstraintViolation(dns("*.good.example.com"), nc), undefined);
    assert.match(nameConstraintViolation(dns("*.example.org"), nc) ?? "", /outside/);
  });

  it("iPAddress constraints: address and mask", () => {
    const net = Uint8Array.of(10, 0, 0, 0, 255, 0, 0, 0);
    assert.equal(ipWithin(Uint8Array.of(10, 9, 8, 7), net), true);
    assert.equal(ipWithin(Uint8Array.of(11, 0, 0, 1), net), false);
    assert.equal(ipWithin(parseIp("::1") as Uint8Array, net), false);
  });
});
