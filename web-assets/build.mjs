// Copy the browser assets installed by `npm ci` into the Python package, so that
// `pip install` ships them and the app needs neither npm nor a network at run time.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "src", "ecoute", "web", "static", "vendor");
const modules = join(here, "node_modules");

// [package, file inside it, name in vendor/]
const assets = [
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js"],
  ["htmx.org", "LICENSE", "htmx.LICENSE.txt"],
];

mkdirSync(vendor, { recursive: true });
const versions = {};
for (const [pkg, file, name] of assets) {
  copyFileSync(join(modules, pkg, file), join(vendor, name));
  versions[pkg] = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}
// The app reads this to cache-bust and to name what it ships.
writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`copied ${assets.length} files into ${vendor}:`, versions);
