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
# promtool checks the alert rules (Debian ships it only with the server); docker-compose validates
# docker/compose.yaml without a Docker engine.
command -v promtool >/dev/null || apt_install prometheus || say "promtool unavailable: test/ops.e2e.ts will fail"
command -v docker-compose >/dev/null || apt_install docker-compose || say "docker-compose unavailable: test/ops.e2e.ts will fail"
npx eslint . && npx prettier --check . >/dev/null || { say "lint or formatting failed: npm run lint"; exit 1; }
export NODE_ENV=test
npx jest --ci "$@"
