// Finishes Trunk's build in dist/ for the parent's phone (run by scripts/build-spa):
// 1. Bootstrap Italia cut to the rules whose classes the portal's sources name (PurgeCSS)
//    and, with the portal's style.css, inlined into index.html: no stylesheet to wait for.
// 2. The icon sprite cut to the icons the sources name.
// 3. The service worker (sw.js) given this build's version and the files it keeps.
// 4. Every text file compressed beside itself, brotli (.br) and gzip (.gz), for the server
//    to send by Accept-Encoding.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { PurgeCSS } from "purgecss";

const dist = process.argv[2] ?? "dist";
const sources = "frontend";

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

// Every word the sources contain: a class or an icon is used when its name is one of them.
const sourceFiles = files(sources).filter((f) => /\.(rs|html)$/.test(f));
const words = new Set(
  sourceFiles.flatMap((f) => readFileSync(f, "utf8").match(/[A-Za-z0-9_-]+/g) ?? []),
);

// 1. The styles, inlined.
let index = readFileSync(join(dist, "index.html"), "utf8");
const bootstrapPath = join(dist, "css", "bootstrap-italia.min.css");
const bootstrap = readFileSync(bootstrapPath, "utf8");
const [purged] = await new PurgeCSS().purge({
  content: sourceFiles,
  css: [{ raw: bootstrap }],
  // States the browser or the markup sets without a class in the sources.
  safelist: { standard: ["html", "body", "show", "active", "disabled"] },
});
rmSync(join(dist, "css"), { recursive: true });
const styleLink = /<link rel="stylesheet" href="\/(style-[0-9a-f]+\.css)"[^>]*>/;
const styleFile = index.match(styleLink)?.[1];
if (!styleFile) throw new Error("index.html: Trunk's link to style.css not found");
const own = readFileSync(join(dist, styleFile), "utf8");
rmSync(join(dist, styleFile));
const bootstrapLink = '<link rel="stylesheet" href="/css/bootstrap-italia.min.css" />';
if (!index.includes(bootstrapLink)) throw new Error("index.html: Bootstrap Italia link not found");
index = index
  .replace(bootstrapLink, () => `<style>${purged.css}\n${own}</style>`)
  .replace(styleLink, "");
console.log(`Bootstrap Italia: ${kib(bootstrap.length)} -> ${kib(purged.css.length)} inlined`);

// 2. The icons the sources name.
const spritePath = join(dist, "svg", "sprites.svg");
const sprite = readFileSync(spritePath, "utf8");
const symbols = sprite.match(/<symbol[\s\S]*?<\/symbol>/g) ?? [];
const kept = symbols.filter((s) => words.has(s.match(/id="it-([^"]+)"/)?.[1]));
const svgOpen = sprite.match(/<svg[^>]*>/)?.[0];
if (!svgOpen || kept.length === 0) throw new Error("sprites.svg: no icon of the sources found");
writeFileSync(spritePath, `${svgOpen}${kept.join("")}</svg>`);
console.log(`Icons: ${symbols.length} -> ${kept.length}`);

writeFileSync(join(dist, "index.html"), index);

// 3. The service worker: this build's version (the page names every hashed file, so it
//    changes with any of them) and what it keeps from the start.
const version = createHash("sha256").update(index).digest("hex").slice(0, 16);
const hashed = readdirSync(dist).filter((f) => /-[0-9a-f]{12,16}(_bg)?\.(js|wasm)$/.test(f));
const preloaded = (index.match(/<link rel="preload" href="[^"]+"/g) ?? []).map((l) => l.split('"')[3]);
const precache = [
  ...new Set(["/offline.html", "/svg/sprites.svg", ...hashed.map((f) => `/${f}`), ...preloaded]),
];
const swPath = join(dist, "sw.js");
const build = `const BUILD = ${JSON.stringify({ version, precache })};\n`;
writeFileSync(swPath, build + readFileSync(swPath, "utf8"));
console.log(`Service worker: version ${version}, ${precache.length} files kept`);

// 4. Compressed copies of every file that compresses.
let before = 0;
let after = 0;
for (const file of files(dist).filter((f) => /\.(html|js|css|wasm|svg|json|webmanifest|woff)$/.test(f))) {
  const bytes = readFileSync(file);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  if (br.length < bytes.length) writeFileSync(`${file}.br`, br);
  if (gz.length < bytes.length) writeFileSync(`${file}.gz`, gz);
  if (/\.(html|js|wasm)$/.test(file) && !relative(dist, file).includes("/")) {
    before += bytes.length;
    after += br.length;
    console.log(`${relative(dist, file)}: ${kib(bytes.length)}, brotli ${kib(br.length)}, gzip ${kib(gz.length)}`);
  }
}
console.log(`App (page, JS, wasm): ${kib(before)}, brotli ${kib(after)}`);
