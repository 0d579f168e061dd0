/**
 * The Protocol view's tree, as plain data (no VS Code, so unit tests read exactly what the
 * view shows): unikernels; under each, its TLS sessions, TCP connections and HTTP connections;
 * under each of those, its latest state one field a row (DESIGN.md's names: snd.una, cwnd,
 * suite, SNI, ...) and its event history, oldest first, led by "N older events dropped" once
 * the model has let some go.
 */
import type { Item, ProtocolEvent, ProtocolModel, Unikernel } from "./protocol.ts";

export type ProtocolNode =
  | { kind: "unikernel"; u: Unikernel }
  | { kind: "group"; u: Unikernel; layer: string }
  | { kind: "item"; item: Item }
  | { kind: "field"; item: Item; label: string; value: string }
  | { kind: "history"; item: Item }
  | { kind: "event"; item: Item; seq: number; event: ProtocolEvent }
  | { kind: "note"; id: string; text: string };

/** What a row shows; `id` is stable across refreshes, so expanded rows stay expanded. */
export interface Row {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  expandable: "none" | "collapsed" | "expanded";
  icon: string;
  contextValue: string;
}

/** Layers in the order their groups appear, with the group's title. */
const GROUPS: [layer: string, title: string][] = [
  ["tls", "TLS sessions"],
  ["tcp", "TCP connections"],
  ["http", "HTTP connections"],
];

/** The state fields each layer shows, under DESIGN.md's names; other layers show every key. */
const FIELDS: Record<string, [key: string, label: string][]> = {
  tls: [
    ["version", "version"],
    ["suite", "suite"],
    ["group", "group"],
    ["handshake", "handshake"],
    ["sni", "SNI"],
    ["alpn", "ALPN"],
    ["peer", "peer certificate"],
    ["role", "role"],
    ["resumed", "resumed"],
  ],
  tcp: [
    ["state", "state"],
    ["sndUna", "snd.una"],
    ["sndNxt", "snd.nxt"],
    ["sndWnd", "snd.wnd"],
    ["rcvNxt", "rcv.nxt"],
    ["rcvWnd", "rcv.wnd"],
    ["cwnd", "cwnd"],
    ["ssthresh", "ssthresh"],
    ["srtt", "srtt (ms)"],
    ["rto", "rto (ms)"],
    ["flight", "flight size"],
  ],
};

