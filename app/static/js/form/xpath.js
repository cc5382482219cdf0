// The thin layer around Enketo's openrosa-xpath-evaluator: one XPath semantics for the tablet,
// the same as the server's (app/xlsform/xpath.py; tests/xpath/cases.json proves both).
//
// How it works. Every expression is parsed here (a small XPath 1.0 parser), checked, and written
// out again in the form the engine reads safely, against ONE document
//     <model><instance>primary</instance><instance id="list">…</instance>…</model>
// Rewrites: instance('x') -> /model/instance[@id='x']; absolute /data/… -> the primary instance
// (/model/instance/data/… when no secondary root shares the primary's name, else
// /model/instance[1]/data/…); absolute paths are contextualised into the context's repeat instances
// as JavaRosa does (/data/rep/a seen from /data/rep[2]/b means /data/rep[2]/a), except inside
// indexed-repeat(); current() -> the context node's indexed path; `-x` -> (-1 * x); relative
// paths start with "./"; binary operators get spaces. The parse also gives each expression's
// references (references()) for the dependency graph in logic.js.
//
// Where the engine disagrees with the ODK XForms spec / XPath 1.0, ours follows the spec (the
// shared case file tests/xpath/cases.json found most of these); each is overridden through the
// engine's extension object (`func`, `process.handleInfix`, `process.typefor`) or in the rewrite:
//  1. instance(), current(), jr:choice-name(), indexed-repeat(), pulldata(), jr:itext(),
//     base64-decode(), version() are missing: rewritten or added here.
//  2. Syntax errors: the engine accepts some malformed text (`1 +`, unbalanced brackets) and
//     returns garbage; ours rejects it with a clean XPathError naming the expression (Thai + English).
//  3. Names that begin like an operator (`order`, `/data/div`, `/data/and`, `name and x` with
//     spaces) are mis-tokenised by the engine: we parse them by the XPath rules and emit "./name".
//  4. Unary minus before anything but a literal number (`-/data/x`, `-(1 + 2)`) gives NaN: (-1 * x).
//  5. Number -> string without exponent (1e21 -> "1000000000000000000000", -0 -> "0"); string ->
//     number by XPath 1.0 (no "0x10", "1e3", "+5", "Infinity").
//  6. string-length() counts code points (not UTF-16 units); normalize-space() strips only XML
//     whitespace (not NBSP).
//  7. The string value of a node-set is its first node in document order.
//  8. now()/today() can be fixed by the caller (`now` option).
//  9. digest() needs node-forge (700 KB): replaced by digest.js (MD5, SHA-1/256/384/512).
// 10. A positional predicate in the middle of a path (/data/house/room[1]) applies per parent,
//     not to the whole node-set found so far: written with the sibling count.
// 11. ancestor:: axes stop at the instance root (not <instance>/<model> of our document).
// 12. jr:/odk:/orx: prefixes as JavaRosa accepts them.
// 13. Wrong argument counts are errors (the engine ignores extra or missing arguments).
// 14. Dates: a date is a calendar day (number = whole days since 1970-01-01, whatever the zone),
//     a dateTime an instant (epoch ms / 86400000); date(n) is a date; decimal-time accepts Z;
//     format-date uses English month/day names (the engine used the browser locale).
// 15. selected(), selected-at(), count-selected() split on any XML whitespace, ignore empties.
// 16. round() is half away from zero on the decimal value as written (JavaRosa's HALF_UP): the
//     engine gave round(1.005, 2) = 1 and used binary values.
// 17. area() and distance() are not rounded to centimetres; area('') is 0.
// 18. Unions: the engine typed `a | b` as a string (count(a | b) failed) and kept duplicates;
//     comparisons and arithmetic follow XPath 1.0 with ODK dates as day numbers.
// 19. randomize(nodes, seed): Park-Miller generator and Fisher-Yates from the end, as JavaRosa.
// 20. Absolute paths are contextualised into the context's repeat instances except their last
//     step (count(/data/rep) inside a repeat counts all instances), as JavaRosa does.
import ExtendedXPathEvaluator from "openrosa-xpath-evaluator/src/extended-xpath.js";
import openrosaExtensions from "openrosa-xpath-evaluator/src/openrosa-extensions.js";
import { digest } from "./digest.js";
import { base64Text } from "../util.js";

// ---- errors ------------------------------------------------------------------------------

export class XPathError extends Error {
  constructor(expr, detail) {
    super(`นิพจน์ไม่ถูกต้อง / Invalid expression: ${expr}${detail ? ` (${detail})` : ""}`);
    this.name = "XPathError";
    this.expression = expr;
    this.detail = detail;
  }
}

// ---- lexer -------------------------------------------------------------------------------

const NAME_START = /[A-Za-z_\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]/;
const NODE_TYPES = new Set(["node", "text", "comment", "processing-instruction"]);
const AXES = new Set(["ancestor", "ancestor-or-self", "attribute", "child", "descendant", "descendant-or-self",
  "following", "following-sibling", "namespace", "parent", "preceding", "preceding-sibling", "self"]);
const OPERATOR_NAMES = new Set(["and", "or", "div", "mod"]);

function lex(src) {
  const toks = [];
  let i = 0;
  const n = src.length;
  const prevAllowsOperator = () => {
    const p = toks[toks.length - 1];
    if (!p) return false;
    if (p.t === "op" || p.t === "opname") return false;
    if (p.t === "str" || p.t === "num") return true;
    return !["@", "::", "(", "[", ",", "/", "//"].includes(p.v);
  };
  while (i < n) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") { i++; continue; }
    if (c === "'" || c === '"') {
      const j = src.indexOf(c, i + 1);
      if (j < 0) throw new Error("unterminated string / ข้อความไม่มีเครื่องหมายปิด");
      toks.push({ t: "str", v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] || ""))) {
      const m = /^(\d+(\.\d*)?|\.\d+)/.exec(src.slice(i));
      toks.push({ t: "num", v: m[0] });
      i += m[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === "//" || two === "::" || two === "!=" || two === "<=" || two === ">=" || two === "..") {
      toks.push({ t: two === "//" || two === ".." || two === "::" ? "p" : "op", v: two });
      i += 2;
      continue;
    }
    if ("()[],@/.|$".includes(c)) {
      toks.push({ t: c === "|" ? "op" : "p", v: c });
      i++;
      continue;
    }
    if ("=<>+-".includes(c)) { toks.push({ t: "op", v: c }); i++; continue; }
    if (c === "*") {
      toks.push(prevAllowsOperator() ? { t: "op", v: "*" } : { t: "name", v: "*" });
      i++;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < n && NAME_CHAR.test(src[j])) j++;
      // QName prefix:local (or prefix:*), but not the axis separator '::'
      if (src[j] === ":" && src[j + 1] !== ":" && j + 1 < n && (NAME_START.test(src[j + 1]) || src[j + 1] === "*")) {
        j++;
        if (src[j] === "*") j++;
        else while (j < n && NAME_CHAR.test(src[j])) j++;
      }
      const word = src.slice(i, j);
      if (OPERATOR_NAMES.has(word) && prevAllowsOperator()) toks.push({ t: "opname", v: word });
      else toks.push({ t: "name", v: word });
      i = j;
      continue;
    }
    throw new Error(`unexpected character '${c}' / ตัวอักษรที่ไม่รู้จัก`);
  }
  return toks;
}

