// The JavaScript twin of app/scoring/core.py: score(spec, answers) -> the same dict as
// ScoreResult.to_dict(), exactly. Pure: no DOM, no floats in decisions. Every rule is the Python
// module's (read its docstring); numbers are exact rationals over BigInt, as Python's Fraction and
// Decimal are, and become JSON numbers (ints when whole, else at most 2 decimals, rounded half up)
// only at the end. Checked against tests/scoring/vectors.json by tests/browser/test_scoring_twin.py.

const MAX_LISTED = 5;

// ---- exact rationals ---------------------------------------------------------------------------

const babs = (a) => (a < 0n ? -a : a);
function gcd(a, b) {
  a = babs(a);
  b = babs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** n/d with d > 0, in lowest terms. */
class Q {
  constructor(n, d = 1n) {
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n, d) || 1n;
    this.n = n / g;
    this.d = d / g;
  }
  add(o) { return new Q(this.n * o.d + o.n * this.d, this.d * o.d); }
  sub(o) { return new Q(this.n * o.d - o.n * this.d, this.d * o.d); }
  mul(o) { return new Q(this.n * o.n, this.d * o.d); }
  div(o) { return new Q(this.n * o.d, this.d * o.n); }
  cmp(o) {
    const l = this.n * o.d;
    const r = o.n * this.d;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  isZero() { return this.n === 0n; }
}
const ZERO = new Q(0n);
const HALF = new Q(1n, 2n);
const HUNDRED = new Q(100n);

/** Python's int(): truncation toward zero. */
function trunc(q) {
  const t = babs(q.n) / q.d;
  return q.n < 0n ? -t : t;
}

/** Python's _round_half_up: the nearest integer, halves away from zero (a BigInt). */
function roundHalfUp(q) {
  if (q.n < 0n) return -roundHalfUp(new Q(-q.n, q.d));
  return trunc(q.add(HALF));
}

// ---- numbers in and out -------------------------------------------------------------------------

// Python's str.strip() whitespace (str.isspace()).
const PY_SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const STRIP_RE = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");
const pyStrip = (s) => s.replace(STRIP_RE, "");

// A Unicode decimal digit's value (Python's Decimal accepts any: Thai ๓, full-width ３ …). Digits
// come in contiguous runs of ten from zero, so the value is the count of digits before it mod 10.
const ND = /\p{Nd}/u;
function digitValue(ch) {
  if (ch >= "0" && ch <= "9") return ch.charCodeAt(0) - 48;
  if (!ND.test(ch)) return -1;
  let cp = ch.codePointAt(0);
  let k = 0;
  while (k < 100 && ND.test(String.fromCodePoint(cp - 1))) { cp--; k++; }
  return k % 10;
}

const NUMBER_RE = /^([+-])?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const SPECIAL_RE = /^[+-]?(inf|infinity|s?nan\d*)$/i;
const MAX_EXPONENT = 4000; // beyond it the value rounds to 0 or clamps at the max anyway

/**
 * Python's Decimal(text) as an exact rational, or null when Decimal refuses it or it is not finite
 * (Infinity, NaN). Underscores are ignored and Unicode digits read, as CPython's decimal does.
 */
export function parseDecimal(text) {
  let ascii = "";
  for (const ch of pyStrip(String(text))) {
    if (ch === "_") continue;
    if (ch.charCodeAt(0) < 128) { ascii += ch; continue; }
    const v = digitValue(ch);
    if (v < 0) return null;
    ascii += String(v);
  }
  if (SPECIAL_RE.test(ascii)) return null;
  const m = NUMBER_RE.exec(ascii);
  if (!m) return null;
  const [, sign, intPart, fracPart, onlyFrac, expText] = m;
  const digits = (intPart || "") + (fracPart || onlyFrac || "");
  let exponent = (expText ? Number(expText) : 0) - (fracPart || onlyFrac || "").length;
  let n = BigInt(digits || "0");
  if (sign === "-") n = -n;
  if (n === 0n) return ZERO;
  if (exponent > MAX_EXPONENT) exponent = MAX_EXPONENT;
  if (exponent < -MAX_EXPONENT - digits.length) return new Q(n < 0n ? -1n : 1n, 10n ** BigInt(MAX_EXPONENT));
  return exponent >= 0 ? new Q(n * 10n ** BigInt(exponent)) : new Q(n, 10n ** BigInt(-exponent));
}

/** A spec number (JSON int or float with at most 2 decimals) exactly as Decimal(str(x)) reads it. */
function dec(x) {
  if (x instanceof Q) return x;
  const q = parseDecimal(typeof x === "number" ? numberText(x) : String(x));
  if (q === null) throw new Error(`not a number: ${x}`);
  return q;
}

// Python's str(float) and JavaScript's String(number) agree except for the exponent's form.
function numberText(x) {
  return String(x);
}

/** Python's _num: a JSON number with at most 2 decimals (rounded half up). */
function num(q) {
  const h = roundHalfUp(q.mul(HUNDRED));
  if (h % 100n === 0n) return Number(h / 100n);
  const neg = h < 0n;
  const a = babs(h);
  const text = `${neg ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
  return parseFloat(text);
}

// ---- the rules (app/scoring/core.py) -------------------------------------------------------------

const has = (o, k) => o != null && Object.prototype.hasOwnProperty.call(o, k);

function indicatorPoints(ind, value) {
  if (value === null || value === undefined) return null;
  value = pyStrip(String(value));
  if (!value) return null;
  const maximum = dec(ind.max);
  if (ind.kind === "select") {
    const scores = ind.scores || {};
    return has(scores, value) ? dec(scores[value]) : null;
  }
  const d = parseDecimal(value);
  if (d === null) return null;
  const rounded = new Q(roundHalfUp(d.mul(HUNDRED)), 100n);
  if (rounded.cmp(ZERO) < 0) return ZERO;
  return rounded.cmp(maximum) > 0 ? maximum : rounded;
}

const percentOf = (got, most) => (most.cmp(ZERO) <= 0 ? null : got.mul(HUNDRED).div(most));

/**
 * Score `answers` ({question name or absolute path: submitted string}) by `spec` (FormVersion.scoring).
 * Returns exactly what Python's score(spec, answers).to_dict() returns.
 */
export function score(spec, answers) {
  answers = answers || {};
  const indicators = [];
  const shares = []; // [share, order, entry] of assessed indicators
  const perGroup = new Map(spec.groups.map((g) => [g.name, [ZERO, ZERO]]));
  let answered = 0;
  spec.indicators.forEach((ind, order) => {
    const value = has(answers, ind.name) ? answers[ind.name] : (has(answers, ind.path || "") ? answers[ind.path || ""] : null);
    const points = indicatorPoints(ind, value);
    const maximum = dec(ind.max);
    const entry = {
      name: ind.name, label: ind.label || {}, group: ind.group,
      score: points === null ? null : num(points), max: num(maximum), answered: points !== null,
    };
    indicators.push(entry);
    if (points === null) return;
    answered += 1;
    if (!perGroup.has(ind.group)) perGroup.set(ind.group, [ZERO, ZERO]);
    const acc = perGroup.get(ind.group);
    acc[0] = acc[0].add(points);
    acc[1] = acc[1].add(maximum);
    shares.push([points.div(maximum), order, entry]);
  });

  const groups = [];
  const advice = [];
  let total = ZERO;
  let maximum = ZERO;
  for (const g of spec.groups) {
    const [got, most] = perGroup.get(g.name);
    total = total.add(got);
    maximum = maximum.add(most);
    const exact = percentOf(got, most);
    const passMark = g.pass_mark ?? null;
    const passed = exact === null || passMark === null ? null : exact.cmp(dec(passMark)) >= 0;
    const label = g.label || {};
    const adv = g.advice || {};
    groups.push({ name: g.name, label, score: num(got), max: num(most), percent: exact === null ? null : num(exact),
      pass_mark: passMark, passed, advice: adv });
    if (passed === false) advice.push({ group: g.name, label, advice: adv });
  }

  const exact = percentOf(total, maximum);
  let level = null;
  if (exact !== null) {
    for (const lv of spec.levels) {
      if (exact.cmp(dec(lv.min_percent)) >= 0) {
        level = { name: lv.name, label: lv.label || {}, colour: lv.colour ?? null };
        break;
      }
    }
  }

  const brief = (e) => ({ name: e.name, label: e.label, group: e.group, score: e.score, max: e.max });
  const best = shares.filter((s) => s[0].cmp(HALF) >= 0)
    .sort((a, b) => b[0].cmp(a[0]) || a[1] - b[1]).slice(0, MAX_LISTED);
  const strong = new Set(best.map((s) => s[1]));
  const one = new Q(1n);
  const worst = shares.filter((s) => s[0].cmp(one) < 0 && !strong.has(s[1]))
    .sort((a, b) => a[0].cmp(b[0]) || a[1] - b[1]).slice(0, MAX_LISTED);

  return {
    total: num(total),
    max: num(maximum),
    percent: exact === null ? null : num(exact),
    level,
    answered,
    indicator_count: spec.indicators.length,
    groups,
    indicators,
    strengths: best.map((s) => brief(s[2])),
    weaknesses: worst.map((s) => brief(s[2])),
    advice,
  };
}
