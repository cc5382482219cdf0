// Builds app/static/dist from app/static/{js,css} with esbuild: minified bundles, Sarabun subset fonts.
import * as esbuild from "esbuild";
import { mkdirSync } from "node:fs";

mkdirSync("app/static/dist", { recursive: true });
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
});
console.log("built app/static/dist");
