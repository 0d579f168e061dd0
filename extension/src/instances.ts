/**
 * Running unikernels: each is `morgana run -t TARGET` in its own process group, its console
 * shown in a VS Code terminal, the URLs it prints (`listening on http://...`) collected for
 * the Unikernels view. Stop sends SIGINT to the group, as Ctrl-C in a shell would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { basename } from "node:path";
import * as vscode from "vscode";
import { type CliContext, cliPath, type Problem, problemOfLine } from "./cli.ts";

export interface Instance {
  id: number;
  project: string;
  target: string;
  name: string;
  urls: string[];
  state: "starting" | "running" | "exited";
  exitCode?: number;
  terminal: vscode.Terminal;
  stop(): Promise<void>;
}

const LISTENING = /listening on (https?:\/\/\S+)/;
/** The CLI's line once the build is done and the unikernel starts. */
const BOOTING = /^booting \S+ on \S+/;
const URL_GRACE_MS = 5_000;

export class Instances implements vscode.Disposable {
  private readonly list: Instance[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private next = 1;

  /** `problems` receives the build errors `run` prints before booting. */
  constructor(private readonly problems: (project: string, list: Problem[]) => void) {}

  get all(): readonly Instance[] {
    return this.list.filter((i) => i.state !== "exited");
  }

  start(ctx: CliContext, project: string, target: string): Instance {
    const write = new vscode.EventEmitter<string>();
    const close = new vscode.EventEmitter<number | undefined>();
    const name = basename(project);
    let child: ChildProcess | undefined;
    const found: Problem[] = [];
    let exited: Promise<void> = Promise.resolve();

    const instance: Instance = {
      id: this.next++,
      project,
      target,
      name,
      urls: [],
      state: "starting",
      terminal: undefined as unknown as vscode.Terminal,
      stop: async () => {
        if (!child || instance.state === "exited" || child.pid === undefined) return;
        try {
          process.kill(-child.pid, "SIGINT");
        } catch {
          // gone already
        }
        await exited;
      },
    };

    const onLine = (line: string) => {
      const url = LISTENING.exec(line)?.[1];
      if (url && !instance.urls.includes(url)) {
        instance.urls.push(url);
        instance.state = "running";
        this.changed.fire();
      }
      // Booted but serving nothing (yet): running all the same, after a grace period in
      // which a `listening on` line usually follows.
      if (BOOTING.test(line) && instance.state === "starting") {
        setTimeout(() => {
          if (instance.state !== "starting") return;
          instance.state = "running";
          this.changed.fire();
        }, URL_GRACE_MS);
      }
      const problem = problemOfLine(line);
      if (problem) found.push(problem);
    };

    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: () => {
        write.fire(`\x1b[2mmorgana run -t ${target} (in ${project})\x1b[0m\r\n`);
        child = spawn(ctx.node, [cliPath(ctx.checkout), "run", "-t", target], {
          cwd: project,
          env: ctx.env,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let pending = "";
        const onData = (d: Buffer) => {
          const text = pending + d.toString("utf8");
          const lines = text.split("\n");
          pending = lines.pop() ?? "";
          for (const l of lines) onLine(l);
          write.fire(d.toString("utf8").replace(/\r?\n/g, "\r\n"));
        };
        child.stdout?.on("data", onData);
        child.stderr?.on("data", onData);
        exited = new Promise((done) => {
          child?.on("close", (code, signal) => {
            instance.state = "exited";
            instance.exitCode = code ?? (signal === "SIGINT" ? 130 : 143);
            write.fire(`\r\n\x1b[2m${name} exited (${instance.exitCode})\x1b[0m\r\n`);
            this.problems(project, found);
            this.changed.fire();
            done();
          });
          child?.on("error", (err) => {
            write.fire(`\r\ncould not start: ${err.message}\r\n`);
          });
        });
      },
      close: () => void instance.stop(),
      handleInput: (data) => {
        if (data === "\x03") void instance.stop();
      },
    };
    instance.terminal = vscode.window.createTerminal({ name: `Morgana: ${name} (${target})`, pty });
    this.list.push(instance);
    this.changed.fire();
    return instance;
  }

  /** Waits until the instance listens or exits. */
  ready(instance: Instance): Promise<void> {
    return new Promise((done) => {
      if (instance.state !== "starting") return done();
      const sub = this.onDidChange(() => {
        if (instance.state !== "starting") {
          sub.dispose();
          done();
        }
      });
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  dispose(): void {
    void this.stopAll();
    this.changed.dispose();
  }
}
