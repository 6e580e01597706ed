#!/usr/bin/env bash
# `npm run bench`: the same preparation as `npm start`, then the benchmark (see bench/bench.ts).
source "$(dirname "$0")/lib.sh"
ensure_node_modules
ensure_postgres
ensure_redis
build
node dist/bench/bench.js "$@"
# Notification throughput beside raw nodemailer to the same loopback listener (bench/notifications.ts).
node dist/bench/notifications.js "$@"
# Evidence: sequencer rate, proofs at 1M entries, offline verification of an export (bench/evidence.ts).
node dist/bench/evidence.js "$@"
