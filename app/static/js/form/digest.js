// digest(message, algorithm, encoding) of the ODK XForms spec, synchronous (XPath evaluation is),
// without node-forge: MD5, SHA-1, SHA-256, SHA-384 and SHA-512 over the UTF-8 bytes; base64
// (default) or hex. SHA-384/512 use BigInt (slower, fine for the short texts forms hash).

const rotl = (x, n) => (x << n) | (x >>> (32 - n));
const rotr = (x, n) => (x >>> n) | (x << (32 - n));

// Message padded to 64-byte blocks with the bit length (big- or little-endian), as 32-bit words.
function blocks(bytes, littleEndian) {
  const len = bytes.length;
  const total = ((len + 8) >> 6) + 1;
  const words = new Uint32Array(total * 16);
  const view = new DataView(words.buffer);
  const padded = new Uint8Array(total * 64);
  padded.set(bytes);
  padded[len] = 0x80;
  const bits = len * 8;
  const dv = new DataView(padded.buffer);
  if (littleEndian) {
    dv.setUint32(total * 64 - 8, bits >>> 0, true);
    dv.setUint32(total * 64 - 4, Math.floor(bits / 2 ** 32), true);
  } else {
    dv.setUint32(total * 64 - 8, Math.floor(bits / 2 ** 32));
    dv.setUint32(total * 64 - 4, bits >>> 0);
  }
  for (let i = 0; i < total * 16; i++) view.setUint32(i * 4, dv.getUint32(i * 4, littleEndian), true);
  return words;
}

function out(words, littleEndian) {
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, littleEndian));
  return bytes;
}

function sha1(bytes) {
  const w = blocks(bytes, false);
  let [a0, b0, c0, d0, e0] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const m = new Uint32Array(80);
  for (let i = 0; i < w.length; i += 16) {
    for (let t = 0; t < 80; t++) m[t] = t < 16 ? w[i + t] : rotl(m[t - 3] ^ m[t - 8] ^ m[t - 14] ^ m[t - 16], 1);
    let [a, b, c, d, e] = [a0, b0, c0, d0, e0];
    for (let t = 0; t < 80; t++) {
      const f = t < 20 ? (b & c) | (~b & d) : t < 40 ? b ^ c ^ d : t < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const tmp = (rotl(a, 5) + f + e + k + m[t]) | 0;
      e = d; d = c; c = rotl(b, 30); b = a; a = tmp;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0; e0 = (e0 + e) | 0;
  }
  return out([a0, b0, c0, d0, e0], false);
}

const K256 = [];
const primes = [];
for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p)) primes.push(n);
primes.forEach((p) => K256.push((Math.cbrt(p) % 1) * 2 ** 32 >>> 0));
const H256 = primes.slice(0, 8).map((p) => (Math.sqrt(p) % 1) * 2 ** 32 >>> 0);

function sha256(bytes) {
  const w = blocks(bytes, false);
  const h = H256.slice();
  const m = new Uint32Array(64);
  for (let i = 0; i < w.length; i += 16) {
    for (let t = 0; t < 64; t++) {
      if (t < 16) m[t] = w[i + t];
      else {
        const s0 = rotr(m[t - 15], 7) ^ rotr(m[t - 15], 18) ^ (m[t - 15] >>> 3);
        const s1 = rotr(m[t - 2], 17) ^ rotr(m[t - 2], 19) ^ (m[t - 2] >>> 10);
        m[t] = (m[t - 16] + s0 + m[t - 7] + s1) | 0;
      }
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[t] + m[t]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((v, k) => (h[k] = (h[k] + v) | 0));
  }
  return out(h, false);
}

const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const KMD5 = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

function md5(bytes) {
  const w = blocks(bytes, true);
  let [a0, b0, c0, d0] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let i = 0; i < w.length; i += 16) {
    let [a, b, c, d] = [a0, b0, c0, d0];
    for (let t = 0; t < 64; t++) {
      let f;
      let g;
      if (t < 16) { f = (b & c) | (~b & d); g = t; }
      else if (t < 32) { f = (d & b) | (~d & c); g = (5 * t + 1) % 16; }
      else if (t < 48) { f = b ^ c ^ d; g = (3 * t + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * t) % 16; }
      const tmp = d;
      d = c;
      c = b;
      b = (b + rotl((a + f + KMD5[t] + w[i + g]) | 0, S[(t >> 4) * 4 + (t % 4)])) | 0;
      a = tmp;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
  }
  return out([a0, b0, c0, d0], true);
}

// SHA-512 family: constants from the first 80 primes (fractional parts of cube / square roots,
// taken exactly with BigInt integer roots).
const M64 = (1n << 64n) - 1n;
function iroot(n, k) {
  // floor(n^(1/k)) for BigInt n, Newton's method
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / k) + 1);
  for (;;) {
    const y = ((BigInt(k) - 1n) * x + n / x ** (BigInt(k) - 1n)) / BigInt(k);
    if (y >= x) return x;
    x = y;
  }
}
let K512 = null;
const frac = (p, k) => iroot(BigInt(p) << BigInt(64 * k), k) & M64;
const r64 = (x, n) => ((x >> n) | (x << (64n - n))) & M64;

