#!/usr/bin/env bash
# Refresh axe-core (the accessibility rules engine the browser test runs) from the npm registry.
# Usage: vendor_axe.sh [version|latest]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)/axe"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@${1:-latest}" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$here"
cp "$work/package/axe.min.js" "$here/axe.min.js"
cp "$work/package/LICENSE" "$here/LICENSE.txt"
node -p "require('$work/package/package.json').version" > "$here/VERSION.txt"
echo "axe-core $(cat "$here/VERSION.txt") vendored into $here"
