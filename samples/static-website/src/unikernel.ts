import type { Devices } from "morgana:devices";
import { serveStore } from "@morgana/stack/http";

/**
 * Serves the htdocs folder: GET and HEAD with media types, ETags and 304s, 404 and 405
 * (`serveStore` in stack/http/static.ts does the HTTP; this file only wires it).
 */
export async function start({ console, htdocs, http }: Devices): Promise<void> {
  await console.log(`static-website: serving htdocs on port ${http.port}`);
  await http.serve(serveStore(htdocs));
}