function sha512(bytes, bits = 512) {
  if (!K512) {
    const ps = [];
    for (let n = 2; ps.length < 80; n++) if (ps.every((p) => n % p)) ps.push(n);
    K512 = { k: ps.map((p) => frac(p, 3)), p: ps };
  }
  const h = bits === 512 ? K512.p.slice(0, 8).map((p) => frac(p, 2)) : K512.p.slice(8, 16).map((p) => frac(p, 2));
  const len = bytes.length;
  const total = Math.ceil((len + 17) / 128) * 128;
  const buf = new Uint8Array(total);
  buf.set(bytes);
  buf[len] = 0x80;
  const dv = new DataView(buf.buffer);
  dv.setBigUint64(total - 8, BigInt(len) * 8n);
  const w = new Array(80);
  for (let i = 0; i < total; i += 128) {
    for (let t = 0; t < 80; t++) {
      if (t < 16) w[t] = dv.getBigUint64(i + t * 8);
      else {
        const s0 = r64(w[t - 15], 1n) ^ r64(w[t - 15], 8n) ^ (w[t - 15] >> 7n);
        const s1 = r64(w[t - 2], 19n) ^ r64(w[t - 2], 61n) ^ (w[t - 2] >> 6n);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & M64;
      }
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 80; t++) {
      const t1 = (hh + (r64(e, 14n) ^ r64(e, 18n) ^ r64(e, 41n)) + ((e & f) ^ (~e & M64 & g)) + K512.k[t] + w[t]) & M64;
      const t2 = ((r64(a, 28n) ^ r64(a, 34n) ^ r64(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & M64;
      hh = g; g = f; f = e; e = (d + t1) & M64; d = c; c = b; b = a; a = (t1 + t2) & M64;
    }
    [a, b, c, d, e, f, g, hh].forEach((v, k) => (h[k] = (h[k] + v) & M64));
  }
  const out = new Uint8Array(64);
  const ov = new DataView(out.buffer);
  h.forEach((v, k) => ov.setBigUint64(k * 8, v));
  return out.slice(0, bits / 8);
}

const ALGORITHMS = { md5, "sha-1": sha1, "sha-256": sha256, "sha-384": (b) => sha512(b, 384), "sha-512": (b) => sha512(b, 512) };

export function digest(message, algorithm, encoding = "base64") {
  const algo = String(algorithm).toLowerCase();
  const enc = String(encoding || "base64").toLowerCase();
  const fn = ALGORITHMS[algo];
  if (!fn) throw new Error(`digest(): unknown algorithm ${algorithm} / ไม่รู้จักอัลกอริทึม`);
  if (enc !== "base64" && enc !== "hex") throw new Error(`digest(): unknown encoding ${encoding} / ไม่รู้จักการเข้ารหัส`);
  const bytes = fn(new TextEncoder().encode(message));
  if (enc === "hex") return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return btoa(String.fromCharCode(...bytes));
}
