/**
 * The XML that XS's debugger sends, read into elements. XS writes a small, regular subset
 * (Moddable `xs/sources/xsDebug.c`): elements with double-quoted attributes, text only in
 * `<break>` and `<log>`, no comments, no CDATA, and one kind of escape, the numeric
 * character reference `&#N;` for the bytes it will not send raw (`"`, `&`, `<`, `>`, control
 * characters). This reader takes that subset and refuses anything else with an error.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (character references decoded), children's text not included. */
  text: string;
}

/** `&#N;` and `&#xN;`, plus the five named references in case a future XS writes them. */
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeText(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9A-Fa-f]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(Number(ref.slice(1)));
    return NAMED[ref] ?? whole;
  });
}

/** Quotes a value for an attribute of a command XS will parse (XS reads up to the next `"`). */
export function attribute(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ATTRIBUTE = /\s*([A-Za-z_:][\w.:-]*)\s*=\s*"([^"]*)"/y;

/** Reads one element (and what it holds) from `text`; throws on what XS would never send. */
export function parseXml(text: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`xsbug: ${why} at ${at} in ${JSON.stringify(text.slice(0, 200))}`);
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
  };
  const element = (): XmlElement => {
    if (text[at] !== "<") fail("expected <");
    at++;
    NAME.lastIndex = at;
    const name = NAME.exec(text)?.[0] ?? fail("expected a tag name");
    at += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      ATTRIBUTE.lastIndex = at;
      const m = ATTRIBUTE.exec(text);
      if (!m) break;
      attributes[m[1] as string] = decodeText(m[2] as string);
      at = ATTRIBUTE.lastIndex;
    }
    skipSpace();
    const node: XmlElement = { name, attributes, children: [], text: "" };
    if (text.startsWith("/>", at)) {
      at += 2;
      return node;
    }
    if (text[at] !== ">") fail(`expected > or /> after <${name}`);
    at++;
    let raw = "";
    for (;;) {
      const lt = text.indexOf("<", at);
      if (lt < 0) fail(`no end tag for <${name}>`);
      raw += text.slice(at, lt);
      at = lt;
      if (text.startsWith("</", at)) {
        const end = `</${name}`;
        if (!text.startsWith(end, at)) fail(`expected ${end}>`);
        at += end.length;
        skipSpace();
        if (text[at] !== ">") fail(`expected > to close </${name}`);
        at++;
        node.text = decodeText(raw);
        return node;
      }
      if (text.startsWith("<?", at)) {
        const close = text.indexOf("?>", at);
        if (close < 0) fail("an unclosed processing instruction");
        at = close + 2;
        continue;
      }
      node.children.push(element());
    }
  };
  skipSpace();
  while (text.startsWith("<?", at)) {
    const close = text.indexOf("?>", at);
    if (close < 0) fail("an unclosed processing instruction");
    at = close + 2;
    skipSpace();
  }
  const root = element();
  skipSpace();
  if (at !== text.length) fail("text after the element");
  return root;
}

/** The first child named `name`. */
export const child = (e: XmlElement, name: string): XmlElement | undefined =>
  e.children.find((c) => c.name === name);
