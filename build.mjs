// Builds app/static/dist from app/static/{js,css} with esbuild: minified bundles, Sarabun subset fonts.
import * as esbuild from "esbuild";
import { mkdirSync } from "node:fs";

mkdirSync("app/static/dist", { recursive: true });

// openrosa-xpath-evaluator require()s node-forge (~700 KB) for digest() only; our digest() lives in
// app/static/js/form/digest.js, so node-forge is replaced by an empty module and never bundled.
const noNodeForge = {
  name: "no-node-forge",
  setup(build) {
    build.onResolve({ filter: /^node-forge$/ }, () => ({ path: "node-forge", namespace: "stub" }));
    build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "module.exports = null;", loader: "js" }));
  },
};
await esbuild.build({
  entryPoints: {
    app: "app/static/js/app.js",
    form: "app/static/js/form/index.js",
    styles: "app/static/css/app.css",
  },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["chrome90", "firefox90", "safari14"],
  outdir: "app/static/dist",
  loader: { ".woff2": "file", ".woff": "file" },
  assetNames: "fonts/[name]-[hash]",
  charset: "utf8",
  logLevel: "warning",
  plugins: [noNodeForge],
});
console.log("built app/static/dist");
