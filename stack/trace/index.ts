/** Protocol tracing: the event shape every pure core reports, and tracers to collect it. */
export { TraceRecorder } from "./recorder.ts";
export {
  fanOut,
  filterTracer,
  type Json,
  parseTraceEventJson,
  type TraceEvent,
  type TraceLayer,
  type Tracer,
  traceEventJson,
} from "./tracer.ts";