// ---- parser: XPath 1.0 grammar -> AST ----------------------------------------------------------

const BINARY = [["or"], ["and"], ["=", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "div", "mod"]];

function parse(src) {
  const toks = lex(src);
  let k = 0;
  const peek = (o = 0) => toks[k + o];
  const is = (v, o = 0) => toks[k + o] && toks[k + o].v === v && toks[k + o].t !== "str";
  const expect = (v) => {
    if (!is(v)) throw new Error(`expected '${v}'${peek() ? ` near '${peek().v}'` : " at the end"} / ไม่พบ '${v}'`);
    k++;
  };

  function binary(level) {
    if (level === BINARY.length) return unary();
    let left = binary(level + 1);
    while (peek() && (peek().t === "op" || peek().t === "opname") && BINARY[level].includes(peek().v)) {
      const op = toks[k++].v;
      left = { t: "bin", op, l: left, r: binary(level + 1) };
    }
    return left;
  }
  function unary() {
    if (is("-") && peek().t === "op") {
      k++;
      return { t: "neg", e: unary() };
    }
    let left = pathExpr();
    while (is("|")) {
      k++;
      left = { t: "bin", op: "|", l: left, r: pathExpr() };
    }
    return left;
  }
  function predicates() {
    const preds = [];
    while (is("[")) {
      k++;
      preds.push(binary(0));
      expect("]");
    }
    return preds;
  }
  function isStepStart() {
    const t = peek();
    if (!t) return false;
    if (t.t === "name") return true;
    return t.t === "p" && (t.v === "." || t.v === ".." || t.v === "@");
  }
  function step() {
    if (is(".")) { k++; return { axis: "self", test: "node()", preds: [] }; }
    if (is("..")) { k++; return { axis: "parent", test: "node()", preds: [] }; }
    let axis = "child";
    if (is("@")) { k++; axis = "attribute"; }
    else if (peek() && peek().t === "name" && is("::", 1)) {
      axis = peek().v;
      if (!AXES.has(axis)) throw new Error(`unknown axis ${axis} / ไม่รู้จักแกน ${axis}`);
      k += 2;
    }
    const t = peek();
    if (!t || t.t !== "name") throw new Error("expected a name / ต้องการชื่อ");
    k++;
    let test = t.v;
    if (NODE_TYPES.has(test) && is("(")) {
      k++;
      if (test === "processing-instruction" && peek() && peek().t === "str") k++;
      expect(")");
      test += "()";
    }
    return { axis, test, preds: predicates() };
  }
  function relative(steps) {
    steps.push(step());
    while (is("/") || is("//")) {
      if (toks[k++].v === "//") steps.push({ axis: "descendant-or-self", test: "node()", preds: [], abbrev: true });
      steps.push(step());
    }
    return steps;
  }
  function pathExpr() {
    const t = peek();
    if (!t) throw new Error("unexpected end / นิพจน์จบไม่สมบูรณ์");
    if (t.t === "p" && (t.v === "/" || t.v === "//")) {
      k++;
      const steps = [];
      if (t.v === "//") steps.push({ axis: "descendant-or-self", test: "node()", preds: [], abbrev: true });
      if (t.v === "//" || isStepStart()) relative(steps);
      return { t: "path", abs: true, steps };
    }
    // a function call (not a node-type test) is a filter expression
    let filter = null;
    if (t.t === "name" && is("(", 1) && !NODE_TYPES.has(t.v)) {
      k += 2;
      const args = [];
      if (!is(")")) {
        args.push(binary(0));
        while (is(",")) { k++; args.push(binary(0)); }
      }
      expect(")");
      filter = { t: "fn", name: t.v, args };
    } else if (t.t === "str") { k++; filter = { t: "str", v: t.v }; }
    else if (t.t === "num") { k++; filter = { t: "num", v: t.v }; }
    else if (is("(")) {
      k++;
      filter = { t: "group", e: binary(0) };
      expect(")");
    } else if (is("$")) {
      throw new Error("variables ($name) are not supported / ไม่รองรับตัวแปร");
    }
    if (!filter) {
      if (!isStepStart()) throw new Error(`unexpected '${t.v}' / ไม่คาดว่าจะพบ '${t.v}'`);
      return { t: "path", abs: false, steps: relative([]) };
    }
    const preds = predicates();
    if (is("/") || is("//")) {
      const steps = [];
      if (toks[k++].v === "//") steps.push({ axis: "descendant-or-self", test: "node()", preds: [], abbrev: true });
      relative(steps);
      return { t: "path", filter, preds, steps };
    }
    return preds.length ? { t: "path", filter, preds, steps: [] } : filter;
  }

  const ast = binary(0);
  if (k < toks.length) throw new Error(`unexpected '${peek().v}' / ไม่คาดว่าจะพบ '${peek().v}'`);
  return ast;
}

const astCache = new Map();
function parsed(expr) {
  let ast = astCache.get(expr);
  if (ast === undefined) {
    try {
      ast = parse(expr);
    } catch (e) {
      ast = { t: "error", message: e.message };
    }
    if (astCache.size > 5000) astCache.clear();
    astCache.set(expr, ast);
  }
  if (ast.t === "error") throw new XPathError(expr, ast.message);
  return ast;
}

// ---- emitter: AST -> text the engine evaluates against the model document ---------------------

const quote = (s) => (s.includes("'") ? `"${s}"` : `'${s}'`);

// Functions whose result is a number: a predicate of that type selects by position.
const NUMBER_FUNCTIONS = new Set(["number", "count", "sum", "position", "last", "int", "round", "floor", "ceiling",
  "string-length", "count-selected", "count-non-empty", "abs", "pow", "log", "log10", "sin", "cos", "tan", "asin",
  "acos", "atan", "atan2", "sqrt", "exp", "exp10", "pi", "random", "decimal-date-time", "decimal-time", "max", "min",
  "area", "distance"]);
