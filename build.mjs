// Builds app/static/dist from app/static/{js,css} with esbuild: minified bundles, Sarabun subset fonts,
// then the service worker (service_worker/sw.js -> dist/sw.js) with the precache manifest of this
// build written into it: one entry per dist file with a content hash, so a new build = a new worker.
import * as esbuild from "esbuild";
import subsetFont from "subset-font";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import { relative } from "node:path";

const DIST = "app/static/dist";
mkdirSync(DIST, { recursive: true });

// openrosa-xpath-evaluator require()s node-forge (~700 KB) for digest() only; our digest() lives in
// app/static/js/form/digest.js, so node-forge is replaced by an empty module and never bundled.
const noNodeForge = {
  name: "no-node-forge",
  setup(build) {
    build.onResolve({ filter: /^node-forge$/ }, () => ({ path: "node-forge", namespace: "stub" }));
    build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "module.exports = null;", loader: "js" }));
  },
};
// Sarabun, cut to what the pages write: the Thai block, ASCII and the punctuation we use
// (« » · – — ‘ ’ “ ” • … ‹ › − ×), in three faces per weight: Thai, digits and punctuation ("mark"),
// Latin letters. The CSS (`@import "sarabun:fonts.css"` in app.css) is written here with the same
// ranges as unicode-range, so a browser fetches a face only when a page shows one of its characters
// in that weight (Thai labels in bold with "(บาท)" or "1." need no bold Latin letters), and other
// characters (accented letters) come from the system font. benchmarks/page_weight.py: first load.
const SARABUN_RANGES = {
  thai: [[0x0e01, 0x0e5b], [0x200c, 0x200d], [0x25cc, 0x25cc]],
  mark: [[0x20, 0x40], [0x5b, 0x60], [0x7b, 0x7e], [0xa0, 0xa0], [0xab, 0xab], [0xb7, 0xb7], [0xbb, 0xbb],
    [0xd7, 0xd7], [0x2013, 0x2014], [0x2018, 0x201d], [0x2022, 0x2022], [0x2026, 0x2026], [0x2039, 0x203a],
    [0x2212, 0x2212]],
  letters: [[0x41, 0x5a], [0x61, 0x7a]],
};
// In bold, only digits and % have a face of their own: other punctuation in a bold Thai label
// ("(บาท)") is the regular face made bold by the browser, so a form's first page needs no second
// punctuation file (benchmarks/page_weight.py, first load <= 100 KB).
const BOLD_MARK = [[0x25, 0x25], [0x30, 0x39]];
const SOURCE_SUBSET = { thai: "thai", mark: "latin", letters: "latin" }; // @fontsource/sarabun's files
const rangesOf = (subset, weight) => (subset === "mark" && weight === "700" ? BOLD_MARK : SARABUN_RANGES[subset]);
const hexRange = ([a, b]) => (a === b ? `U+${a.toString(16).toUpperCase()}` : `U+${a.toString(16).toUpperCase()}-${b.toString(16).toUpperCase()}`);
const sarabun = {
  name: "sarabun-subset",
  setup(build) {
    build.onResolve({ filter: /^sarabun:/ }, (args) => ({ path: args.path.slice("sarabun:".length), namespace: "sarabun" }));
    build.onLoad({ filter: /^fonts\.css$/, namespace: "sarabun" }, () => ({
      loader: "css",
      contents: Object.keys(SARABUN_RANGES).flatMap((subset) => ["400", "700"].map((weight) =>
        `@font-face { font-family: "Sarabun"; font-style: normal; font-display: swap; font-weight: ${weight}; ` +
        `src: url("sarabun:sarabun-${subset}-${weight}-normal.woff2") format("woff2"); ` +
        `unicode-range: ${rangesOf(subset, weight).map(hexRange).join(", ")}; }`)).join("\n"),
    }));
    build.onLoad({ filter: /\.woff2$/, namespace: "sarabun" }, async (args) => {
      const [, subset, weight] = args.path.split("-");
      const text = rangesOf(subset, weight).flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => String.fromCodePoint(a + i))).join("");
      const font = readFileSync(`node_modules/@fontsource/sarabun/files/sarabun-${SOURCE_SUBSET[subset]}-${weight}-normal.woff2`);
      return { contents: await subsetFont(font, text, { targetFormat: "woff2" }), loader: "file" };
    });
  },
};
const app = await esbuild.build({
  entryPoints: {
    app: "app/static/js/app.js",
    htmx: "app/static/js/htmx.js",
    form: "app/static/js/form/index.js",
    meeting: "app/static/js/scoring/page.js",
    reports: "app/static/js/reports/page.js",
    styles: "app/static/css/app.css",
  },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["chrome90", "firefox90", "safari14"],
  outdir: DIST,
  loader: { ".woff2": "file", ".woff": "file" },
  assetNames: "fonts/[name]-[hash]",
  charset: "utf8",
  logLevel: "warning",
  metafile: true,
  plugins: [noNodeForge, sarabun],
});

// The offline fallback page: static HTML, precached with the shell.
copyFileSync("service_worker/offline.html", `${DIST}/offline.html`);
// The site icon (base.html links it, so browsers do not ask for a /favicon.ico that is not there).
copyFileSync("app/static/img/icon.svg", `${DIST}/icon.svg`);

// Precache manifest: what this build produced (the metafile's outputs, not whatever lies in dist/),
// minus the legacy .woff fonts (every supported browser takes .woff2; a .woff is cached on use).
const outputs = [...Object.keys(app.metafile.outputs), `${DIST}/offline.html`, `${DIST}/icon.svg`]
  .filter((f) => !f.endsWith(".woff") && !f.endsWith(".map"))
  .sort();
const manifest = outputs.map((file) => ({
  url: "/static/dist/" + relative(DIST, file).split("\\").join("/"),
  revision: createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16),
}));
const buildId = createHash("sha256").update(JSON.stringify(manifest)).digest("hex").slice(0, 12);

await esbuild.build({
  entryPoints: { sw: "service_worker/sw.js" },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",  // classic worker script: module workers are not in every tablet's browser
  target: ["chrome90", "firefox90", "safari14"],
  outdir: DIST,
  define: {
    __PRECACHE_MANIFEST__: JSON.stringify(manifest),
    __BUILD_ID__: JSON.stringify(buildId),
    "process.env.NODE_ENV": '"production"',
  },
  charset: "utf8",
  logLevel: "warning",
});
// Pre-compressed copies (app/assets.py serves them): brotli 11 and gzip 9, once per build.
for (const file of [...outputs, `${DIST}/sw.js`].filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
  const data = readFileSync(file);
  writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
}
console.log(`built ${DIST} (service worker build ${buildId}, ${manifest.length} precached files)`);
