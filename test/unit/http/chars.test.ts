import assert from "node:assert/strict";
import { isToken, TCHAR } from "../../../stack/http/chars.ts";

describe("http character classes", () => {
  it("tchar is exactly DIGIT, ALPHA and !#$%&'*+-.^_`|~ (RFC 9110 §5.6.2)", () => {
    const expected = new Set(
      "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    );
    let count = 0;
    for (let c = 0; c < 256; c++) {
      const inClass = TCHAR[c] === 1;
      if (inClass) count++;
      assert.equal(inClass, expected.has(String.fromCharCode(c)), `code ${c}`);
    }
    assert.equal(count, 77);
  });

  it("isToken accepts methods and field names, refuses empty, separators and non-ASCII", () => {
    for (const good of ["GET", "Content-Type", "X-Custom_1", "!#$%&'*+-.^_`|~"]) {
      assert.equal(isToken(good), true, good);
    }
    for (const bad of ["", "Content Type", "a:b", "x\r\n", "na\u00efve", "\u0100", "(x)", '"q"']) {
      assert.equal(isToken(bad), false, JSON.stringify(bad));
    }
  });
});