const isNumeric = (n) => n.t === "num" || n.t === "neg" || (n.t === "group" && isNumeric(n.e))
  || (n.t === "bin" && ["+", "-", "*", "div", "mod"].includes(n.op))
  || (n.t === "fn" && NUMBER_FUNCTIONS.has(canonical(n.name)));
// Whether position()/last() of the predicate's own context appear (not inside nested paths).
const usesPosition = (n) => {
  switch (n.t) {
    case "fn": return ((n.name === "position" && !n.args.length) || n.name === "last") || n.args.some(usesPosition);
    case "bin": return usesPosition(n.l) || usesPosition(n.r);
    case "neg": case "group": return usesPosition(n.e);
    case "path": return !!n.filter && usesPosition(n.filter);
    default: return false;
  }
};
const withPosition = (n, pos, last) => {
  switch (n.t) {
    case "fn":
      if (n.name === "position" && !n.args.length) return { t: "raw", v: pos };
      if (n.name === "last" && !n.args.length) return { t: "raw", v: last };
      return { ...n, args: n.args.map((a) => withPosition(a, pos, last)) };
    case "bin": return { ...n, l: withPosition(n.l, pos, last), r: withPosition(n.r, pos, last) };
    case "neg": case "group": return { ...n, e: withPosition(n.e, pos, last) };
    case "path": return n.filter ? { ...n, filter: withPosition(n.filter, pos, last) } : n;
    default: return n;
  }
};

// FIX 10: the engine applies a positional predicate to the whole node-set found so far instead of
// each parent's children (/data/house/room[1] must give the first room of EVERY house): a
// positional first predicate on a child step is written with the sibling count instead.
function emitStep(s, ctx, multi = true) {
  let out;
  if (s.abbrev) return ""; // '//' is written by the joiner
  if (s.axis === "self" && s.test === "node()") out = ".";
  else if (s.axis === "parent" && s.test === "node()") out = "..";
  else if (s.axis === "attribute") out = "@" + s.test;
  else if (s.axis === "child") out = s.test;
  else out = `${s.axis}::${s.test}`;
  const preds = s.preds.map((p, i) => {
    if (i === 0 && multi && s.axis === "child" && (isNumeric(p) || usesPosition(p))) {
      const pos = `(count(preceding-sibling::${s.test}) + 1)`;
      const q = withPosition(p, pos, `count(../${s.test})`);
      return isNumeric(p) ? `${pos} = (${emit(q, ctx)})` : emit(q, ctx);
    }
    return emit(p, ctx);
  });
  // FIX 11: ancestors stop at the instance's root (not <instance>, <model>)
  if (s.axis === "ancestor" || s.axis === "ancestor-or-self") preds.unshift("count(ancestor::*) > 1");
  return out + preds.map((p) => `[${p}]`).join("");
}

function joinSteps(steps, ctx, start = "", single = 0) {
  let out = start;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (s.abbrev) { out += "//"; continue; }
    if (i > 0 && !steps[i - 1].abbrev) out += "/";
    else if (i === 0 && start && !start.endsWith("/")) out += "/";
    out += emitStep(s, ctx, i >= single);
  }
  return out;
}

function emitAbsolute(node, ctx) {
  const steps = node.steps;
  if (!steps.length) return ctx.first; // '/' alone: the primary instance's document root
  if (steps[0].abbrev || steps[0].axis !== "child" || steps[0].test !== ctx.rootName) {
    if (steps[0].abbrev) return ctx.first + "//" + joinSteps(steps.slice(1), ctx, "", 0);
    return ctx.first + "/" + joinSteps(steps, ctx, "", 1);
  }
  // contextualise into the context node's repeat instances (JavaRosa's contextualize)
  const chain = ctx.noContextualise ? null : ctx.chain;
  let out = ctx.primary;
  let matching = !!chain;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (s.abbrev) { out += "/"; matching = false; continue; }
    out += "/" + emitStep(s, ctx, i >= 2);
    if (matching) {
      const c = chain[i];
      if (!c || s.axis !== "child" || s.preds.length || c.name !== s.test) matching = false;
      else if (c.index && i < steps.length - 1) out += `[${c.index}]`; // the last step is not narrowed
    }
  }
  return out;
}

function emit(node, ctx) {
  switch (node.t) {
    case "num": return node.v;
    case "raw": return node.v;
    case "str": return quote(node.v);
    case "group": return `(${emit(node.e, ctx)})`;
    case "neg": return node.e.t === "num" ? `-${node.e.v}` : `(-1 * ${emit(node.e, ctx)})`;
    case "bin": return `${emit(node.l, ctx)} ${node.op} ${emit(node.r, ctx)}`;
    case "fn": return emitFunction(node, ctx);
    case "path": {
      if (node.filter) {
        const head = emit(node.filter, ctx) + node.preds.map((p) => `[${emit(p, ctx)}]`).join("");
        if (!node.steps.length) return head;
        return joinSteps(node.steps, ctx, head);
      }
      if (node.abs) return emitAbsolute(node, ctx);
      const first = node.steps[0];
      const prefix = first.axis === "child" && !first.abbrev ? "./" : "";
      return prefix + joinSteps(node.steps, ctx, "", 1);
    }
    default: throw new Error("bad node " + node.t);
  }
}

