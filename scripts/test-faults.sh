#!/usr/bin/env bash
# `npm run test:faults`: every fault scenario (docs/reliability.md), short and long, against the
# real API and worker processes, PostgreSQL, a Redis server of the suite's own and an SMTP sink.
# Faults go only to processes the suite started. Pass a file name pattern to run some of them.
source "$(dirname "$0")/lib.sh"
ensure_node_modules
ensure_postgres
ensure_redis
build
export NODE_ENV=test FAULTS_LONG=1
# One scenario at a time: each one measures timings on a 2-core machine.
npx jest --ci --selectProjects faults --runInBand "$@"
