/** The language client: starts the checkout's `morgana-language-server` over stdio for unikernel.yaml. */
import type { ExtensionContext } from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { serverPath } from "./cli.ts";

export const LANGUAGE_ID = "unikernel-yaml";

/**
 * Starts the server with the chosen target, so its diagnostics are the ones `morgana
 * configure -t TARGET` reports; `setTarget` tells it when the status-bar choice changes.
 */
export async function startLanguageClient(
  context: ExtensionContext,
  checkout: string,
  target: string,
): Promise<LanguageClient> {
  const module = serverPath(checkout);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: LANGUAGE_ID }],
    initializationOptions: { morgana: { target } },
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

export function setTarget(client: LanguageClient, target: string): Promise<void> {
  return client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { morgana: { target } },
  });
}