function text(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function groupTitle(layer: string): string {
  return GROUPS.find(([l]) => l === layer)?.[1] ?? `${layer.toUpperCase()} events`;
}

function layersOf(u: Unikernel): string[] {
  const present = new Set([...u.items.values()].map((i) => i.layer));
  const known = GROUPS.map(([l]) => l).filter((l) => present.has(l));
  return [...known, ...[...present].filter((l) => !known.includes(l)).sort()];
}

export function children(model: ProtocolModel, node?: ProtocolNode): ProtocolNode[] {
  if (!node) return model.unikernels.map((u) => ({ kind: "unikernel", u }));
  switch (node.kind) {
    case "unikernel": {
      const u = node.u;
      const notes: ProtocolNode[] = [];
      if (u.droppedItems > 0)
        notes.push({
          kind: "note",
          id: `${u.key}/dropped-items`,
          text: `${u.droppedItems} older connections and sessions dropped`,
        });
      if (u.droppedByRuntime > 0)
        notes.push({
          kind: "note",
          id: `${u.key}/dropped-runtime`,
          text: `${u.droppedByRuntime} events lost: the unikernel outran the view`,
        });
      return [...layersOf(u).map((layer): ProtocolNode => ({ kind: "group", u, layer })), ...notes];
    }
    case "group":
      return [...node.u.items.values()]
        .filter((i) => i.layer === node.layer)
        .map((item) => ({ kind: "item", item }));
    case "item": {
      const item = node.item;
      const fields =
        FIELDS[item.layer] ?? Object.keys(item.state).map((k): [string, string] => [k, k]);
      return [
        ...fields.map(
          ([key, label]): ProtocolNode => ({
            kind: "field",
            item,
            label,
            value: text(item.state[key]),
          }),
        ),
        { kind: "history", item },
      ];
    }
    case "history": {
      const item = node.item;
      const events = item.events.map(
        ({ seq, event }): ProtocolNode => ({ kind: "event", item, seq, event }),
      );
      if (item.dropped === 0) return events;
      const key = `${item.unikernel.key}/${item.id}`;
      return [
        { kind: "note", id: `${key}/dropped`, text: `${item.dropped} older events dropped` },
        ...events,
      ];
    }
    default:
      return [];
  }
}

/** One line about an item: what to see without opening it. */
export function itemSummary(item: Item): string {
  const s = item.state;
  if (item.layer === "tls")
    return [s.version, s.suite, s.handshake]
      .filter((v) => v !== null && v !== undefined)
      .join(" · ");
  if (item.layer === "tcp")
    return `${text(s.state)} · cwnd ${text(s.cwnd)} · srtt ${s.srtt === null ? "—" : `${text(s.srtt)} ms`}`;
  return text(s.state);
}

const ARROW: Record<string, string> = { in: "←", out: "→" };
const LEVEL: Record<string, string> = {
  1: "warning",
  2: "fatal",
  warning: "warning",
  fatal: "fatal",
};

/** One line about an event, e.g. "→ ServerHello", "← SYN seq 1 len 0", "state SYN-RECEIVED → ESTABLISHED". */
export function eventSummary(e: ProtocolEvent): string {
  const d = e.detail ?? {};
  switch (e.name) {
    case "handshake-message":
      return `${ARROW[String(d.direction)] ?? ""} ${text(d.type)}`.trim();
    case "segment-in":
    case "segment-out":
    case "retransmit": {
      const dir = e.name === "segment-in" ? "←" : "→";
      const head = e.name === "retransmit" ? "retransmit →" : dir;
      const fields = (["seq", "ack", "len", "window"] as const)
        .filter((k) => d[k] !== undefined)
        .map((k) => `${k === "window" ? "win" : k} ${text(d[k])}`);
      return [head, d.flags === undefined ? "" : text(d.flags), ...fields]
        .filter(Boolean)
        .join(" ");
    }
    case "state":
      return d.from === undefined
        ? `state → ${text(d.to ?? e.state.state ?? e.state.handshake)}`
        : `state ${text(d.from)} → ${text(d.to ?? e.state.state)}`;
    case "alert":
      // RFC 8446 §6: level 1 is warning, 2 fatal.
      return `alert ${ARROW[String(d.direction)] ?? ""} ${LEVEL[String(d.level)] ?? text(d.level)} ${text(d.description)}`;
    case "request":
      return `request ${text(d.method)} ${text(d.target)}`;
    case "response":
      return `response ${text(d.status)} (${text(d.bytes)} bytes)`;
    default: {
      const rest = Object.entries(d)
        .map(([k, v]) => `${k} ${text(v)}`)
        .join(" ");
      return rest ? `${e.name} ${rest}` : e.name;
    }
  }
}

/** "+1.234 ms" from the item's first event. */
function since(item: Item, atNs: bigint): string {
  const us = Number((atNs - item.firstNs) / 1000n);
  return `+${(us / 1000).toFixed(3)} ms`;
}

const ICONS: Record<string, string> = { tls: "lock", tcp: "plug", http: "globe" };

export function present(node: ProtocolNode): Row {
  switch (node.kind) {
    case "unikernel": {
      const u = node.u;
      return {
        id: u.key,
        label: u.name,
        description:
          u.file === undefined
            ? `${u.target} · pid ${u.pid}${u.connected ? "" : " · exited"}`
            : "trace file",
        ...(u.file === undefined ? {} : { tooltip: u.file }),
        expandable: "expanded",
        icon: u.connected ? "vm-running" : "vm",
        contextValue: "protocol-unikernel",
      };
    }
    case "group": {
      const items = [...node.u.items.values()].filter((i) => i.layer === node.layer);
      return {
        id: `${node.u.key}/${node.layer}`,
        label: groupTitle(node.layer),
        description: String(items.length),
        // Sessions and connections open by default; IP and DHCP say little, once.
        expandable: node.layer === "tls" || node.layer === "tcp" ? "expanded" : "collapsed",
        icon: ICONS[node.layer] ?? "pulse",
        contextValue: "protocol-group",
      };
    }
    case "item": {
      const item = node.item;
      return {
        id: `${item.unikernel.key}/${item.id}`,
        label: item.id,
        description: itemSummary(item),
        tooltip: JSON.stringify(item.state, null, 2),
        expandable: "collapsed",
        icon: ICONS[item.layer] ?? "pulse",
        contextValue: "protocol-item",
      };
    }
    case "field":
      return {
        id: `${node.item.unikernel.key}/${node.item.id}/f/${node.label}`,
        label: node.label,
        description: node.value,
        expandable: "none",
        icon: "symbol-field",
        contextValue: "protocol-field",
      };
    case "history": {
      const item = node.item;
      const n = item.dropped + item.events.length;
      return {
        id: `${item.unikernel.key}/${item.id}/h`,
        label: "history",
        description: `${n} events`,
        expandable: "collapsed",
        icon: "history",
        contextValue: "protocol-history",
      };
    }
    case "event": {
      const { item, event } = node;
      return {
        id: `${item.unikernel.key}/${item.id}/e/${node.seq}`,
        label: eventSummary(event),
        description: since(item, event.atNs),
        tooltip: JSON.stringify({ detail: event.detail, state: event.state }, null, 2),
        expandable: "none",
        icon:
          event.name === "alert" || event.name === "retransmit"
            ? "warning"
            : "debug-stackframe-dot",
        contextValue: "protocol-event",
      };
    }
    case "note":
      return {
        id: node.id,
        label: node.text,
        expandable: "none",
        icon: "info",
        contextValue: "protocol-note",
      };
  }
}
