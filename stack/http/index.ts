export type { HttpHandler, HttpRequest, HttpResponse } from "./server.ts";