// Arity of every function (min, max; -1 = any number), as in the server's parser.
const ARITY = {
  last: [0, 0], position: [0, 1], count: [1, 1], "local-name": [0, 1], name: [0, 1], "namespace-uri": [0, 1],
  string: [0, 1], concat: [0, -1], "starts-with": [2, 2], contains: [2, 2], "substring-before": [2, 2],
  "substring-after": [2, 2], substring: [2, 3], "string-length": [0, 1], "normalize-space": [0, 1],
  translate: [3, 3], boolean: [1, 1], not: [1, 1], true: [0, 0], false: [0, 0], lang: [1, 1], number: [0, 1],
  sum: [1, 1], floor: [1, 1], ceiling: [1, 1], round: [1, 2], join: [1, -1], substr: [2, 3], "ends-with": [2, 2],
  uuid: [0, 1], digest: [2, 3], "base64-decode": [1, 1], if: [3, 3], coalesce: [2, 2], once: [1, 1],
  "boolean-from-string": [1, 1], regex: [2, 2], checklist: [2, -1], "weighted-checklist": [2, -1], random: [0, 0],
  int: [1, 1], max: [1, -1], min: [1, -1], pow: [2, 2], log: [1, 1], log10: [1, 1], abs: [1, 1], sin: [1, 1],
  cos: [1, 1], tan: [1, 1], asin: [1, 1], acos: [1, 1], atan: [1, 1], atan2: [2, 2], sqrt: [1, 1], exp: [1, 1],
  exp10: [1, 1], pi: [0, 0], "count-non-empty": [1, 1], instance: [1, 1], current: [0, 0], randomize: [1, 2],
  today: [0, 0], now: [0, 0], "format-date": [2, 2], "format-date-time": [2, 2], date: [1, 1],
  "decimal-date-time": [1, 1], "decimal-time": [1, 1], "date-time": [1, 1], selected: [2, 2], "is-selected": [2, 2],
  "selected-at": [2, 2], "count-selected": [1, 1], "choice-name": [2, 2], itext: [1, 1], "indexed-repeat": [3, -1],
  area: [1, 1], distance: [1, -1], pulldata: [4, 4], version: [0, 0],
};
const PREFIXED_ONLY = new Set(["choice-name", "itext"]);
// FIX 12: jr:/odk:/orx: prefixes as JavaRosa accepts them; the engine knows neither.
function canonical(name) {
  const i = name.indexOf(":");
  if (i > 0) {
    const local = name.slice(i + 1);
    return ["jr", "odk", "orx"].includes(name.slice(0, i)) && ARITY[local] ? local : null;
  }
  return ARITY[name] && !PREFIXED_ONLY.has(name) ? name : null;
}

function emitFunction(node, ctx) {
  const { args } = node;
  const name = canonical(node.name);
  if (!name) throw new Error(`unknown function ${node.name}() / ไม่รู้จักฟังก์ชัน ${node.name}()`);
  // FIX 13: wrong argument counts are errors (the engine ignores extra or missing ones)
  const [lo, hi] = ARITY[name];
  if (args.length < lo || (hi >= 0 && args.length > hi)) {
    throw new Error(`${node.name}() takes ${lo === hi ? lo : hi < 0 ? `at least ${lo}` : `${lo} to ${hi}`} argument(s), not ${args.length} / จำนวนอาร์กิวเมนต์ของ ${node.name}() ไม่ถูกต้อง`);
  }
  if (name === "weighted-checklist" && args.length % 2) {
    throw new Error("weighted-checklist() needs value/weight pairs / weighted-checklist() ต้องมีค่าและน้ำหนักเป็นคู่");
  }
  if (name === "instance") {
    if (args[0].t !== "str") throw new Error("instance() needs a quoted id / instance() ต้องมีชื่อในเครื่องหมายคำพูด");
    if (ctx.ids && !ctx.ids.has(args[0].v)) throw new Error(`no instance '${args[0].v}' / ไม่มีชุดข้อมูล '${args[0].v}'`);
    return `/model/instance[@id=${quote(args[0].v)}]`;
  }
  if (name === "current") {
    if (args.length) throw new Error("current() takes no arguments / current() ไม่มีอาร์กิวเมนต์");
    return ctx.currentPath;
  }
  if (name === "indexed-repeat") {
    if (args.length < 3 || args.length % 2 === 0) throw new Error("indexed-repeat() needs 3, 5 or 7 arguments / indexed-repeat() ต้องมี 3, 5 หรือ 7 อาร์กิวเมนต์");
    const plain = { ...ctx, noContextualise: true };
    return `indexed-repeat(${args.map((a, i) => emit(a, i % 2 === 0 && i > 0 ? ctx : plain)).join(", ")})`;
  }
  return `${name}(${args.map((a) => emit(a, ctx)).join(", ")})`;
}

// ---- references: what an expression reads (for the dependency graph) -------------------------

/**
 * The primary-instance paths an expression reads, as generic absolute paths ("/data/rep/q", no
 * indexes), resolved against `contextPath`. `"*"` in the result means "could read anything"
 * (descendant axes, unresolvable relative paths).
 */
export function references(expr, contextPath = null) {
  const out = new Set();
  let ast;
  try {
    ast = parsed(expr);
  } catch {
    return [];
  }
  const ctxSteps = contextPath ? contextPath.split("/").filter(Boolean) : null;
  const walkSteps = (base, steps) => {
    let path = base ? [...base] : null;
    for (const s of steps) {
      for (const p of s.preds) visit(p, null); // predicates: relative to the step's nodes (not tracked)
      if (!path) continue;
      if (s.abbrev || !["child", "self", "parent", "attribute"].includes(s.axis) || s.test === "*") {
        out.add("*");
        path = null;
      } else if (s.axis === "parent") path.pop();
      else if (s.axis === "child") path.push(s.test);
    }
    if (path && path.length) out.add("/" + path.join("/"));
  };
  const visit = (node, base) => {
    switch (node.t) {
      case "group": return visit(node.e, base);
      case "neg": return visit(node.e, base);
      case "bin": visit(node.l, base); return visit(node.r, base);
      case "fn":
        if (node.name === "current") {
          if (ctxSteps) out.add("/" + ctxSteps.join("/"));
          return;
        }
        if (node.name === "now" || node.name === "today") out.add("@now");
        return node.args.forEach((a) => visit(a, base));
      case "path":
        if (node.filter) {
          visit(node.filter, base);
          node.preds.forEach((p) => visit(p, null));
          if (node.filter.t === "fn" && node.filter.name === "current" && ctxSteps) walkSteps(ctxSteps, node.steps);
          else node.steps.forEach((s) => s.preds.forEach((p) => visit(p, null)));
          return;
        }
        if (node.abs) return walkSteps([], node.steps);
        return walkSteps(base === null ? null : base || ctxSteps, node.steps);
      default:
    }
  };
  visit(ast, undefined);
  return [...out];
}

// ---- the engine and our functions ---------------------------------------------------------------

const ore = openrosaExtensions();
const XPR = ore.XPR;
let state = { doc: null, now: null, choiceName: null, itext: null };
let lastResult = null;

const str = (r) => toStr(r);
const nodesOf = (r) => (r && r.t === "arr" ? sortNodes(r.v) : []);

function sortNodes(nodes) {
  if (nodes.length < 2) return nodes;
  return [...nodes].sort((a, b) => (a === b ? 0 : a.compareDocumentPosition(b) & 4 ? -1 : 1));
}

function nodeString(n) {
  if (n.nodeType === 2) return n.value;
  if (n.nodeType === 9) return n.documentElement ? n.documentElement.textContent : "";
  return n.textContent || "";
}

