#!/usr/bin/env bash
# `npm run test:cluster`: the multi-node layout of docs/scaling.md on this machine, with the
# engines a deployment uses, from Debian's packages: PostgreSQL primary and streaming replica,
# PgBouncer (transaction mode), Redis Cluster (three masters, three replicas), HAProxy in front
# of two API processes, two workers. The suite starts each engine itself, on free loopback ports
# under a temporary directory, and stops them by their process ids at the end: the machine's
# own PostgreSQL (5432) and Redis (6379) are not touched. CLUSTER_LETTERS sets the load.
source "$(dirname "$0")/lib.sh"
ensure_node_modules
apt_install postgresql pgbouncer redis-server haproxy
say "building"
npx tsc -p tsconfig.build.json
export NODE_ENV=test POSTKASSE_CLUSTER=1
npx jest --ci --selectProjects cluster --runInBand "$@"
