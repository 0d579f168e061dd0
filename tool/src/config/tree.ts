/** Small readers of the YAML tree shared by the editor helpers (completion, outline, fixes). */
import { isMap, isScalar, type Node, type Pair } from "yaml";
import { DEVICE_TYPES, type DeviceType } from "./schema.ts";

/** A pair's key as text, when it is a plain scalar. */
export function keyOf(pair: Pair): string | undefined {
  const k = pair.key as Node | null;
  return isScalar(k) && (typeof k.value === "string" || typeof k.value === "number")
    ? String(k.value)
    : undefined;
}

/** A device's type as written in its mapping, or its name when that is a type; else undefined. */
export function deviceTypeOf(name: string, value: unknown): DeviceType | undefined {
  const written = isMap(value) ? value.get("type") : isScalar(value) ? value.value : undefined;
  const type = typeof written === "string" ? written : name;
  return (DEVICE_TYPES as readonly string[]).includes(type) ? (type as DeviceType) : undefined;
}
