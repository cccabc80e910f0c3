#!/usr/bin/env bash
# check.sh [newman-report.json ...]: lints the OpenAPI documents, checks the
# Postman collection against them and, given newman JSON reports, every
# request and answer of those runs (validate.js). Installs Ajv and the
# OpenAPI schema from the npm registry into openapi/node_modules with
# `npm ci` (package-lock.json) when missing. Exit 77 (skipped) when
# Node.js or npm is absent and OPENAPI_REQUIRE is not set.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "openapi: Node.js/npm not found"
    [ -n "${OPENAPI_REQUIRE:-}" ] && exit 1
    exit 77
fi
cd "$DIR"
# ctest runs openapi_lint and openapi_recorded side by side: one npm ci at a
# time (two at once remove each other's files), the second finds it done.
exec 9>"$DIR/.npm-install.lock"
flock 9
if ! [ -d node_modules/ajv ] || ! cmp -s package-lock.json node_modules/.installed-lock; then
    echo "openapi: npm ci (ajv, ajv-formats, the OpenAPI 3.1 schema)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock
fi
flock -u 9
exec node validate.js "$@"
