// bench/tcp-core: the CPU cost per segment of TcpCore alone (two cores, a bulk transfer over an
// in-memory link with no loss and no delay), beside a floor measured in the same run: the
// wire codec by itself doing the same segments (emit with checksum, parse with checksum
// check, the payload copied once). The ratio says what the protocol logic costs on top of
// the bytes any TCP must build and check.
//
//   npx tsx bench/tcp-core.ts [--rounds 5] [--megabytes 20]

import { ipv4, parseSegment, TcpCore } from "../stack/net/tcp/index.ts";
import { ACK, emitSegment, type TcpSegment } from "../stack/net/tcp/wire.ts";
import { parseBenchArgs, positiveInt } from "./lib/args.ts";
import { main } from "./lib/runner.ts";
import type { Measurement } from "./lib/types.ts";

const A = ipv4(0x0a000001);
const B = ipv4(0x0a000002);
const MS = 1_000_000n;

function random(buf: Uint8Array): Uint8Array {
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 131 + 7) & 255;
  return buf;
}

function cpuNs(): bigint {
  const u = process.cpuUsage();
  return BigInt(u.user + u.system) * 1000n;
}

/** A bulk transfer of `bytes` from one core to another; returns ns of CPU per segment. */
function transfer(bytes: number): { nsPerSegment: number; segments: number } {
  const a = new TcpCore({ random });
  const b = new TcpCore({ random });
  b.listen(80, 4);
  let now = 0n;
  const h = a.connect(A, B, 80, now);
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  let received = 0;
  let hb: number | null = null;
  const start = cpuNs();
  for (let step = 0; received < bytes && step < 10_000_000; step++) {
    a.takeEvents();
    b.takeEvents();
    while (sent < bytes) {
      const n = a.send(h, chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      if (n === 0) break;
      sent += n;
    }
    for (const o of a.poll(now)) b.receive(o.src, o.dst, o.segment, now);
    if (hb === null) hb = b.accept(80);
    if (hb !== null) {
      for (let r = b.recv(hb); r instanceof Uint8Array; r = b.recv(hb)) received += r.length;
    }
    for (const o of b.poll(now)) a.receive(o.src, o.dst, o.segment, now);
    now += MS;
  }
  const cpu = cpuNs() - start;
  if (received !== bytes) throw new Error(`transfer stopped at ${received} of ${bytes} bytes`);
  const segments = a.counters.segmentsOut + b.counters.segmentsOut;
  return { nsPerSegment: Number(cpu) / segments, segments };
}

/** The codec floor: the same data segments and one ACK per two, built and checked. */
function codec(bytes: number): { nsPerSegment: number; segments: number } {
  const mss = 1448;
  const data = new Uint8Array(mss);
  const options = { timestamp: { val: 1, ecr: 2 } };
  let segments = 0;
  const start = cpuNs();
  for (let off = 0, k = 0; off < bytes; off += mss, k++) {
    const seg: TcpSegment = {
      srcPort: 40000,
      dstPort: 80,
      seq: off >>> 0,
      ack: 1,
      flags: ACK,
      window: 65535,
      options,
      payload: data.subarray(0, Math.min(mss, bytes - off)),
    };
    const r = parseSegment(A, B, emitSegment(seg, A, B));
    if (!r.ok) throw new Error("codec floor: bad segment");
    r.segment.payload.slice(); // the receiver's one copy
    segments++;
    if (k % 2 === 1) {
      const ack = { ...seg, srcPort: 80, dstPort: 40000, payload: new Uint8Array(0) };
      if (!parseSegment(B, A, emitSegment(ack, B, A)).ok) throw new Error("codec floor");
      segments++;
    }
  }
  const cpu = cpuNs() - start;
  return { nsPerSegment: Number(cpu) / segments, segments };
}

const measured = (r: { nsPerSegment: number; segments: number }): Measurement => ({
  value: r.nsPerSegment,
  unit: "ns CPU/segment",
  higherIsBetter: false,
  details: { segments: r.segments },
});

await main(() => {
  const { run, values } = parseBenchArgs("usage: npx tsx bench/tcp-core.ts [options]", {
    megabytes: { type: "string", help: "bytes moved per measurement, in MB", default: "20" },
  });
  const bytes = positiveInt("megabytes", String(values.megabytes)) * 1_000_000;
  return {
    run,
    bench: {
      name: "tcp-core",
      description:
        "TcpCore CPU per segment (bulk, clean in-memory link) beside the wire codec alone",
      parameters: { megabytes: bytes / 1e6 },
      sides: [
        {
          name: "TcpCore transfer",
          role: "ours",
          describe: "two TcpCores, one bulk stream, every segment emitted and received",
          setup: async () => null,
          measure: async () => measured(transfer(bytes)),
        },
        {
          name: "wire codec floor",
          role: "peer",
          describe: "emitSegment + parseSegment (checksums) of the same data and ACK segments",
          setup: async () => null,
          measure: async () => measured(codec(bytes)),
        },
      ],
    },
  };
});
