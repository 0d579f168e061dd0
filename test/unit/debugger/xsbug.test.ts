import assert from "node:assert/strict";
import { displayValue } from "../../../debugger/src/session.ts";
import { decodeText, parseXml } from "../../../debugger/src/xml.ts";
import { command, MessageReader, readMessage } from "../../../debugger/src/xsbug.ts";

/** A stop as XS sent it from a board (globals cut to three), measure() at hello.js:225. */
const BREAK =
  '<xsbug><frames><frame name="measure" value="@40425300" path="hello.js" line="225"/>' +
  '<frame name="start" value="@40425460" path="hello.js" line="231"/>' +
  '<frame name="@anonymous-21" value="@404254E0"/><frame name="(host)" value="@404255D0"/></frames>' +
  '<local name="measure" value="@40425300" path="hello.js" line="225">' +
  '<property flags=" cew_" name="(return)" value="undefined"/>' +
  '<property flags="+cew_" name="(function)" value="@404365F8"/>' +
  '<property flags=" Cew_" name="tick" value="1"/><property flags=" CeW_" name="measuredArea" value="7"/>' +
  '<property flags="+CeW_" name="shape" value="@40439728"/></local>' +
  '<global><property flags=" cew_" name="[Symbol.match]"/>' +
  '<property flags="+cEw_" name="Array" value="@4042A948"/>' +
  '<property flags=" CEW_" name="NaN" value="NaN"/></global><grammar></grammar>' +
  '<break path="hello.js" line="225"># Break: breakpoint!\n</break></xsbug>';

/** The answer to `<toggle id="@40439728"/>`: shape shown open, its array still closed. */
const VIEW =
  '<xsbug><local name="measure" value="@40425300" path="hello.js" line="225">' +
  '<property flags=" Cew_" name="tick" value="1"/>' +
  '<property flags="-CeW_" name="shape" value="@40439728"><property flags="+cew_" name="(..)" value="@40427D48"/>' +
  '<property flags=" cew_" name="kind" value="\'square\'"/><property flags="+cew_" name="sides" value="@40439748"/>' +
  '<property flags=" cew_" name="big" value="0x56BC75E2D63100000n"/></property></local>' +
  "<global></global><grammar></grammar></xsbug>";

describe("debugger: xsbug messages read from XS's XML", () => {
  it("a stop: frames innermost first, the top frame's variables, globals, why", () => {
    const m = readMessage(BREAK);
    assert.equal(m.kind, "break");
    if (m.kind !== "break") return;
    assert.equal(m.reason, "breakpoint");
    assert.equal(m.path, "hello.js");
    assert.equal(m.line, 225);
    assert.deepEqual(
      m.frames.map((f) => [f.name, f.id, f.path, f.line]),
      [
        ["measure", "@40425300", "hello.js", 225],
        ["start", "@40425460", "hello.js", 231],
        ["@anonymous-21", "@404254E0", undefined, undefined],
        ["(host)", "@404255D0", undefined, undefined],
      ],
    );
    assert.equal(m.local?.name, "measure");
    assert.deepEqual(
      m.local?.properties.map((p) => [p.name, p.state, p.value]),
      [
        ["(return)", " ", "undefined"],
        ["(function)", "+", "@404365F8"],
        ["tick", " ", "1"],
        ["measuredArea", " ", "7"],
        ["shape", "+", "@40439728"],
      ],
    );
    assert.deepEqual(
      m.global?.map((p) => [p.name, p.value]),
      [
        ["[Symbol.match]", ""],
        ["Array", "@4042A948"],
        ["NaN", "NaN"],
      ],
    );
  });

  it("a view (after select or toggle): an object shown open holds its properties", () => {
    const m = readMessage(VIEW);
    assert.equal(m.kind, "view");
    if (m.kind !== "view") return;
    const shape = m.local?.properties.find((p) => p.name === "shape");
    assert.equal(shape?.state, "-");
    assert.deepEqual(
      shape?.children?.map((p) => [p.name, p.state, displayValue(p.value)]),
      [
        ["(..)", "+", "@40427D48"],
        ["kind", " ", '"square"'],
        ["sides", "+", "@40439748"],
        ["big", " ", "100000000000000000000n"],
      ],
    );
  });

  it("login, and XS's own report (an exception nobody caught) with escapes decoded", () => {
    assert.deepEqual(readMessage('<xsbug><login name="morgana" value="XS"/></xsbug>'), {
      kind: "login",
      name: "morgana",
    });
    const log = readMessage(
      '<xsbug><log path="hello.js" line="12"># Exception: start: Error: a &#60;b&#62; &#38; &#34;c&#34;!\n</log></xsbug>',
    );
    assert.deepEqual(log, {
      kind: "log",
      text: '# Exception: start: Error: a <b> & "c"!\n',
      path: "hello.js",
      line: 12,
    });
  });

  it("an exception stop says what XS said", () => {
    const m = readMessage(
      '<xsbug><frames><frame name="risky" value="@1" path="hello.js" line="9"/></frames><break path="hello.js" line="9"># Break: throw!\n</break></xsbug>',
    );
    assert.equal(m.kind === "break" && m.reason, "throw");
  });

  it("the TCP stream is cut into whole messages wherever it is split", () => {
    const stream = `\r\n${BREAK}\r\n\r\n${VIEW}\r\n`;
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = new MessageReader();
      const got = [...r.push(stream.slice(0, cut)), ...r.push(stream.slice(cut))];
      assert.deepEqual(got, [BREAK, VIEW], `cut at ${cut}`);
    }
  });

  it("commands: attributes quoted the way XS's parser reads them", () => {
    assert.equal(command("go"), "<go/>");
    assert.equal(
      command("set-breakpoint", { path: "hello.js", line: 225 }),
      '<set-breakpoint path="hello.js" line="225"/>',
    );
    assert.equal(command("select", { id: "@40425460" }), '<select id="@40425460"/>');
    assert.equal(command("x", { path: 'a"b<c>&' }), '<x path="a&#34;b&#60;c&#62;&#38;"/>');
    assert.equal(decodeText("a&#34;b&#60;c&#62;&#38;"), 'a"b<c>&');
  });

  it("what XS would never send is refused", () => {
    assert.throws(() => parseXml("<xsbug><frames></xsbug>"), /expected <\/frames>/);
    assert.throws(() => parseXml("<xsbug>"), /no end tag/);
    assert.throws(() => parseXml("<xsbug/>junk"), /text after the element/);
  });

  it("values: BigInts in decimal, strings in double quotes, the rest as XS wrote them", () => {
    assert.equal(displayValue("0x15n"), "21n");
    assert.equal(displayValue("-0x2An"), "-42n");
    assert.equal(displayValue("'it''s'"), "\"it''s\"");
    assert.equal(displayValue("7"), "7");
    assert.equal(displayValue("undefined"), "undefined");
  });
});
