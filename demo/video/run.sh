#!/usr/bin/env bash
# run.sh (make demo-video): records the demo video docs/demo.webm and its
# captions docs/demo.vtt from a private copy of the suite (demo/suite.sh,
# named "video": ports 18290-18292, PostgreSQL 55472, data in
# .run/suite-video, wiped first so every recording starts from the seeds;
# the suite of `make up` is left alone). Installs what it needs (the
# "video" profile of scripts/deps.sh: chromium, ffmpeg, espeak-ng; npm ci
# of the pinned playwright-core and mermaid into the build folder), builds
# the daemons, then runs record.mjs. About 6 minutes of recording plus the
# encoding.
#   VIDEO_PG_PORT VIDEO_CLIENT_PORT VIDEO_TICKET_PORT VIDEO_PAYMENT_PORT  other ports
#   VIDEO_OUT (docs/demo.webm)  VIDEO_FPS (6)  VIDEO_CRF (50)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/../.." && pwd)
BUILD=${BUILD_DIR:-build}
case "$BUILD" in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
out=${VIDEO_OUT:-$REPO/docs/demo.webm}

"$REPO/scripts/deps.sh" video
make -s -C "$REPO" daemons

work=$BUILD/demo-video
mkdir -p "$work"
cp "$here/record.mjs" "$work/"
# npm ci (the pinned lock file) unless that very lock is installed already
if ! cmp -s "$here/package-lock.json" "$work/node_modules/.installed-lock.json"; then
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    (cd "$work" && npm ci --no-audit --no-fund --loglevel=error >npm-ci.log 2>&1) || {
        cat "$work/npm-ci.log" >&2
        echo "npm ci failed (is the npm registry reachable?)" >&2
        exit 1
    }
    cp "$here/package-lock.json" "$work/node_modules/.installed-lock.json"
fi

export PG_PORT=${VIDEO_PG_PORT:-55472}
export CLIENT_APP_PORT=${VIDEO_CLIENT_PORT:-18290}
export TICKET_APP_PORT=${VIDEO_TICKET_PORT:-18291}
export PAYMENT_APP_PORT=${VIDEO_PAYMENT_PORT:-18292}
"$REPO/demo/suite.sh" wipe video
trap '"$REPO/demo/suite.sh" down video' EXIT
# a copy of the recorder runs beside its packages (ESM resolves from there)
node "$work/record.mjs" \
    --repo "$REPO" --work "$work" --out "$out" --vtt "${out%.*}.vtt"
