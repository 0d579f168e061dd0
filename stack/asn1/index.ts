/**
 * Strict DER (ITU-T X.690 §10-11): a reader and writer that refuse BER forms, codecs that
 * declare a structure once for both directions, OIDs and RFC 5280 times. Nothing here throws
 * on bad input: decoders return `Result`s with a closed set of error codes.
 */
export {
  type Alternatives,
  any,
  type ChoiceValue,
  type Codec,
  choice,
  compareBytes,
  decodeDer,
  explicit,
  type Fields,
  implicit,
  map,
  optional,
  type SequenceValue,
  sequence,
  sequenceOf,
  setOf,
  type TaggedCodec,
  tagged,
  type ValueOf,
  type WithDer,
  withDefault,
  withDer,
} from "./codec.ts";
export { type Asn1Error, type Asn1ErrorCode, fail, ok, type Result } from "./errors.ts";
export { decodeOid, encodeOid, isOid, OID, oidName } from "./oid.ts";
export {
  type BitString,
  bigintFromTwosComplement,
  bitString,
  bmpString,
  boolean,
  generalizedTime,
  ia5String,
  integer,
  namedBits,
  namedBitsLenient,
  nullValue,
  octetAlignedBits,
  octetString,
  oid,
  printableString,
  printableStringInNames,
  smallInteger,
  t61String,
  twosComplementFromBigint,
  unsignedBytes,
  utcTime,
  utf8String,
} from "./primitives.ts";
export { decodeGeneralizedTime, decodeUtcTime, generalizedTimeText, utcTimeText } from "./time.ts";
export {
  children,
  contents,
  context,
  der,
  type Element,
  type ReadResult,
  readElement,
  readElementPartial,
  readSingle,
  sameTag,
  type Tag,
  type TagClass,
  tagName,
  UNIVERSAL,
  universal,
  writeElement,
} from "./tlv.ts";
