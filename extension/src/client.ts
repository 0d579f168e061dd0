/** The language client: starts the checkout's `morgana-language-server` over stdio for unikernel.yaml. */
import type { ExtensionContext } from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { serverPath } from "./cli.ts";

export const LANGUAGE_ID = "unikernel-yaml";

export async function startLanguageClient(
  context: ExtensionContext,
  checkout: string,
): Promise<LanguageClient> {
  const module = serverPath(checkout);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: LANGUAGE_ID }],
  };
  const client = new LanguageClient(
    "morgana",
    "Morgana: unikernel.yaml",
    serverOptions,
    clientOptions,
  );
  context.subscriptions.push(client);
  await client.start();
  return client;
}
