/** HTTP/1.1 (RFC 9110, RFC 9112): a sans-IO core and a thin server driver over a Flow. */
export {
  concatBytes,
  latin1Decode,
  latin1Encode,
  latin1EncodePooled,
  utf8Decode,
  utf8Encode,
} from "../bytes/index.ts";
export {
  type ConnectionOptions,
  type ConnectionSummary,
  DEFAULT_CONNECTION_OPTIONS,
  HttpConnection,
  type PendingRequest,
} from "./connection.ts";
export { contentTypeOf } from "./content-type.ts";
export type { HttpServerDevice } from "./device.ts";
export { type HttpHandler, type HttpRequest, type HttpResponse, header } from "./message.ts";
export {
  DEFAULT_PARSER_LIMITS,
  type ParsedRequest,
  type ParseError,
  type ParseResult,
  type ParserLimits,
  parseRequest,
  RequestParser,
} from "./parser.ts";
export {
  applyInput,
  type ConnectionInput,
  type ConnectionRecording,
  type ConnectionResult,
  recordInputs,
  replayInputs,
  type StepObserver,
} from "./record.ts";
export {
  encodeChunk,
  encodeLastChunk,
  freezeHeaders,
  type HeadOptions,
  httpDate,
  reasonPhrase,
  type SerializedResponse,
  type SerializeOptions,
  serializeHead,
  serializeResponse,
  statusHasBody,
} from "./serializer.ts";
export { createHttpServer, type HttpServerOptions, serveFlow } from "./server.ts";
export type {
  CloseReason,
  ConnectionState,
  ContinueState,
  Deadline,
  DrainReason,
} from "./state.ts";
export { keyOfPath, type ServeStoreOptions, serveStore, textResponse } from "./static.ts";
