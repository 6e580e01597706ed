#!/usr/bin/env bash
# `npm test`: prepares what the tests need (dependencies, PostgreSQL, Redis, a build) and runs
# every test: unit, integration and end-to-end (which start the API and worker as processes).
source "$(dirname "$0")/lib.sh"
ensure_node_modules
ensure_postgres
ensure_redis
build
command -v gpg >/dev/null || apt_install gnupg || say "gpg unavailable: GnuPG interoperability tests will say so"
[ -x /usr/bin/chromium ] || apt_install chromium || say "chromium unavailable: the browser tests will fail"
npx eslint . && npx prettier --check . >/dev/null || { say "lint or formatting failed: npm run lint"; exit 1; }
export NODE_ENV=test
npx jest --ci "$@"
