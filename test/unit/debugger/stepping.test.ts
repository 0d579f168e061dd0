import assert from "node:assert/strict";
import { functionLines, opensFunction, suspends } from "../../../debugger/src/stepping.ts";

/** A bundle as esbuild prints it (an excerpt of hello's, with a class and a callback). */
const BUNDLE = `(() => {
  // src/unikernel.ts
  function measure(tick) {
    return tick * 7;
  }
  async function start({ console, clock }) {
    await console.log("debug me");
    for (let tick = 1; tick <= 3; tick++) {
      await clock.sleepNs(100n);
      clock.later(() => {
        console.log("in a callback");
      });
      await console.log(\`measured \${measure(tick)}\`);
    }
    await console.log("done");
  }
  var Server = class {
    async serve(handler) {
      const l = await this.listen();
      return l;
    }
  };
  void boot(start);
})();`.split("\n");

const line = (text: string) => BUNDLE.findIndex((l) => l.includes(text)) + 1;

describe("debugger: the function around a bundle line (stepping over await)", () => {
  it("tells function openers from blocks and literals", () => {
    for (const yes of [
      "  async function start({ console, clock }) {",
      "    async serve(handler) {",
      "      clock.later(() => {",
      "  function measure(tick) {",
      "(() => {",
      "    get size() {",
    ]) {
      assert.ok(opensFunction(yes), yes);
    }
    for (const no of [
      "    for (let tick = 1; tick <= 3; tick++) {",
      "    if (x) {",
      "  var Server = class {",
      "    const o = {",
      "    } else {",
      "    while (true) {",
    ]) {
      assert.ok(!opensFunction(no), no);
    }
  });

  it("an await in start(): start's lines, the callback's body left out", () => {
    const at = line("await clock.sleepNs");
    const measured = line("await console.log(`measured");
    assert.deepEqual(functionLines(BUNDLE, at), [
      line('await console.log("debug me")'),
      line("for (let tick"),
      at,
      line("clock.later(() => {"),
      measured,
      measured + 1, // the for loop's closing brace
      line('await console.log("done")'),
    ]);
  });

  it("a method's lines; nothing for the bundle's top level", () => {
    const at = line("await this.listen()");
    assert.deepEqual(functionLines(BUNDLE, at), [at, line("return l;")]);
    assert.equal(functionLines(BUNDLE, 1), undefined);
  });

  it("only lines that await (or yield) need it", () => {
    assert.ok(suspends("    await clock.sleepNs(100n);"));
    assert.ok(!suspends("    return awaited;"));
    assert.ok(!suspends(undefined));
  });
});
