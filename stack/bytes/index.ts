/** Byte helpers shared by every protocol library: text codecs without host globals, concat, hex. */
export { equalBytes, equalBytesConstantTime, fromHex, toHex } from "./ops.ts";
export {
  allocPooled,
  concatBytes,
  copyBytes,
  latin1Decode,
  latin1DecodeInterned,
  latin1Encode,
  latin1EncodePooled,
  utf8Decode,
  utf8Encode,
  utf8Length,
  writeLatin1,
} from "./text.ts";