/** XPath 1.0 number -> string: no exponent, integers without ".0". */
export function numberToString(v) {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v === 0) return "0";
  let s = String(v);
  if (!/e/i.test(s)) return s;
  const [mant, expPart] = s.split(/e/i);
  const exp = Number(expPart);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const point = mant.replace("-", "").indexOf(".");
  const intLen = (point < 0 ? mant.replace("-", "").length : point) + exp;
  if (intLen <= 0) s = "0." + "0".repeat(-intLen) + digits;
  else if (intLen >= digits.length) s = digits + "0".repeat(intLen - digits.length);
  else s = digits.slice(0, intLen) + "." + digits.slice(intLen);
  return (neg ? "-" : "") + s;
}

const NUMBER_TEXT = /^[ \t\r\n]*-?(\d+(\.\d*)?|\.\d+)[ \t\r\n]*$/;

/** XPath 1.0 string -> number (ODK: a date or dateTime string is its days since the epoch). */
export function stringToNumber(s) {
  if (NUMBER_TEXT.test(s)) return Number(s);
  const d = parseDate(s);
  return d ? daysOf(d) : NaN;
}

function toStr(r) {
  if (r == null) return "";
  if (r instanceof Node) return nodeString(r);
  switch (r.t) {
    case "str": return r.v;
    case "num": return numberToString(r.v);
    case "bool": return r.v ? "true" : "false";
    case "arr": {
      const first = nodesOf(r)[0];
      return first ? nodeString(first) : "";
    }
    case "date": return dateToString(r.v);
    default: return String(r.v);
  }
}

function toNum(r) {
  if (r instanceof Node) return stringToNumber(nodeString(r));
  switch (r.t) {
    case "num": return r.v;
    case "bool": return r.v ? 1 : 0;
    case "date": return daysOf(r.v);
    default: return stringToNumber(toStr(r));
  }
}

function toBool(r) {
  if (r instanceof Node) return nodeString(r).length > 0;
  switch (r.t) {
    case "arr": return r.v.length > 0;
    case "num": return r.v !== 0 && !Number.isNaN(r.v);
    case "str": return r.v.length > 0;
    case "bool": return r.v;
    case "date": return !Number.isNaN(r.v.getTime());
    default: return !!r.v;
  }
}

const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, "0");
function dateToString(d) {
  if (d.toString() === "" || Number.isNaN(d.getTime())) return "";
  const date = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (d.dateOnly) return date;
  const off = -d.getTimezoneOffset();
  const tz = (off >= 0 ? "+" : "-") + pad(Math.trunc(off / 60)) + ":" + pad(off % 60);
  return `${date}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${tz}`;
}

function clock() {
  return state.now ? new Date(state.now) : new Date();
}

const F = ore.func;

// ---- dates (FIX 14): a date without time is a calendar day (number = whole days since
// 1970-01-01, whatever the zone); a dateTime is an instant (number = epoch ms / 86400000); both
// print in the device's zone; format-date uses English month and day names as the spec's examples.
const DATE_ONLY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DATE_TIME = /^\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)?$/;
function dayDate(y, m, d) {
  const v = new Date(2000, 0, 1);
  v.setFullYear(y, m - 1, d); // overflowing days roll over; years 0-99 stay
  v.dateOnly = true;
  return v;
}
/** A date or dateTime string as a Date (`dateOnly` set for dates), or null. */
export function parseDate(text) {
  const t = String(text).trim();
  const m = DATE_ONLY.exec(t);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const v = dayDate(y, mo, d);
    return v.getMonth() === mo - 1 && v.getDate() === d ? v : null;
  }
  if (DATE_TIME.test(t)) {
    const v = new Date(t.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
    return Number.isNaN(v.getTime()) ? null : v;
  }
  return null;
}
const daysOf = (d) => (d.dateOnly ? Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) : d.getTime()) / 86400000;
const RAW_INT = /^-?\d+(\.\d+)?$/;
function asDate(r) {
  if (r && r.t === "date") return r.v;
  if (r && r.t === "num") return new Date(r.v * 86400000);
  const text = str(r);
  if (RAW_INT.test(text.trim())) return new Date(Number(text) * 86400000);
  return parseDate(text);
}
const invalidDate = () => ({ t: "date", v: new Date(NaN) });
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
function formatDate(r, fmt) {
  const d = asDate(r);
  if (!d || Number.isNaN(d.getTime())) return "";
  const f = str(fmt);
  let out = "";
  for (let i = 0; i < f.length; i++) {
    const c = f[i];
    if (c !== "%" || i + 1 >= f.length) { out += c; continue; }
    const k = f[++i];
    const v = {
      Y: () => pad(d.getFullYear(), 4), y: () => pad(d.getFullYear() % 100), m: () => pad(d.getMonth() + 1),
      n: () => String(d.getMonth() + 1), b: () => MONTHS[d.getMonth()], d: () => pad(d.getDate()),
      e: () => String(d.getDate()), H: () => pad(d.getHours()), h: () => String(d.getHours()),
      M: () => pad(d.getMinutes()), S: () => pad(d.getSeconds()), 3: () => pad(d.getMilliseconds(), 3),
      a: () => DAYS[d.getDay()], "%": () => "%",
    }[k];
    out += v ? v() : "%" + k;
  }
  return out;
}

// Lists of a select_multiple answer: split on XML whitespace runs (FIX 15).
const items = (r) => str(r).split(/[ \t\r\n]+/).filter(Boolean);

// ODK round: half away from zero on the decimal value as written (BigDecimal HALF_UP) (FIX 16).
function shiftDecimal(text, places) {
  const neg = text.startsWith("-");
  let [i, f = ""] = text.replace("-", "").split(".");
  if (places > 0) {
    f = f.padEnd(places, "0");
    i += f.slice(0, places);
    f = f.slice(places);
  } else if (places < 0) {
    i = i.padStart(-places + 1, "0");
    f = i.slice(places) + f;
    i = i.slice(0, places);
  }
  return (neg ? "-" : "") + (i || "0") + (f ? "." + f : "");
}
function roundHalfUp(x, digits) {
  if (!Number.isFinite(x)) return x;
  const places = Number.isFinite(digits) ? Math.trunc(digits) : 0;
  const shifted = Number(shiftDecimal(numberToString(Math.abs(x)), places));
  const r = Math.floor(shifted + 0.5);
  const back = Number(shiftDecimal(numberToString(r), -places));
  return x < 0 ? -back : back;
}

