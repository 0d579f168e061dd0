import assert from "node:assert/strict";
import {
  type ConfigDiagnostic,
  editDistance,
  formatDiagnostic,
  suggest,
} from "../../../tool/src/config/index.ts";

describe("config: did-you-mean", () => {
  const table: [string, string[], string | undefined][] = [
    ["prot", ["type", "port", "stack"], "port"], // transposition: one edit
    ["nmae", ["name", "main"], "name"],
    ["kv_r0", ["kv_ro", "kv_rw"], "kv_ro"],
    ["cons", ["dns", "console"], "console"], // prefix beats two edits
    ["Port", ["port"], "port"], // case is ignored
    ["stacks", ["stack"], "stack"],
    ["ab", ["tls"], undefined], // replacing everything is no near miss
    ["network", ["port", "stack"], undefined],
    ["", ["port"], undefined],
  ];
  for (const [word, candidates, expected] of table) {
    it(`${JSON.stringify(word)} -> ${expected ?? "nothing"}`, () => {
      assert.equal(suggest(word, candidates), expected);
    });
  }

  it("counts adjacent transpositions as one edit", () => {
    assert.equal(editDistance("ab", "ba"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
  });
});

describe("config: formatDiagnostic", () => {
  const d: ConfigDiagnostic = {
    severity: "error",
    code: "wrong-type",
    file: "unikernel.yaml",
    span: { line: 12, col: 11, endLine: 12, endCol: 14 },
    path: "devices.http.port",
    message: 'expected an integer from 1 to 65535, got "80a"',
    expected: "an integer from 1 to 65535",
  };

  it("prints file:line:col, severity, path and message", () => {
    assert.equal(
      formatDiagnostic(d),
      'unikernel.yaml:12:11: error: devices.http.port: expected an integer from 1 to 65535, got "80a"',
    );
  });

  it("adds the suggestion", () => {
    const unknown: ConfigDiagnostic = {
      ...d,
      code: "unknown-key",
      severity: "warning",
      path: "devices.http.prot",
      message: 'unknown key "prot"',
      suggestion: "port",
    };
    assert.equal(
      formatDiagnostic(unknown),
      'unikernel.yaml:12:11: warning: devices.http.prot: unknown key "prot" (did you mean "port"?)',
    );
  });

  it("leaves out an empty path", () => {
    assert.equal(
      formatDiagnostic({ ...d, path: "", message: "bad" }),
      "unikernel.yaml:12:11: error: bad",
    );
  });
});
