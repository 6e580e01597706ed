#!/usr/bin/env bash
# `npm start`: everything a newcomer needs, on a fresh Debian/Ubuntu machine with Node 20:
# dependencies, PostgreSQL and Redis (reused when running, installed and started when not),
# migrations, a demo, the API, the worker and a local mail catcher. Ctrl-C stops what it started.
source "$(dirname "$0")/lib.sh"

ensure_node_modules
ensure_postgres
ensure_redis
build
node dist/apps/cli/src/main.js db migrate
# Large buffers go back to the system when freed (see docker/Dockerfile).
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1048576}"

PORT="${PORT:-3000}"
HOST="${HOST:-127.0.0.1}"
API="http://$HOST:$PORT"
if port_open "$HOST" "$PORT"; then
  say "port $PORT is taken; stop what runs there or set PORT"; exit 1
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  say "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

mkdir -p var/log
MAIL_UI=""
if [ -z "${SMTP_URL:-}" ]; then
  export SMTP_URL="smtp://127.0.0.1:1025"
  if ! port_open 127.0.0.1 1025; then
    npx maildev --smtp 1025 --web 1080 --ip 127.0.0.1 --web-ip 127.0.0.1 --silent >var/log/maildev.log 2>&1 &
    pids+=($!)
  fi
  MAIL_UI="http://127.0.0.1:1080"
fi

node dist/apps/api/src/main.js 2>&1 | tee -a var/log/api.log &
pids+=($!)
node dist/apps/worker/src/main.js >>var/log/worker.log 2>&1 &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS "$API/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$API/health/ready" >/dev/null || { say "the API did not come up; see var/log/"; exit 1; }

demo="$(node dist/apps/cli/src/main.js dev seed --api "$API")"
field() { printf '%s' "$demo" | node -e "const s=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log($1)"; }
api_key="$(field 's.apiKey')"
citizen="$(field 's.citizens[0].nationalId')"
citizen_name="$(field 's.citizens[0].name')"

cat <<MSG

  Postkasse is running.

  Web client         $API/   (log in as one of the demo citizens)
  API                $API
  API docs           $API/docs   (OpenAPI: $API/openapi.json)
  Health             $API/health
  Mail catcher       ${MAIL_UI:-"(SMTP_URL is set: $SMTP_URL)"}
  Logs               var/log/

  Demo agency API key (Skatteetaten (demo)):
    $api_key
  Demo citizen: $citizen_name, national id $citizen. A token for them:
    npm run -s cli -- dev token --citizen $citizen
  Their inbox:
    curl -H "Authorization: Bearer \$(npm run -s cli -- dev token --citizen $citizen)" $API/v1/mailbox/letters
  Send a letter as the demo agency:
    npm run -s cli -- letter send --api-key $api_key --signing-key .secrets/demo-agency-signing-key.asc \\
      --to $citizen --title "Hello" README.md

  Press Ctrl-C to stop.
MSG
wait
