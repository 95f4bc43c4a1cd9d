#!/usr/bin/env bash
# Refresh KERN UX (@kern-ux/native) from the npm registry: the built CSS, the Fira Sans fonts its
# font stylesheet references, the licence and the version. Usage: vendor.sh [version|latest]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)/static/kern"
version="${1:-latest}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@kern-ux/native@$version" >/dev/null && tar xzf ./*.tgz)
dist="$work/package/dist"
rm -rf "$here/fonts" && mkdir -p "$here/fonts/fira-sans"
cp "$dist/kern.min.css" "$here/kern.min.css"
cp "$dist/fonts/fira-sans.css" "$here/fonts/fira-sans.css"
grep -o 'fira-sans/[A-Za-z-]*\.woff2' "$dist/fonts/fira-sans.css" | sort -u | while read -r font; do
  cp "$dist/fonts/$font" "$here/fonts/$font"
done
cp "$work/package/LICENSE.md" "$here/LICENSE.md"
node -p "require('$work/package/package.json').version" > "$here/VERSION.txt"
echo "KERN UX $(cat "$here/VERSION.txt") vendored into $here"