// Geo (FIX 17): spherical earth of radius 6378100 m, haversine distance, polygon area, no rounding.
const EARTH = 6378100;
const rad = (deg) => (deg * Math.PI) / 180;
function geoPoints(args) {
  const pts = [];
  for (const a of args) {
    const texts = a.t === "arr" ? nodesOf(a).map(nodeString) : [str(a)];
    for (const t of texts) {
      for (const part of t.split(";")) {
        const bits = part.trim().split(/\s+/).filter(Boolean);
        if (!bits.length) continue;
        if (bits.length < 2) return null;
        const lat = stringToNumber(bits[0]);
        const lon = stringToNumber(bits[1]);
        if (Number.isNaN(lat) || Number.isNaN(lon)) return null;
        pts.push([lat, lon]);
      }
    }
  }
  return pts;
}
function haversine(p, q) {
  const [la1, lo1, la2, lo2] = [rad(p[0]), rad(p[1]), rad(q[0]), rad(q[1])];
  const h = Math.sin((la2 - la1) / 2) ** 2 + Math.cos(la1) * Math.cos(la2) * Math.sin((lo2 - lo1) / 2) ** 2;
  return EARTH * 2 * Math.atan2(Math.sqrt(h), Math.sqrt(Math.max(0, 1 - h)));
}

// randomize(nodes, seed): Park-Miller generator, Fisher-Yates from the end, as JavaRosa (FIX 19).
function parkMillerShuffle(list, seed) {
  let s = Math.trunc(seed) % 2147483647;
  if (s <= 0) s += 2147483646;
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 16807) % 2147483647;
    const j = Math.floor(((s - 1) / 2147483646) * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const ours = {
  // FIX 8: a fixed clock
  now: () => XPR.date(clock()),
  today: () => {
    const t = clock();
    return XPR.date(dayDate(t.getFullYear(), t.getMonth() + 1, t.getDate()));
  },
  date: (r) => {
    if (r.t === "num" || (r.t !== "date" && RAW_INT.test(str(r).trim()))) {
      const n = Math.floor(toNum(r));
      if (!Number.isFinite(n)) return invalidDate();
      return XPR.date(dayDate(1970, 1, 1 + n));
    }
    const d = asDate(r);
    return d ? XPR.date(d) : invalidDate();
  },
  "date-time": (r) => {
    const d = asDate(r);
    if (!d) return invalidDate();
    return XPR.date(new Date(d.dateOnly ? daysOf(d) * 86400000 : d.getTime()));
  },
  "decimal-date-time": (r) => {
    if (r.t === "num") return XPR.number(r.v);
    const d = asDate(r);
    return XPR.number(d ? daysOf(d) : NaN);
  },
  "decimal-time": (r) => {
    const t = str(r).trim();
    let d = null;
    if (/^(\d\d):(\d\d)(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/.test(t)) {
      const now = clock();
      d = parseDate(`${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${t}`);
    } else if (DATE_TIME.test(t)) d = parseDate(t);
    if (!d || d.dateOnly) return XPR.number(NaN);
    return XPR.number((d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds() + d.getMilliseconds() / 1000) / 86400);
  },
  "format-date": (r, f) => XPR.string(formatDate(r, f)),
  "format-date-time": (r, f) => XPR.string(formatDate(r, f)),
  selected: (list, v) => XPR.boolean(items(list).includes(str(v).trim())),
  "selected-at": (list, i) => XPR.string(items(list)[Math.trunc(toNum(i))] || ""),
  "count-selected": (list) => XPR.number(items(list).length),
  round: (x, digits) => XPR.number(roundHalfUp(toNum(x), digits ? toNum(digits) : 0)),
  randomize: (r, seed) => {
    if (r.t !== "arr") throw new Error("randomize() needs a node-set / randomize() ต้องใช้กับชุดโหนด");
    const nodes = nodesOf(r);
    if (!seed) return { t: "arr", v: parkMillerShuffle(nodes, Math.floor(Math.random() * 2147483646) + 1), ordrd: true };
    const n = toNum(seed);
    if (!Number.isFinite(n)) throw new Error("randomize(): the seed must be a number / seed ต้องเป็นตัวเลข");
    return { t: "arr", v: parkMillerShuffle(nodes, n), ordrd: true };
  },
  distance: (...args) => {
    const pts = geoPoints(args);
    if (!pts) return XPR.number(NaN);
    let total = 0;
    for (let i = 0; i + 1 < pts.length; i++) total += haversine(pts[i], pts[i + 1]);
    return XPR.number(total);
  },
  area: (...args) => {
    let pts = geoPoints(args);
    if (!pts) return XPR.number(NaN);
    const [f, l] = [pts[0], pts[pts.length - 1]];
    if (pts.length > 1 && f[0] === l[0] && f[1] === l[1]) pts = pts.slice(0, -1);
    if (pts.length < 3) return XPR.number(0);
    let total = 0;
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i];
      const q = pts[(i + 1) % pts.length];
      total += rad(q[1] - p[1]) * (2 + Math.sin(rad(p[0])) + Math.sin(rad(q[0])));
    }
    return XPR.number(Math.abs((total * EARTH * EARTH) / 2));
  },
  "base64-decode": (r) => {
    try {
      return XPR.string(base64Text(str(r).trim(), true));
    } catch {
      return XPR.string("");
    }
  },
  version: () => XPR.string(state.doc ? primaryRoot(state.doc).getAttribute("version") || "" : ""),
  // FIX 6
  "string-length": function (r) {
    return XPR.number([...str(arguments.length ? r : this.cN)].length);
  },
  "normalize-space": function (r) {
    return XPR.string(str(arguments.length ? r : this.cN).replace(/[ \t\r\n]+/g, " ").replace(/^ | $/g, ""));
  },
  // FIX 5
  number: function (r) {
    return XPR.number(toNum(arguments.length ? r : this.cN));
  },
  string: function (r) {
    return XPR.string(str(arguments.length ? r : this.cN));
  },
  boolean: (r) => XPR.boolean(toBool(r)),
  not: (r) => XPR.boolean(!toBool(r)),
  // FIX 1: indexed-repeat(value, repeat1, index1[, repeat2, index2[, repeat3, index3]])
  "indexed-repeat": (target, ...pairs) => {
    let scope = null;
    for (let i = 0; i < pairs.length; i += 2) {
      const reps = nodesOf(pairs[i]).filter((n) => !scope || (scope !== n && scope.contains(n)));
      const index = toNum(pairs[i + 1]);
      scope = Number.isInteger(index) && index >= 1 ? reps[index - 1] || null : null;
      if (!scope) return { t: "arr", v: [] };
    }
    return { t: "arr", v: nodesOf(target).filter((n) => scope.contains(n)), ordrd: true };
  },
  // pulldata('instance id', 'wanted column', 'key column', key): over the secondary instance
  pulldata: (id, wanted, keyCol, key) => {
    const inst = secondaryRoot(str(id));
    if (!inst) return XPR.string("");
    const [k, w, kc] = [str(key), str(wanted), str(keyCol)];
    for (const item of inst.children) {
      const keyEl = childNamed(item, kc);
      if (keyEl && keyEl.textContent === k) {
        const v = childNamed(item, w);
        return XPR.string(v ? v.textContent : "");
      }
    }
    return XPR.string("");
  },
  // jr:choice-name(value, 'path'): the runtime's choice labels (current language); else the
  // secondary instance named like the question (as the case file does)
  "choice-name": (value, path) => {
    const v = str(value);
    if (!v) return XPR.string("");
    const p = str(path);
    const label = state.choiceName ? state.choiceName(p, v) : null;
    if (label != null) return XPR.string(label);
    const list = secondaryRoot(p.split("/").filter(Boolean).pop() || "");
    for (const item of list ? list.children : []) {
      const name = childNamed(item, "name");
      if (name && name.textContent === v) {
        const l = childNamed(item, "label");
        return XPR.string(l ? l.textContent : "");
      }
    }
    return XPR.string("");
  },
  itext: (id) => XPR.string((state.itext && state.itext(str(id))) || ""),
  // FIX 9
  digest: (msg, algo, encoding) => XPR.string(digest(str(msg), str(algo), encoding ? str(encoding) : "base64")),
};
ours["is-selected"] = ours.selected;
Object.assign(F, ours);

