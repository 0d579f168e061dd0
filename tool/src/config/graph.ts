/**
 * The device graph: checks each named dependency, wires omitted ones when exactly one device
 * fits, finds cycles, and orders devices so that dependencies come before dependents.
 */
import type { SourceSpan } from "./diagnostics.ts";
import type { Reporter } from "./report.ts";
import { DEVICE_SCHEMA, type DeviceType, type FieldSpec } from "./schema.ts";
import { suggest } from "./suggest.ts";
import type { RawDevice } from "./validate.ts";

export interface ResolvedDevice {
  device: RawDevice;
  /** Dependency field -> device name, explicit or auto-wired. */
  deps: Record<string, string>;
}

const kinds = (types: readonly DeviceType[]) =>
  types.length === 1 ? `a ${types[0]} device` : `a ${types.join(" or ")} device`;

/** Resolves dependencies and returns devices in topological order (stable by source order). */
export function resolveGraph(devices: RawDevice[], out: Reporter): ResolvedDevice[] {
  const byName = new Map<string, RawDevice>();
  for (const d of devices) if (!byName.has(d.name)) byName.set(d.name, d);
  const resolved = new Map<string, ResolvedDevice>();
  const fitting = fittingDevices(devices);
  for (const d of devices) resolved.set(d.name, { device: d, deps: wire(d, fitting, byName, out) });
  reportCycles(resolved, out);
  return topologicalOrder(resolved);
}

/**
 * The devices that fit a dependency field, in source order, computed once per field's list of
 * accepted types: wiring looks them up per device instead of filtering every device each time.
 */
function fittingDevices(devices: RawDevice[]): (accepts: readonly DeviceType[]) => RawDevice[] {
  const lists = new Map<readonly DeviceType[], RawDevice[]>(); // the schema's own arrays
  return (accepts) => {
    let list = lists.get(accepts);
    if (list === undefined) {
      list = devices.filter((c) => c.type !== undefined && accepts.includes(c.type));
      lists.set(accepts, list);
    }
    return list;
  };
}

const NONE: readonly DeviceType[] = [];

/** Each device type's dependency fields (kind "device"), in the schema's order. */
const DEPENDENCY_FIELDS = Object.fromEntries(
  Object.entries(DEVICE_SCHEMA).map(([type, spec]) => [
    type,
    Object.entries(spec.fields).filter(([, f]) => f.kind === "device"),
  ]),
) as Record<DeviceType, [string, FieldSpec][]>;

function wire(
  d: RawDevice,
  fitting: (accepts: readonly DeviceType[]) => RawDevice[],
  byName: Map<string, RawDevice>,
  out: Reporter,
): Record<string, string> {
  const deps: Record<string, string> = {};
  if (d.type === undefined) return deps;
  for (const [field, spec] of DEPENDENCY_FIELDS[d.type]) {
    const accepts = spec.accepts ?? NONE;
    const path = `devices.${d.name}.${field}`;
    const explicit = d.explicitDeps[field];
    if (explicit !== undefined) {
      const target = byName.get(explicit.name);
      if (target === undefined) {
        out.error("missing-dependency", explicit.span, path, `no device named "${explicit.name}"`, {
          expected: spec.expected,
          suggestion: suggest(explicit.name, byName.keys()),
        });
      } else if (target.type !== undefined && !accepts.includes(target.type)) {
        const message = `"${target.name}" is a ${target.type} device, but ${field} needs ${kinds(accepts)}`;
        out.error("wrong-dependency-type", explicit.span, path, message, {
          expected: spec.expected,
        });
      } else {
        deps[field] = explicit.name;
      }
      continue;
    }
    if (!spec.required) continue;
    const candidates = fitting(accepts).filter((c) => c !== d);
    const first = candidates[0];
    if (candidates.length === 1 && first !== undefined) {
      deps[field] = first.name;
    } else if (candidates.length === 0) {
      const message = `${d.type} device "${d.name}" needs a ${field} (${kinds(accepts)}), and there is none`;
      out.error("missing-dependency", d.span, path, message, { expected: spec.expected });
    } else {
      const names = candidates.map((c) => c.name).join(", ");
      const message = `${d.type} device "${d.name}" could use any of ${names} as its ${field}: name one with "${field}:"`;
      out.error("ambiguous-dependency", d.span, path, message, { expected: spec.expected });
    }
  }
  return deps;
}

/** Reports each cycle once, at its first device, with the path `a -> b -> a`. */
function reportCycles(graph: Map<string, ResolvedDevice>, out: Reporter) {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string) => {
    state.set(name, "visiting");
    stack.push(name);
    const node = graph.get(name);
    for (const target of Object.values(node?.deps ?? {})) {
      const s = state.get(target);
      if (s === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(target)), target];
        const head = graph.get(target);
        const next = cycle[1];
        const field = Object.entries(head?.deps ?? {}).find(([, n]) => n === next)?.[0] ?? "";
        const span: SourceSpan | undefined =
          head?.device.explicitDeps[field]?.span ?? head?.device.span;
        if (head !== undefined && span !== undefined) {
          out.error(
            "dependency-cycle",
            span,
            `devices.${target}.${field}`,
            `dependency cycle: ${cycle.join(" -> ")}`,
            { expected: "devices that do not depend on themselves" },
          );
        }
      } else if (s === undefined && graph.has(target)) {
        visit(target);
      }
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of graph.keys()) if (!state.has(name)) visit(name);
}

function topologicalOrder(graph: Map<string, ResolvedDevice>): ResolvedDevice[] {
  const order: ResolvedDevice[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    const node = graph.get(name);
    if (node === undefined || seen.has(name)) return;
    seen.add(name);
    for (const target of Object.values(node.deps)) visit(target);
    order.push(node);
  };
  for (const name of graph.keys()) visit(name);
  return order;
}
