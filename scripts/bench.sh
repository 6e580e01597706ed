#!/usr/bin/env bash
# `npm run bench`: the same preparation as `npm start`, then the benchmark (see bench/bench.ts).
source "$(dirname "$0")/lib.sh"
ensure_node_modules
ensure_postgres
ensure_redis
build
# The benchmark's processes get NODE_ENV=test from bench/*.ts; anything else it runs, too.
export NODE_ENV="${NODE_ENV:-test}"
node dist/bench/bench.js "$@"
# Notification throughput beside raw nodemailer to the same loopback listener (bench/notifications.ts).
node dist/bench/notifications.js "$@"
# Evidence: sequencer rate, proofs at 1M entries, offline verification of an export (bench/evidence.ts).
node dist/bench/evidence.js "$@"