// FIX 7 and FIX 18: operators follow XPath 1.0 (node-set comparisons; unions are node-sets,
// without duplicates, in document order) with ODK's dates: a date meets numbers as its day number.
const OPS = { 8: "=", 9: "!=", 12: "<", 13: "<=", 14: ">", 15: ">=", 16: "+", 17: "-", 20: "*", 21: "div", 22: "mod", 24: "|" };
function compareAtoms(a, b, op) {
  if (op === "=" || op === "!=") {
    let eq;
    if (a.t === "bool" || b.t === "bool") eq = toBool(a) === toBool(b);
    else if (a.t === "date" || b.t === "date" || a.t === "num" || b.t === "num") eq = toNum(a) === toNum(b);
    else eq = toStr(a) === toStr(b);
    return op === "=" ? eq : !eq;
  }
  const x = toNum(a);
  const y = toNum(b);
  return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
}
const atomsOf = (r) => (r.t === "arr" ? r.v.map((n) => ({ t: "str", v: nodeString(n) })) : [r]);
function compare(l, r, op) {
  if (l.t === "arr" && r.t === "bool") return compareAtoms({ t: "bool", v: toBool(l) }, r, op);
  if (r.t === "arr" && l.t === "bool") return compareAtoms(l, { t: "bool", v: toBool(r) }, op);
  for (const a of atomsOf(l)) for (const b of atomsOf(r)) if (compareAtoms(a, b, op)) return true;
  return false;
}
const origInfix = ore.process.handleInfix;
ore.process.handleInfix = (err, lhs, op, rhs) => {
  const name = OPS[op];
  if (!name || !lhs || !rhs || typeof lhs !== "object" || typeof rhs !== "object") return origInfix(err, lhs, op, rhs);
  switch (name) {
    case "|":
      if (lhs.t !== "arr" || rhs.t !== "arr") throw new Error("| needs node-sets on both sides / | ใช้กับชุดโหนดเท่านั้น");
      return sortNodes([...new Set([...lhs.v, ...rhs.v])]);
    case "+": return toNum(lhs) + toNum(rhs);
    case "-": return toNum(lhs) - toNum(rhs);
    case "*": return toNum(lhs) * toNum(rhs);
    case "div": return toNum(lhs) / toNum(rhs);
    case "mod": return toNum(lhs) % toNum(rhs);
    default: return compare(lhs, rhs, name);
  }
};
const origTypefor = ore.process.typefor;
ore.process.typefor = (v) => (Array.isArray(v) ? "arr" : origTypefor(v));

function childNamed(el, name) {
  for (const c of el.children) if (c.nodeName === name) return c;
  return null;
}

function secondaryRoot(id) {
  const doc = state.doc;
  if (!doc) return null;
  for (const inst of doc.documentElement.children) {
    if (inst.getAttribute("id") === id) return inst.firstElementChild;
  }
  return null;
}

// Capture the engine's internal result of the outermost evaluation (the last one to finish).
const process = ore.process;
const origToExternal = process.toExternalResult;
process.toExternalResult = (r, rt) => {
  lastResult = r;
  return origToExternal(r, rt);
};

const engine = new ExtendedXPathEvaluator(new XPathEvaluator(), ore);

// ---- documents ------------------------------------------------------------------------------

/**
 * A model document: `<model><instance>primary</instance><instance id="x">…</instance>…</model>`.
 * `primary` is XML text or an Element (imported); `secondary` maps instance ids to XML text or Elements.
 */
export function modelDocument(primary, secondary = {}) {
  const doc = document.implementation.createDocument(null, "model", null);
  addInstance(doc, primary, null);
  addInstances(doc, secondary);
  return doc;
}

/** Appends secondary instances ({id: XML string | Element}) to a model document. */
export function addInstances(doc, secondary = {}) {
  for (const [id, content] of Object.entries(secondary || {})) addInstance(doc, content, id);
  // Recomputed on next use: a new instance may clash with the primary root's name, and rewrites
  // cached under this document's key knew only the old instance ids.
  delete doc._chumchonPrefix;
  delete doc._chumchonIds;
}

function addInstance(doc, content, id) {
  const inst = doc.createElement("instance");
  if (id != null) inst.setAttribute("id", id);
  let el = content;
  if (typeof content === "string") {
    const parsedDoc = new DOMParser().parseFromString(content, "text/xml");
    if (parsedDoc.querySelector("parsererror")) throw new Error(`instance ${id || "(primary)"} is not well-formed XML`);
    el = parsedDoc.documentElement;
  }
  if (el) inst.append(doc.importNode(el, true));
  doc.documentElement.append(inst);
  return inst;
}

/** The primary instance's root element of a model document. */
export const primaryRoot = (doc) => doc.documentElement.firstElementChild.firstElementChild;

