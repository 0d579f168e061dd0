import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpened } from "../../tool/src/api/build.ts";
import {
  build,
  configure,
  describe as describeProject,
  listTargets,
  newProject,
  run,
} from "../../tool/src/api/index.ts";
import { boot } from "../../tool/src/api/run.ts";
import { openProject } from "../../tool/src/project.ts";
import { findTarget, type Target } from "../../tool/src/targets/index.ts";
import { freePort, removeDir, tempDir } from "./lib/morgana.ts";

/**
 * The tool as a library, called in-process as the extension, the emulator and the debugger do:
 * results with diagnostics, a run handle, and the target hooks build and run go through.
 */
describe("e2e: the tool as a library", function () {
  this.timeout(60_000);
  let dir: string;
  let port: number;

  before(async () => {
    dir = tempDir("api");
    removeDir(dir);
    const made = newProject({ template: "static-website", dir });
    assert.equal(made.ok, true, JSON.stringify(made.diagnostics));
    port = await freePort();
    const yaml = join(dir, "unikernel.yaml");
    writeFileSync(yaml, readFileSync(yaml, "utf8").replace('"8080:80"', `"${port}:80"`));
  });
  after(() => removeDir(dir));

  it("new refuses a non-empty folder and an unknown template with diagnostics", () => {
    const taken = newProject({ template: "hello", dir });
    assert.equal(taken.ok, false);
    assert.equal(taken.diagnostics[0]?.code, "project-exists");
    const unknown = newProject({ template: "helo", dir: join(dir, "x") });
    assert.equal(unknown.diagnostics[0]?.code, "unknown-template");
    assert.equal(unknown.diagnostics[0]?.suggestion, "hello");
  });

  it("configure, describe and listTargets answer data", () => {
    const c = configure({ projectDir: dir, target: "unix" });
    assert.equal(c.ok, true);
    assert.ok(c.files?.includes(join(".morgana", "unix", "main.ts")));
    const d = describeProject({ projectDir: dir, target: "unix" });
    assert.equal(d.devices?.find((x) => x.name === "http")?.deps.stack, "net");
    assert.match(d.devices?.find((x) => x.name === "net")?.implementation ?? "", /sockets/);
    const unix = listTargets().find((t) => t.name === "unix");
    assert.ok(unix?.available && unix.missing.includes("kv_rw"));
  });

  it("build reports type errors as diagnostics, never throws", async () => {
    const entry = join(dir, "src", "unikernel.ts");
    const good = readFileSync(entry, "utf8");
    writeFileSync(entry, `${good}\nexport const oops: number = "text";\n`);
    try {
      const r = await build({ projectDir: dir, target: "unix" });
      assert.equal(r.ok, false);
      const d = r.diagnostics.find((x) => x.code === "type-error");
      assert.ok(d, JSON.stringify(r.diagnostics));
      assert.match(d.message, /^TS2322: /);
      assert.match(d.file ?? "", /src[/\\]unikernel\.ts$/);
      assert.equal(d.span?.line, good.split("\n").length + 1);
    } finally {
      writeFileSync(entry, good);
    }
  });

  it("run builds, boots, announces its URL, serves, and stops through its handle", async () => {
    const steps: string[] = [];
    const r = await run({
      projectDir: dir,
      target: "unix",
      progress: {
        step: (label, work) => {
          steps.push(label);
          return work();
        },
      },
    });
    assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
    assert.deepEqual(steps, ["type-check the app against its devices", "bundle for unix"]);
    const instance = r.instance;
    assert.ok(instance);
    let output = "";
    instance.onOutput((text) => {
      output += text;
    });
    const url = await new Promise<string>((resolve) => instance.onUrl(resolve));
    assert.equal(url, `http://127.0.0.1:${port}/`);
    const res = await fetch(`${url}index.html`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<html/i);
    assert.equal(await instance.stop(), 143, output);
    assert.deepEqual(instance.urls, [url]);
  });

  it("a target's link and launch hooks are what build and run call", async () => {
    const unix = findTarget("unix") as Target;
    const calls: string[] = [];
    // A board-like target: the bundle is "linked" into an image, which a launcher runs.
    const board: Target = {
      ...unix,
      artifact: (name) => `${name}.img`,
      async link(ctx) {
        calls.push(`link ${ctx.bundle.endsWith(".mjs")}`);
        const image = join(ctx.outDir, `${ctx.config.name}.img`);
        await ctx.step("link the image", async () => {
          writeFileSync(image, `IMAGE\n${readFileSync(ctx.bundle, "utf8").length}\n`);
        });
        return { diagnostics: [], artifact: image };
      },
      async launch(ctx) {
        calls.push("launch");
        return {
          command: process.execPath,
          args: [
            "-e",
            "process.stdout.write(require('fs').readFileSync(process.argv[1], 'utf8'))",
            ctx.artifact,
          ],
          cwd: ctx.root,
          cleanup: async () => {
            calls.push("cleanup");
          },
        };
      },
    };
    const { project } = openProject(dir, "unix");
    assert.ok(project);
    const built = await buildOpened(project, board, { step: (_l, work) => work() }, []);
    assert.equal(built.ok, true, JSON.stringify(built.diagnostics));
    assert.equal(built.output, join("dist", "unix", `${project.config.name}.img`));
    const image = join(dir, built.output ?? "");
    assert.ok(existsSync(image));
    const booted = await boot(project, board, image, "pipe");
    let out = "";
    booted.instance?.onOutput((t) => {
      out += t;
    });
    assert.equal(await booted.instance?.exited, 0);
    assert.match(out, /^IMAGE\n\d+\n$/);
    assert.deepEqual(calls, ["link true", "launch", "cleanup"]);
  });

  it("a failed launch hook is a diagnostic, not a throw", async () => {
    const unix = findTarget("unix") as Target;
    const refusing: Target = {
      ...unix,
      launch: async () => ({
        diagnostics: [{ severity: "error", code: "launch-error", message: "needs root" }],
      }),
    };
    const { project } = openProject(dir, "unix");
    assert.ok(project);
    const r = await boot(project, refusing, "nowhere", "pipe");
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ["needs root"],
    );
  });
});
