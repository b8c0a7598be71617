#!/usr/bin/env bash
# Re-vendor YASGUI from the npm registry: api/static/yasgui/refresh.sh [version]
#
# Copies the two files the page loads (the UMD bundle and its stylesheet) byte for byte from the
# package tarball, and rebuilds THIRD-PARTY-NOTICES.txt from the licence files of the package's
# production dependencies: the published bundle strips their licence comments, so the notices
# have to travel beside it. Then lists every absolute URL in the bundle, for a person to check
# that none is loaded at run time (see README.md); it changes nothing else.
set -euo pipefail
package="@zazuko/yasgui"
version="${1:-4.6.2}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
tarball="$(npm pack --silent "$package@$version")"
tar -xzf "$tarball"
cp package/build/yasgui.min.js package/build/yasgui.min.css "$here/"

npm install --silent --ignore-scripts --no-audit --no-fund --omit=dev --prefix deps "$package@$version"
node - "$here/THIRD-PARTY-NOTICES.txt" "$package@$version" <<'JS'
const fs = require("fs");
const path = require("path");
const [out, spec] = process.argv.slice(2);
const root = path.join("deps", "node_modules");
const dirs = [];
for (const name of fs.readdirSync(root).sort()) {
  if (name.startsWith(".")) continue;
  if (name.startsWith("@")) {
    for (const sub of fs.readdirSync(path.join(root, name)).sort()) dirs.push(path.join(root, name, sub));
  } else dirs.push(path.join(root, name));
}
const parts = [`Licences of the packages bundled into yasgui.min.js (${spec} and its production dependencies,\nas installed by refresh.sh; the published bundle strips their licence comments).\n`];
for (const dir of dirs) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const files = fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f)).sort();
  parts.push(`${"=".repeat(100)}\n${pkg.name} ${pkg.version}: ${JSON.stringify(pkg.license ?? "see below")}\n`);
  for (const f of files) parts.push(fs.readFileSync(path.join(dir, f), "utf8").trim() + "\n");
  if (!files.length) parts.push("(the package ships no licence file; its package.json declares the licence above)\n");
}
fs.writeFileSync(out, parts.join("\n"));
JS

echo "vendored $package@$version into $here:"
(cd "$here" && sha256sum yasgui.min.js yasgui.min.css)
echo "absolute URLs in the bundle (check none is fetched at run time; see README.md):"
grep -ohE "https?://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+" "$here/yasgui.min.js" "$here/yasgui.min.css" | sort | uniq -c | sort -rn
