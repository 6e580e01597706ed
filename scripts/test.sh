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
if ! command -v promtool >/dev/null; then
  apt_install prometheus || say "promtool unavailable: test/ops.e2e.ts will fail"
  # Only its promtool is wanted: a server the package may have started is not the tests' to run.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
# The multi-node layout's short run (test/cluster/multi-node-short.e2e.ts) starts its own engines.
for engine in pgbouncer haproxy; do
  command -v "$engine" >/dev/null || apt_install "$engine" || say "$engine unavailable: the cluster test will fail"
done
command -v docker-compose >/dev/null || apt_install docker-compose || say "docker-compose unavailable: test/ops.e2e.ts will fail"
npx eslint . && npx prettier --check . >/dev/null || { say "lint or formatting failed: npm run lint"; exit 1; }
export NODE_ENV=test
# Two workers: most of an end-to-end test is waiting on its own API and worker processes.
npx jest --ci --maxWorkers=2 "$@"
