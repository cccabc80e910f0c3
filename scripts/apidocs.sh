#!/usr/bin/env bash
# apidocs.sh: installs the renderer of client-app's /docs (swagger-ui-dist,
# from the npm registry, pinned by client-app/apidocs/package-lock.json)
# with `npm ci`, when npm is on the PATH and the install is missing or
# older than the lock. Never fails the build: without npm (or offline),
# /docs says how to get it and the rest of the suite is unaffected.
set -uo pipefail
DIR=$(cd "$(dirname "$0")/../client-app/apidocs" && pwd)
stamp="$DIR/node_modules/.installed-lock"
if [ -f "$DIR/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ] && cmp -s "$DIR/package-lock.json" "$stamp"; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "apidocs: npm not found: /docs will say how to install its renderer (apt-get install npm; make build)"
    exit 0
fi
echo "apidocs: npm ci (swagger-ui-dist, the renderer of /docs)"
# --ignore-scripts: the package's analytics hook (@scarf/scarf) stays off.
if (cd "$DIR" && SCARF_ANALYTICS=false timeout 300 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
    cp "$DIR/package-lock.json" "$stamp"
else
    echo "apidocs: npm ci failed: /docs will say how to install its renderer"
fi
exit 0
