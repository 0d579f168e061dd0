/**
 * `morgana trace FILE`: what a trace file (`morgana run --trace FILE`, docs/trace.md) says,
 * one connection or session at a time: how many events over how long, its last state, and the
 * events worth a look (alerts, retransmissions, timeouts), so a CI log shows what a run did
 * without a viewer.
 */
import { readFileSync } from "node:fs";
import { parseTraceEventJson, type TraceEvent } from "../../../stack/trace/index.ts";
import type { Outcome } from "./result.ts";

/** Events that say something went other than smoothly. */
const NOTABLE = new Set([
  "alert",
  "retransmit",
  "rto",
  "congestion",
  "challenge-ack",
  "syn-cookie",
  "timeout",
  "key-update",
]);

export interface TraceItemSummary {
  layer: string;
  id: string;
  events: number;
  /** From its first event to its last, in milliseconds. */
  durationMs: number;
  /** The state after its last event. */
  state: TraceEvent["state"];
  /** Events by name. */
  names: Record<string, number>;
  /** The notable events, in order, with their time since the item's first event. */
  notable: { name: string; atMs: number; detail: TraceEvent["detail"] | null }[];
}

export interface TraceSummary extends Outcome {
  file: string;
  events: number;
  /** Lines that were not trace events (a file cut short, say). */
  badLines: number;
  /** In the order each was first seen. */
  items: TraceItemSummary[];
}

const ms = (ns: bigint) => Number(ns / 1000n) / 1000;

export function summarizeTrace(file: string): TraceSummary {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return {
      ok: false,
      file,
      events: 0,
      badLines: 0,
      items: [],
      diagnostics: [
        {
          severity: "error",
          code: "usage",
          message: `cannot read ${file}: ${(e as Error).message}`,
        },
      ],
    };
  }
  const items = new Map<string, TraceItemSummary & { firstNs: bigint }>();
  let events = 0;
  let badLines = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const e = parseTraceEventJson(line);
    if (!e) {
      badLines++;
      continue;
    }
    events++;
    const key = `${e.layer} ${e.id}`;
    let item = items.get(key);
    if (!item) {
      item = {
        layer: e.layer,
        id: e.id,
        events: 0,
        durationMs: 0,
        state: e.state,
        names: {},
        notable: [],
        firstNs: e.atNs,
      };
      items.set(key, item);
    }
    item.events++;
    item.durationMs = ms(e.atNs - item.firstNs);
    item.state = e.state;
    item.names[e.name] = (item.names[e.name] ?? 0) + 1;
    if (NOTABLE.has(e.name)) {
      item.notable.push({ name: e.name, atMs: item.durationMs, detail: e.detail ?? null });
    }
  }
  return {
    ok: true,
    diagnostics: [],
    file,
    events,
    badLines,
    items: [...items.values()].map(({ firstNs: _, ...rest }) => rest),
  };
}

const show = (v: unknown) => (v === null || v === undefined ? "-" : String(v));

/** One line of what an item's state says, in the words of docs/trace.md. */
export function stateLine(item: TraceItemSummary): string {
  const s = item.state;
  switch (item.layer) {
    case "tls":
      return [
        s.version,
        s.suite,
        s.group,
        s.handshake,
        s.sni ? `sni ${s.sni}` : null,
        s.alpn ? `alpn ${s.alpn}` : null,
        s.peer ? `peer ${s.peer}` : null,
      ]
        .filter((v) => v !== null && v !== undefined)
        .join(" ");
    case "tcp":
      return `${show(s.state)} snd.una ${show(s.sndUna)} rcv.nxt ${show(s.rcvNxt)} cwnd ${show(s.cwnd)} srtt ${show(s.srtt)} ms rto ${show(s.rto)} ms`;
    case "http":
      return `${show(s.state)}${s.reason ? ` (${s.reason})` : ""}, ${item.names.request ?? 0} requests`;
    default:
      return JSON.stringify(s);
  }
}
