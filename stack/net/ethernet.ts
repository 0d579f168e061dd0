/** Ethernet II framing (IEEE 802.3 with an EtherType; RFC 894 for IPv4 over it). */
import { ETHERNET_HEADER_LEN } from "../devices/netif.ts";
import { readU16, writeU16 } from "./addr.ts";

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;

/** A received frame: views into its bytes, nothing copied. */
export interface EthernetFrame {
  dst: Uint8Array;
  src: Uint8Array;
  ethertype: number;
  payload: Uint8Array;
}

/** Null when the frame is shorter than its header (the caller counts the drop). */
export function parseEthernet(frame: Uint8Array): EthernetFrame | null {
  if (frame.length < ETHERNET_HEADER_LEN) return null;
  return {
    dst: frame.subarray(0, 6),
    src: frame.subarray(6, 12),
    ethertype: readU16(frame, 12),
    payload: frame.subarray(ETHERNET_HEADER_LEN),
  };
}

/** A frame of `payloadLen` payload bytes with its header written; the payload goes at 14. */
export function ethernetFrame(
  dst: Uint8Array,
  src: Uint8Array,
  ethertype: number,
  payloadLen: number,
): Uint8Array {
  const frame = new Uint8Array(ETHERNET_HEADER_LEN + payloadLen);
  frame.set(dst.subarray(0, 6), 0);
  frame.set(src.subarray(0, 6), 6);
  writeU16(frame, 12, ethertype);
  return frame;
}