function primaryPrefix(doc) {
  let p = doc._chumchonPrefix;
  if (!p) {
    const root = primaryRoot(doc);
    const clash = Array.from(doc.documentElement.children).slice(1)
      .some((inst) => inst.firstElementChild && inst.firstElementChild.nodeName === root.nodeName);
    p = clash ? "/model/instance[1]" : "/model/instance";
    doc._chumchonPrefix = p;
  }
  return p;
}

/** The context chain of `node`: [{name, index}] from the primary root down, index for repeated names. */
function chainOf(node, root) {
  const chain = [];
  for (let n = node; n && n.nodeType === 1; n = n.parentNode) {
    let index = 0;
    if (n !== root) {
      // repeat instances are siblings of one name, side by side: count those before, look at the next
      let before = 1;
      for (let p = n.previousElementSibling; p && p.nodeName === n.nodeName; p = p.previousElementSibling) before++;
      const next = n.nextElementSibling;
      if (before > 1 || (next && next.nodeName === n.nodeName)) index = before;
    }
    chain.unshift({ name: n.nodeName, index });
    if (n === root) break;
  }
  return chain;
}

function indexedPath(chain, prefix) {
  return prefix + chain.map((c) => "/" + c.name + (c.index ? `[${c.index}]` : "")).join("");
}

// Node lookup by a plain path ("/data/a/b", no predicates), within the primary instance.
function findPlain(doc, path) {
  let node = primaryRoot(doc);
  const steps = path.split("/").filter(Boolean);
  if (!node || steps[0] !== node.nodeName) return null;
  for (const s of steps.slice(1)) {
    node = node && childNamed(node, s);
  }
  return node;
}

// ---- evaluate ----------------------------------------------------------------------------------

const docCache = new Map();

/**
 * Evaluates an ODK XPath expression.
 * @param {string} expr
 * @param {object} o
 *   doc: a model document (modelDocument()); or instance (XML text) + secondary ({id: XML}) to build one
 *   contextNode | contextPath: the context (default: the primary root element)
 *   result: "string" | "number" | "boolean" | "nodes" (Node[] in document order) | "values" (their strings)
 *           | "value" (what a calculate stores: the string, except NaN -> "")
 *   now: a fixed time for now()/today() (Date, ms, or ISO string)
 *   choiceName(path, value): label lookup for jr:choice-name; itext(id) for jr:itext
 */
export function evaluate(expr, o = {}) {
  const source = expr == null ? "" : String(expr);
  let doc = o.doc;
  if (!doc) {
    if (o.instance != null) {
      const key = o.instance + "\u0000" + JSON.stringify(o.secondary || {});
      doc = docCache.get(key);
      if (!doc) {
        doc = modelDocument(o.instance, o.secondary || {});
        if (docCache.size > 50) docCache.clear();
        docCache.set(key, doc);
      }
    } else if (defaultDoc) doc = defaultDoc();
    else throw new XPathError(source, "no instance / ไม่มีข้อมูลให้ประเมิน");
  }
  const root = primaryRoot(doc);
  let context = o.contextNode || null;
  if (!context && o.contextPath) {
    context = findPlain(doc, o.contextPath);
    if (!context) {
      const r = engine.evaluate(rewrite(o.contextPath, doc, root), doc, null, XPathResult.FIRST_ORDERED_NODE_TYPE);
      context = r.singleNodeValue;
    }
    if (!context) throw new XPathError(source, `context ${o.contextPath} not found / ไม่พบโหนด`);
  }
  context = context || root;
  const out = o.result || "string";
  const saved = state;
  state = {
    doc,
    now: o.now != null ? new Date(o.now) : saved.now,
    choiceName: o.choiceName || saved.choiceName,
    itext: o.itext || saved.itext,
  };
  try {
    const text = rewrite(source, doc, context);
    lastResult = null;
    engine.evaluate(text, context, null, XPathResult.ANY_TYPE, null);
    const r = lastResult;
    if (!r) throw new Error("no result");
    switch (out) {
      case "string": return toStr(r);
      // What a calculate or setvalue stores: a NaN number stores empty, as JavaRosa does (the server's
      // "value" result is the same rule); string(number('x')) in the expression stays "NaN".
      case "value": return r.t === "num" && Number.isNaN(r.v) ? "" : toStr(r);
      case "number": return toNum(r);
      case "boolean": return toBool(r);
      case "nodes":
      case "values": {
        if (r.t !== "arr") throw new Error("not a node-set / ผลลัพธ์ไม่ใช่ชุดโหนด");
        const nodes = sortNodes(r.v.filter(Boolean));
        return out === "nodes" ? nodes : nodes.map(nodeString);
      }
      default: throw new Error(`unknown result type ${out}`);
    }
  } catch (e) {
    if (e instanceof XPathError) throw e;
    throw new XPathError(source, String(e && e.message ? e.message : e).slice(0, 300));
  } finally {
    state = saved;
  }
}

const rewriteCache = new Map();
let docSerial = 0;
/** The engine text for `expr` seen from `context` (exported for tests and debugging). */
export function rewrite(expr, doc, context) {
  const ast = parsed(expr);
  const prefix = primaryPrefix(doc);
  const chain = chainOf(context, primaryRoot(doc));
  const currentPath = indexedPath(chain, prefix);
  if (!doc._chumchonIds) {
    doc._chumchonIds = new Set(Array.from(doc.documentElement.children, (i) => i.getAttribute("id")).filter(Boolean));
    doc._chumchonKey = String(++docSerial);
  }
  const key = expr + "\u0000" + currentPath + "\u0000" + doc._chumchonKey;
  let text = rewriteCache.get(key);
  if (text === undefined) {
    try {
      text = emit(ast, { primary: prefix, chain, currentPath, ids: doc._chumchonIds, first: "/model/instance[1]",
        rootName: primaryRoot(doc).nodeName });
    } catch (e) {
      throw new XPathError(expr, e.message);
    }
    if (rewriteCache.size > 20000) rewriteCache.clear();
    rewriteCache.set(key, text);
  }
  return text;
}

/** Checks an expression's syntax: null when fine, else the error message. */
export function check(expr) {
  try {
    parsed(expr);
    return null;
  } catch (e) {
    return e.message;
  }
}

let defaultDoc = null;
/** The document evaluate() uses when none is given (the form's model). */
export function setDefaultDocument(fn) {
  defaultDoc = fn;
}

/** Defaults for jr:choice-name / jr:itext lookups and the clock (the runtime sets them). */
export function configure({ choiceName, itext, now } = {}) {
  state = { ...state, choiceName: choiceName ?? state.choiceName, itext: itext ?? state.itext, now: now ?? state.now };
}
