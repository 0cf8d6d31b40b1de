// Trunk post_build hook (Trunk.toml), release builds only: minify wasm-bindgen's JS glue
// with terser. Trunk's own minifier gives up on it ("Failed to minify JS:
// RequiredTokenNotFound(Identifier) [token=Some(KeywordDefault)]") and ships it as written,
// 8.4 KB gzipped instead of 6.6 KB (docs/performance.md). index.html pins the file by its
// Subresource Integrity hash, so the hash is updated to match.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { minify } from "terser";

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);
if (!dir) throw new Error("minify-js: TRUNK_STAGING_DIR is not set (run it as a Trunk hook)");

const sri = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");
const indexPath = join(dir, "index.html");
let index = readFileSync(indexPath, "utf8");
for (const name of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
  const path = join(dir, name);
  const before = readFileSync(path);
  const out = await minify(before.toString("utf8"), { module: true, compress: true, mangle: true });
  if (typeof out.code !== "string") throw new Error(`minify-js: terser returned nothing for ${name}`);
  writeFileSync(path, out.code);
  const [oldHash, newHash] = [sri(before), sri(Buffer.from(out.code))];
  if (index.includes(oldHash)) index = index.replaceAll(oldHash, newHash);
  console.log(`minify-js: ${name} ${before.length} -> ${out.code.length} B`);
}
writeFileSync(indexPath, index);
