// Placeholder types; the HTTP/1.1 implementation lands next (issue 2, item 4).
export interface HttpRequest {
  method: string;
  target: string;
  path: string;
  query: string;
  version: "1.0" | "1.1";
  headers: [name: string, value: string][];
  body: Uint8Array;
}
export interface HttpResponse {
  status: number;
  headers?: [name: string, value: string][];
  body?: Uint8Array | string;
}
export type HttpHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;
