/**
 * The debug session: one method per DAP request, over XS's debugger (xsbug.ts) on a board
 * booted by the tool (board.ts), with positions mapped between the bundle XS runs and the
 * TypeScript it came from (sourcemap.ts).
 *
 * How DAP meets xsbug:
 * - launch boots the image (it waits at XS's login), connects, then sends `initialized`; the
 *   breakpoints the editor sets go to XS in one `set-all-breakpoints` at configurationDone,
 *   which also lets XS run (stopOnEntry adds one on the bundle's first line, then steps on to
 *   the first line a source maps to).
 * - a TypeScript breakpoint becomes a breakpoint on the first bundle line holding its code;
 *   a line with none is refused (unverified) with a message saying so.
 * - XS stops with one message (frames, the top frame's variables, globals, why): stackTrace,
 *   scopes and the top frame's variables answer from it; another frame's variables cost a
 *   `select`, an object's properties a `toggle` (XS expands it in place). Objects expanded
 *   while stopped are collapsed again before XS runs on, so later stops stay small.
 * - next/stepIn/stepOut are step/step-inside/step-outside, repeated while XS stays on the
 *   same TypeScript line or in bundle code no source maps to, and over an `await` helped by
 *   breakpoints on the function's lines (stepping.ts); pause is `step` sent while XS
 *   runs (xsbug has no pause), so XS stops at the next line it runs.
 * - the board's console is output (stdout); its exit code ends the session (exited, then
 *   terminated); disconnect and terminate stop QEMU.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Progress } from "@morgana/tool/api";
import {
  Breakpoint,
  DebugSession,
  ExitedEvent,
  Handles,
  InitializedEvent,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ANNOUNCE, BootError, type BootedBoard, bootForDebug } from "./board.ts";
import { canonicalPath, type SourcePosition } from "./sourcemap.ts";
import { functionLines, suspends } from "./stepping.ts";
import {
  command,
  XsbugClient,
  type XsFrame,
  type XsLocal,
  type XsMessage,
  type XsProperty,
} from "./xsbug.ts";

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The project folder (holding unikernel.yaml, or a folder inside it). */
  project?: string;
  /** The board target; default cubieboard2. */
  target?: string;
  /** Boot the last `--debug` build as it is (an editor that has just built it). */
  noBuild?: boolean;
  /** Stop at the first line of JavaScript the board runs. */
  stopOnEntry?: boolean;
  /** The local TCP port for XS's debugger; default a free one. */
  xsbugPort?: number;
}

const THREAD_ID = 1;
/** The exception filter: XS breaks at every throw, caught or not. */
const EXCEPTIONS = "exceptions";
/** Steps repeated at most this often to leave a TypeScript line or unmapped code. */
const MAX_SMART_STEPS = 200;

type StepKind = "step" | "step-inside" | "step-outside";

/** What a variables reference stands for, valid while XS stays stopped. */
type VarRef =
  | { kind: "local"; frame: number }
  | { kind: "global" }
  | {
      kind: "object";
      root: "local" | "global";
      frame: number;
      /** Indexes from the root's list down to this object. */
      path: number[];
      address: string;
    };

/** XS stopped: what it said, and what has been asked of it since. */
interface Stop {
  frames: XsFrame[];
  /** Variables by frame index, as last received. */
  locals: Map<number, XsLocal>;
  global: XsProperty[];
  /** The frame XS has selected (its `local` is that frame's). */
  selected: number;
  /** Objects toggled open in XS while stopped (collapsed again before it runs on). */
  expanded: Set<string>;
}

