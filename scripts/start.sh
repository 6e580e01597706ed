#!/usr/bin/env bash
# `npm start`: everything a newcomer needs, on a fresh Debian/Ubuntu machine with Node 20:
# dependencies, PostgreSQL and Redis (reused when running, installed and started when not),
# migrations, a demo, the API, the worker and a local mail catcher. Ctrl-C stops what it started.
source "$(dirname "$0")/lib.sh"

# Development is chosen here, never assumed: the processes refuse to start without NODE_ENV, so
# a deployment that forgets it cannot get the development issuer or synthetic numbers.
export NODE_ENV="${NODE_ENV:-development}"

ensure_node_modules
ensure_postgres
ensure_redis
build
node dist/apps/cli/src/main.js db migrate
# Large buffers go back to the system when freed (see docker/Dockerfile).
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1048576}"
# A smaller young generation: a letter's base64 is decoded in chunks, and with V8's default 16 MB
# semi-spaces the garbage of four large letters at once took the API past 256 MB (258-261 MB
# measured by test/faults/request-bodies.short.ts; 243 MB with 8 MB).
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=8}"

PORT="${PORT:-3000}"
HOST="${HOST:-127.0.0.1}"
# A wildcard bind is reached on loopback (as the API's own development issuer says).
case "$HOST" in 0.0.0.0 | ::) API="http://127.0.0.1:$PORT" ;; *) API="http://$HOST:$PORT" ;; esac
API_STATE=var/run/api.json
if port_open "$HOST" "$PORT"; then
  say "port $PORT is taken; stop what runs there or set PORT"; exit 1
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  say "stopping"
  # The CLI's record of this API, unless a later `npm start` replaced it.
  grep -qs "\"pid\":$$}" "$API_STATE" && rm -f "$API_STATE"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

mkdir -p var/log var/run
if [ -z "${SMTP_URL:-}" ]; then
  export SMTP_URL="smtp://127.0.0.1:1025"
  if port_open 127.0.0.1 1025; then
    # Someone else's: their web UI shows our mail, and when they stop it notifications wait.
    MAIL="reusing the SMTP server on 127.0.0.1:1025 ($(port_owner 1025)), not started here;
                     if it stops, notifications are retried (warnings here and in var/log/worker.log)"
    say "reusing the mail catcher already on 127.0.0.1:1025: $(port_owner 1025)"
  else
    npx maildev --smtp 1025 --web 1080 --ip 127.0.0.1 --web-ip 127.0.0.1 --silent >var/log/maildev.log 2>&1 &
    pids+=($!)
    MAIL="http://127.0.0.1:1080   (maildev, started by npm start; SMTP on 127.0.0.1:1025)"
  fi
else
  MAIL="(SMTP_URL is set: $(printf '%s' "$SMTP_URL" | sed -E 's#//[^/@]*@#//#'))"
fi

# The console keeps the banner and what needs attention; everything is in var/log/.
touch var/log/api.log var/log/worker.log
node dist/apps/api/src/main.js >>var/log/api.log 2>&1 &
pids+=($!)
node dist/apps/worker/src/main.js >>var/log/worker.log 2>&1 &
pids+=($!)
tail -n0 -F --pid=$$ var/log/api.log var/log/worker.log 2>/dev/null | node scripts/console-warnings.mjs &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS "$API/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$API/health/ready" >/dev/null || { say "the API did not come up; see var/log/api.log"; exit 1; }
# Where the CLI finds this API from any terminal, whatever that shell's PORT (apps/cli/src/api.ts).
printf '{"url":"%s","pid":%d}\n' "$API" $$ >"$API_STATE"

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
  Mail catcher       $MAIL
  Logs               var/log/api.log, var/log/worker.log (warnings also show here)

  The CLI (npm run cli -- …) talks to this API from any terminal while this runs: it finds it
  in $API_STATE. Elsewhere it uses --api URL or POSTKASSE_API, else http://HOST:PORT from .env.

  Demo agency API key (Skatteetaten (demo)), also in .secrets/demo.json:
    $api_key
  The CLI reads the same configuration; in another shell first:
    export NODE_ENV=$NODE_ENV
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