export class MorganaDebugSession extends DebugSession {
  private board: BootedBoard | undefined;
  private xs: XsbugClient | undefined;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((r) => {
    this.configured = r;
  });
  /** Per source (canonical path): the breakpoint lines asked for and the bundle lines they became. */
  private readonly breakpoints = new Map<string, { line: number; bundleLine?: number }[]>();
  /** Bundle lines XS has a breakpoint on. */
  private readonly xsBreakpoints = new Set<number>();
  /** Breakpoints for one step over an `await` (stepping.ts), cleared at the next stop. */
  private stepBreakpoints = new Set<number>();
  /** The bundle's lines, read once (for stepping over `await`). */
  private bundleText: string[] | undefined;
  private breakOnExceptions = false;
  private started = false;
  private atStop: Stop | undefined;
  private handles = new Handles<VarRef>();
  private stepping:
    | { kind: StepKind; origin: string | undefined; depth: number; count: number }
    | undefined;
  /** A stop asked for without a breakpoint (a `step` while running): what to call it. */
  private pending: "entry" | "pause" | undefined;
  private ended = false;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsTerminateRequest: true,
      supportsEvaluateForHovers: true,
      exceptionBreakpointFilters: [
        {
          filter: EXCEPTIONS,
          label: "Thrown Exceptions",
          description: "XS stops at every throw, caught or not (xsbug has no uncaught-only mode)",
          default: false,
        },
      ],
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: LaunchArguments,
  ): Promise<void> {
    const progress: Progress = {
      step: async (label, work, failed) => {
        const t0 = Date.now();
        const value = await work();
        const bad = failed?.(value) === true;
        this.say(`${bad ? "✗" : "✓"} ${label} (${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
        return value;
      },
    };
    const target = args.target ?? "cubieboard2";
    this.say(
      `${args.noBuild ? "Booting" : "Building and booting"} ${args.project ?? process.cwd()} on ${target} with XS's debugger...\n`,
    );
    try {
      this.board = await bootForDebug({
        project: args.project ?? process.cwd(),
        target,
        noBuild: args.noBuild,
        xsbugPort: args.xsbugPort,
        progress,
        output: (text, stream) => this.boardOutput(text, stream),
      });
    } catch (err) {
      const message = err instanceof BootError ? err.message : String(err);
      this.sendErrorResponse(response, { id: 1001, format: message, showUser: true });
      this.sendEvent(new TerminatedEvent());
      return;
    }
    const board = this.board;
    if (!board.map) {
      this.say(
        `no source map beside ${board.bundle}: breakpoints and frames are the bundle's lines\n`,
      );
    }
    void board.instance.exited.then((code) => this.boardExited(code));
    try {
      this.xs = await XsbugClient.connect(board.port);
      await this.loggedIn(this.xs);
      this.say(`connected to XS's debugger (127.0.0.1:${board.port})\n`);
    } catch (err) {
      await board.instance.stop();
      this.sendErrorResponse(response, {
        id: 1002,
        format: `could not reach XS's debugger on port ${board.port}: ${(err as Error).message}`,
        showUser: true,
      });
      return;
    }
    this.xs.on("message", (m: XsMessage) => this.fromXs(m));
    this.xs.on("error", (err: Error) => this.say(`xsbug: ${err.message}\n`, "stderr"));
    // XS waits at its login: the editor sends its breakpoints now, then configurationDone.
    this.sendEvent(new InitializedEvent());
    await this.configurationDone;
    const elements = [...this.xsBreakpoints].map((line) =>
      command("breakpoint", { path: board.scriptPath, line }),
    );
    if (this.breakOnExceptions) elements.push(command("breakpoint", { path: EXCEPTIONS, line: 0 }));
    if (args.stopOnEntry) {
      // The bundle's first line runs first (its wrapper). A `step` sent now would not do: with
      // no JS running XS keeps it for the next host call, which the runtime's own set-up takes.
      this.pending = "entry";
      if (!this.xsBreakpoints.has(1)) {
        elements.push(command("breakpoint", { path: board.scriptPath, line: 1 }));
      }
    }
    // One element, so XS's login loop reads all of it before the app's first line.
    if (elements.length > 0) {
      this.xs.send(`<set-all-breakpoints>${elements.join("")}</set-all-breakpoints>`);
    } else {
      this.xs.send(command("go"));
    }
    this.started = true;
    this.sendResponse(response);
  }

  /** Resolves once XS's login has come (the bridge replays it to whoever connects). */
  private loggedIn(xs: XsbugClient): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no login from XS in 60 s")), 60_000);
      const on = (m: XsMessage) => {
        if (m.kind !== "login") return;
        clearTimeout(timer);
        xs.off("message", on);
        resolve();
      };
      xs.on("message", on);
      xs.once("close", () => reject(new Error("the connection closed before XS logged in")));
    });
  }

  protected override configurationDoneRequest(
    response: DebugProtocol.ConfigurationDoneResponse,
  ): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    const path = args.source.path;
    const asked = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    if (!path || !this.board) {
      response.body = {
        breakpoints: asked.map(() => ({ verified: false, message: "no board is running" })),
      };
      this.sendResponse(response);
      return;
    }
    const key = canonicalPath(path);
    const results: DebugProtocol.Breakpoint[] = [];
    const kept: { line: number; bundleLine?: number }[] = [];
    for (const b of asked) {
      const where = this.bundleLineFor(key, b.line);
      const bp: DebugProtocol.Breakpoint = new Breakpoint(
        where.bundleLine !== undefined,
        b.line,
        undefined,
        new Source(basename(path), path),
      );
      if (where.message) bp.message = where.message;
      results.push(bp);
      kept.push({ line: b.line, bundleLine: where.bundleLine });
    }
    this.breakpoints.set(key, kept);
    this.syncBreakpoints();
    response.body = { breakpoints: results };
    this.sendResponse(response);
  }

  /** The bundle line a breakpoint at `line` of `path` (canonical) goes on, or why none. */
  private bundleLineFor(path: string, line: number): { bundleLine?: number; message?: string } {
    const board = this.board as BootedBoard;
    if (path === canonicalPath(board.bundle)) return { bundleLine: line };
    const map = board.map;
    if (!map?.has(path)) {
      return {
        message: `not in the image: ${board.scriptPath} holds no code from this file`,
      };
    }
    const lines = map.bundleLines(path, line);
    if (lines.length > 0) return { bundleLine: lines[0] };
    const next = map.nextLineWithCode(path, line);
    return {
      message: `no code on line ${line} in the image${next === undefined ? "" : ` (the next line with code is ${next})`}`,
    };
  }

  /** Brings XS's breakpoints in line with what every source asks for. */
  private syncBreakpoints(): void {
    const board = this.board;
    if (!board) return;
    const want = new Set<number>();
    for (const list of this.breakpoints.values()) {
      for (const b of list) if (b.bundleLine !== undefined) want.add(b.bundleLine);
    }
    const out: string[] = [];
    for (const line of this.xsBreakpoints) {
      if (!want.has(line)) {
        this.xsBreakpoints.delete(line);
        out.push(command("clear-breakpoint", { path: board.scriptPath, line }));
      }
    }
    for (const line of want) {
      if (!this.xsBreakpoints.has(line)) {
        this.xsBreakpoints.add(line);
        out.push(command("set-breakpoint", { path: board.scriptPath, line }));
      }
    }
    // Before configurationDone they go in the first set-all-breakpoints instead.
    if (this.started) this.xs?.send(...out);
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    const on = args.filters.includes(EXCEPTIONS);
    if (on !== this.breakOnExceptions) {
      this.breakOnExceptions = on;
      if (this.started) {
        this.xs?.send(
          command(on ? "set-breakpoint" : "clear-breakpoint", { path: EXCEPTIONS, line: 0 }),
        );
      }
    }
    response.body = { breakpoints: args.filters.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const name = this.board ? `${this.board.instance.name} (XS)` : "XS";
    response.body = { threads: [new Thread(THREAD_ID, name)] };
    this.sendResponse(response);
  }

  /** Where a frame is, in TypeScript when the map says, else in the bundle; undefined: no script. */
  private positionOf(frame: { path?: string; line?: number }): SourcePosition | undefined {
    const board = this.board;
    if (!board || frame.path === undefined || frame.line === undefined) return undefined;
    if (frame.path !== board.scriptPath) return { path: frame.path, line: frame.line, column: 1 };
    return board.map?.original(frame.line) ?? { path: board.bundle, line: frame.line, column: 1 };
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    const frames = this.atStop?.frames ?? [];
    const start = args.startFrame ?? 0;
    const end = args.levels ? start + args.levels : frames.length;
    const stackFrames = frames.slice(start, end).map((f, i) => {
      const at = this.positionOf(f);
      const name = f.name || "(anonymous)";
      const frame: DebugProtocol.StackFrame = new StackFrame(
        start + i + 1,
        name,
        at ? new Source(basename(at.path), at.path) : undefined,
        at?.line ?? 0,
        at?.column ?? 0,
      );
      if (!at) frame.presentationHint = "subtle";
      return frame;
    });
    response.body = { stackFrames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(
    response: DebugProtocol.ScopesResponse,
    args: DebugProtocol.ScopesArguments,
  ): void {
    const frame = args.frameId - 1;
    const name = this.atStop?.frames[frame]?.name;
    response.body = {
      scopes: [
        new Scope(
          name ? `Local: ${name}` : "Local",
          this.handles.create({ kind: "local", frame }),
          false,
        ),
        new Scope("Global", this.handles.create({ kind: "global" }), true),
      ],
    };
    this.sendResponse(response);
  }

  protected override async variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): Promise<void> {
    const ref = this.handles.get(args.variablesReference);
    let variables: DebugProtocol.Variable[] = [];
    try {
      if (ref && this.atStop) variables = await this.variablesOf(ref);
    } catch (err) {
      this.sendErrorResponse(response, { id: 1003, format: (err as Error).message });
      return;
    }
    response.body = { variables };
    this.sendResponse(response);
  }

  private async variablesOf(ref: VarRef): Promise<DebugProtocol.Variable[]> {
    if (ref.kind === "local") {
      const local = await this.localOf(ref.frame);
      const list = (local?.properties ?? []).filter(
        (p) => !((p.name === "new.target" || p.name === "(return)") && p.value === "undefined"),
      );
      return list.map((p) => {
        const v = this.variable(p, {
          root: "local",
          frame: ref.frame,
          path: [local?.properties.indexOf(p) ?? -1],
        });
        // The frame's own function: XS names it only in the frame.
        if (p.name === "(function)" && local?.name) v.value = `ƒ ${local.name}`;
        return v;
      });
    }
    if (ref.kind === "global") {
      const list = this.atStop?.global ?? [];
      return list.map((p, i) => this.variable(p, { root: "global", frame: 0, path: [i] }));
    }
    const children = await this.childrenOf(ref);
    return children.map((p, i) =>
      this.variable(p, { root: ref.root, frame: ref.frame, path: [...ref.path, i] }),
    );
  }

  private variable(
    p: XsProperty,
    at: { root: "local" | "global"; frame: number; path: number[] },
  ): DebugProtocol.Variable {
    const isObject = p.state !== " " && p.value.startsWith("@");
    return {
      name: p.name === "(..)" ? "[[Prototype]]" : p.name,
      value: isObject ? objectSummary(p) : displayValue(p.value),
      variablesReference: isObject
        ? this.handles.create({ kind: "object", ...at, address: p.value })
        : 0,
    };
  }

  /** The variables of frame `index` (0 is the innermost), asking XS to select it if need be. */
  private async localOf(index: number): Promise<XsLocal | undefined> {
    const stop = this.atStop;
    if (!stop) return undefined;
    const known = stop.locals.get(index);
    if (known) return known;
    const frame = stop.frames[index];
    if (!frame || !this.xs) return undefined;
    await this.view(stop, command("select", { id: frame.id }), index);
    return stop.locals.get(index);
  }

  /** Sends a command XS answers with a view, and keeps what the view says. */
  private async view(stop: Stop, element: string, selects?: number): Promise<void> {
    const view = await (this.xs as XsbugClient).request(element);
    if (this.atStop !== stop) return;
    if (selects !== undefined) stop.selected = selects;
    if (view.local) stop.locals.set(stop.selected, view.local);
    if (view.global) stop.global = view.global;
  }

  /** An object's properties: XS shows them once it is toggled open. */
  private async childrenOf(ref: Extract<VarRef, { kind: "object" }>): Promise<XsProperty[]> {
    const stop = this.atStop;
    if (!stop) return [];
    const find = () => {
      let list: XsProperty[] | undefined =
        ref.root === "local" ? stop.locals.get(ref.frame)?.properties : stop.global;
      let node: XsProperty | undefined;
      for (const i of ref.path) {
        node = list?.[i];
        list = node?.children;
      }
      return node?.value === ref.address ? node : undefined;
    };
    const shown = find();
    if (shown?.children) return shown.children;
    // The view it is in must be the selected frame's (globals come with every view).
    if (ref.root === "local" && stop.selected !== ref.frame) {
      const frame = stop.frames[ref.frame];
      if (frame) await this.view(stop, command("select", { id: frame.id }), ref.frame);
      const again = find();
      if (again?.children) return again.children;
    }
    if (!stop.expanded.has(ref.address)) {
      stop.expanded.add(ref.address);
      await this.view(stop, command("toggle", { id: ref.address }));
    }
    return find()?.children ?? [];
  }

  protected override async evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): Promise<void> {
    const names = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(args.expression.trim())
      ? args.expression.trim().split(".")
      : undefined;
    const found =
      names && this.atStop ? await this.lookUp(names, (args.frameId ?? 1) - 1) : undefined;
    if (!found) {
      this.sendErrorResponse(response, {
        id: 1004,
        format: names
          ? `${args.expression} is not a variable of this frame or a global`
          : "the board's debugger reads variables by name (a.b.c) only: XS's eval needs code compiled on the host",
      });
      return;
    }
    response.body = { result: found.value, variablesReference: found.variablesReference };
    this.sendResponse(response);
  }

  /** A variable by its name and property names, from the frame's locals, else the globals. */
  private async lookUp(
    names: string[],
    frame: number,
  ): Promise<DebugProtocol.Variable | undefined> {
    let list = await this.variablesOf({ kind: "local", frame });
    let found = list.find((v) => v.name === names[0]);
    if (!found) {
      list = await this.variablesOf({ kind: "global" });
      found = list.find((v) => v.name === names[0]);
    }
    for (const name of names.slice(1)) {
      if (!found?.variablesReference) return undefined;
      const ref = this.handles.get(found.variablesReference);
      if (!ref) return undefined;
      list = await this.variablesOf(ref);
      found = list.find((v) => v.name === name);
    }
    return found;
  }

  protected override async continueRequest(
    response: DebugProtocol.ContinueResponse,
  ): Promise<void> {
    await this.resume(command("go"));
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
  }

  protected override async nextRequest(response: DebugProtocol.NextResponse): Promise<void> {
    await this.step("step");
    this.sendResponse(response);
  }

  protected override async stepInRequest(response: DebugProtocol.StepInResponse): Promise<void> {
    await this.step("step-inside");
    this.sendResponse(response);
  }

  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> {
    await this.step("step-outside");
    this.sendResponse(response);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    // xsbug has no pause: a step while XS runs stops it at the next line it runs.
    if (!this.atStop && this.xs) {
      this.pending = "pause";
      this.stepping = { kind: "step-inside", origin: undefined, depth: 0, count: 0 };
      this.xs.send(command("step"));
    }
    this.sendResponse(response);
  }

  private async step(kind: StepKind): Promise<void> {
    const top = this.atStop?.frames[0];
    const at = top && this.positionOf(top);
    this.armAwaitStep(kind);
    this.stepping = {
      kind,
      origin: at && `${at.path}:${at.line}`,
      depth: this.atStop?.frames.length ?? 0,
      count: 0,
    };
    await this.resume(command(kind));
  }

  /**
   * A step from a line that awaits (for step-outside: to a caller that awaits) would leave
   * XS's marked frames: breakpoints on that function's lines catch it when it resumes.
   */
  private armAwaitStep(kind: StepKind): void {
    const board = this.board;
    const frame = this.atStop?.frames[kind === "step-outside" ? 1 : 0];
    if (!board?.map || !frame || frame.path !== board.scriptPath || frame.line === undefined)
      return;
    this.bundleText ??= readFileSync(board.bundle, "utf8").split("\n");
    if (!suspends(this.bundleText[frame.line - 1])) return;
    const map = board.map;
    const lines = (functionLines(this.bundleText, frame.line) ?? []).filter(
      (l) => !this.xsBreakpoints.has(l) && map.original(l) !== undefined,
    );
    this.stepBreakpoints = new Set(lines);
    this.xs?.send(
      ...lines.map((line) => command("set-breakpoint", { path: board.scriptPath, line })),
    );
  }

  /** Collapses what was opened while stopped, then lets XS run with `element`. */
  private async resume(element: string): Promise<void> {
    const stop = this.atStop;
    if (!stop || !this.xs) return;
    for (const address of stop.expanded) {
      await this.xs.request(command("toggle", { id: address })).catch(() => {});
    }
    this.atStop = undefined;
    this.handles.reset();
    this.xs.send(element);
  }

  private fromXs(m: XsMessage): void {
    switch (m.kind) {
      case "break":
        this.onBreak(m);
        return;
      case "log": {
        const at = m.path !== undefined && m.line !== undefined ? this.positionOf(m) : undefined;
        const where = at ? `${at.path}:${at.line}: ` : "";
        const event: DebugProtocol.OutputEvent = new OutputEvent(
          `${where}${m.text.trim()}\n`,
          "stderr",
        );
        if (at) {
          event.body.source = new Source(basename(at.path), at.path);
          event.body.line = at.line;
        }
        this.sendEvent(event);
        return;
      }
      default:
        return;
    }
  }

  private onBreak(m: Extract<XsMessage, { kind: "break" }>): void {
    const stop: Stop = {
      frames: m.frames,
      locals: new Map(m.local ? [[0, m.local]] : []),
      global: m.global ?? [],
      selected: 0,
      expanded: new Set(),
    };
    this.atStop = stop;
    this.handles.reset();
    let endsStep = false;
    if (this.stepBreakpoints.size > 0) {
      const board = this.board as BootedBoard;
      const top = m.frames[0];
      endsStep =
        m.reason === "breakpoint" &&
        top?.path === board.scriptPath &&
        top.line !== undefined &&
        this.stepBreakpoints.has(top.line);
      this.xs?.send(
        ...[...this.stepBreakpoints].map((line) =>
          command("clear-breakpoint", { path: board.scriptPath, line }),
        ),
      );
      this.stepBreakpoints = new Set();
      // The awaiting function resumed: the step ends here.
      if (endsStep) m = { ...m, reason: "step" };
    }
    if (this.pending === "entry" && m.reason === "breakpoint") {
      // The entry breakpoint on the bundle's first line: gone again unless the editor set one
      // there, then on to the first line some source maps to.
      const board = this.board as BootedBoard;
      if (!this.xsBreakpoints.has(1)) {
        this.xs?.send(command("clear-breakpoint", { path: board.scriptPath, line: 1 }));
      }
      this.stepping = { kind: "step-inside", origin: undefined, depth: 0, count: 0 };
      m = { ...m, reason: "step" };
    }
    const stepping = this.stepping;
    if (m.reason === "step" && stepping && !endsStep && this.keepStepping(stepping, m.frames)) {
      stepping.count++;
      void this.resume(command(stepping.kind === "step-outside" ? "step" : stepping.kind));
      return;
    }
    this.stepping = undefined;
    let reason: string;
    let description: string | undefined;
    let text: string | undefined;
    if (this.pending && m.reason === "step") {
      reason = this.pending;
    } else if (m.reason === "step") {
      reason = "step";
    } else if (m.reason === "breakpoint") {
      reason = "breakpoint";
    } else if (m.reason === "debugger" || m.reason === "C: xsDebugger") {
      reason = "breakpoint";
      description = "Paused on a debugger statement";
    } else {
      reason = "exception";
      description = "Paused on a thrown exception";
      text = m.reason;
    }
    this.pending = undefined;
    // What the board printed before it stopped comes first.
    this.flushStdout();
    const event: DebugProtocol.StoppedEvent = new StoppedEvent(reason, THREAD_ID, text);
    event.body.allThreadsStopped = true;
    if (description) event.body.description = description;
    this.sendEvent(event);
  }

  /**
   * Whether a step that stopped here should go on: still on the TypeScript line it left from
   * in the same frame, or in bundle code that no source maps to.
   */
  private keepStepping(
    stepping: NonNullable<MorganaDebugSession["stepping"]>,
    frames: XsFrame[],
  ): boolean {
    if (stepping.count >= MAX_SMART_STEPS || !this.board?.map) return false;
    const top = frames[0];
    if (!top || top.path !== this.board.scriptPath || top.line === undefined) return false;
    const at = this.board.map.original(top.line);
    if (!at) return true;
    return (
      stepping.kind !== "step-outside" &&
      frames.length === stepping.depth &&
      `${at.path}:${at.line}` === stepping.origin
    );
  }

  private say(text: string, category = "console"): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  /** The board's console (stdout) and its launcher's lines (stderr). */
  private stderrLine = "";
  /** Console text after its last newline, held briefly: the UART brings it a few bytes at a time. */
  private stdoutHeld = "";
  private stdoutTimer: NodeJS.Timeout | undefined;
  private boardOutput(text: string, stream: "stdout" | "stderr"): void {
    if (stream === "stdout") {
      this.stdoutHeld += text;
      const end = this.stdoutHeld.lastIndexOf("\n");
      if (end >= 0) {
        this.say(this.stdoutHeld.slice(0, end + 1), "stdout");
        this.stdoutHeld = this.stdoutHeld.slice(end + 1);
      }
      if (this.stdoutHeld !== "" && !this.stdoutTimer) {
        this.stdoutTimer = setTimeout(() => this.flushStdout(), 30);
      }
      return;
    }
    this.stderrLine += text;
    const end = this.stderrLine.lastIndexOf("\n");
    if (end < 0) return;
    for (const line of this.stderrLine.slice(0, end).split("\n")) {
      // The launcher's port line is for terminals; the session says when it is connected.
      if (!ANNOUNCE.test(line)) this.say(`${line}\n`, "stderr");
    }
    this.stderrLine = this.stderrLine.slice(end + 1);
  }

  private flushStdout(): void {
    clearTimeout(this.stdoutTimer);
    this.stdoutTimer = undefined;
    if (this.stdoutHeld !== "") this.say(this.stdoutHeld, "stdout");
    this.stdoutHeld = "";
  }

  private boardExited(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.flushStdout();
    if (this.stderrLine) this.say(`${this.stderrLine}\n`, "stderr");
    const meaning = this.board?.instance.exitMeaning(code);
    this.say(`the board exited with code ${code}${meaning ? `: ${meaning}` : ""}\n`);
    this.atStop = undefined;
    this.xs?.close();
    this.sendEvent(new ExitedEvent(code));
    this.sendEvent(new TerminatedEvent());
  }

  /** Stops QEMU (SIGTERM through the launcher, which passes it on) and waits for it. */
  private async stopBoard(): Promise<void> {
    const instance = this.board?.instance;
    if (!instance) return;
    this.xs?.close();
    const stopped = instance.stop();
    const late = new Promise<void>((r) => setTimeout(r, 10_000).unref());
    await Promise.race([stopped, late]);
  }

  protected override async terminateRequest(
    response: DebugProtocol.TerminateResponse,
  ): Promise<void> {
    await this.stopBoard();
    this.sendResponse(response);
  }

  protected override async disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments,
  ): Promise<void> {
    if (args.terminateDebuggee !== false) await this.stopBoard();
    else this.xs?.close();
    this.sendResponse(response);
    this.shutdown();
  }
}

/** XS's text for a plain value, as a JavaScript reader expects it. */
export function displayValue(value: string): string {
  // BigInts come in hex (`0x15n`, `-0x2An`).
  const big = /^(-?)0x([0-9A-F]+)n$/.exec(value);
  if (big) return `${big[1]}${BigInt(`0x${big[2]}`)}n`;
  // Strings come in single quotes, not escaped inside.
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    return JSON.stringify(value.slice(1, -1));
  }
  return value;
}

/** An object's one-line summary: what XS tells of it once open (an array's length), else {…}. */
function objectSummary(p: XsProperty): string {
  const array = p.children?.find((c) => c.name === "(array)");
  if (array) return `Array(${Number.parseInt(array.value, 10)})`;
  return "{…}";
}
