# Shared by start.sh, test.sh and bench.sh: make sure Node dependencies, PostgreSQL and Redis
# are there. Variables the user set (DATABASE_URL, REDIS_URL) are used as given, and nothing is
# installed or started in their place.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ -f .env ] && set -a && . ./.env && set +a

say() { printf '\033[1m[postkasse]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*  (run as root or install sudo)"; return 1; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} from Debian packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Who listens on a local TCP port, as far as this user may see: "user U, pid P: COMMAND".
port_owner() {
  local line pid uid
  line="$(ss -Hltnpe "sport = :$1" 2>/dev/null | head -1 || true)"
  pid="$( (grep -o 'pid=[0-9]*' <<<"$line" || true) | head -1 | cut -d= -f2)"
  if [ -n "$pid" ]; then
    printf 'user %s, pid %s: %s' "$(ps -o user= -p "$pid" || true)" "$pid" \
      "$(ps -o args= -p "$pid" | cut -c1-60 || true)"
    return 0
  fi
  # ss leaves out uid 0; without a pid the process is not ours to see.
  uid="$( (grep -o 'uid:[0-9]*' <<<"$line" || true) | cut -d: -f2)"
  printf 'user %s, another user\x27s process' "$(getent passwd "${uid:-0}" | cut -d: -f1 || true)"
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing Node dependencies"
    # Not `npm ci`: npm 11 leaves other platforms' optional packages (@swc/core-darwin-*, …) out
    # of the lock file, and `npm ci` then refuses the lock file as out of sync.
    npm install --no-audit --no-fund --loglevel=error
  fi
}

docker_engine_up() { command -v docker >/dev/null && docker info >/dev/null 2>&1; }

DEFAULT_DATABASE_URL="postgresql://postkasse:postkasse@127.0.0.1:5432/postkasse"

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  export DATABASE_URL="$DEFAULT_DATABASE_URL"
  if ! port_open 127.0.0.1 5432; then
    if docker_engine_up; then
      say "starting PostgreSQL with Docker compose"
      docker compose -p postkasse -f docker/compose.yaml up -d --wait postgres
      return 0
    fi
    apt_install postgresql
    local version
    version="$(ls /etc/postgresql | sort -n | tail -1)"
    say "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do port_open 127.0.0.1 5432 && break; sleep 1; done
  fi
  # The project's own role, with a password, so TCP connections work whatever pg_hba says.
  if ! PGPASSWORD=postkasse psql -h 127.0.0.1 -U postkasse -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    say "creating the PostgreSQL role postkasse"
    local sql
    sql="$(cat <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'postkasse') THEN
    CREATE ROLE postkasse LOGIN PASSWORD 'postkasse' CREATEDB;
  ELSE
    ALTER ROLE postkasse LOGIN PASSWORD 'postkasse' CREATEDB;
  END IF;
END $$;
SQL
)"
    if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
      printf '%s\n' "$sql" | su postgres -c 'psql -q' >/dev/null
    elif command -v sudo >/dev/null && id postgres >/dev/null 2>&1; then
      printf '%s\n' "$sql" | sudo -u postgres psql -q >/dev/null
    else
      printf '%s\n' "$sql" | psql -h 127.0.0.1 -U postgres -q >/dev/null
    fi
  fi
}

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  export REDIS_URL="redis://127.0.0.1:6379"
  port_open 127.0.0.1 6379 && return 0
  if docker_engine_up; then
    say "starting Redis with Docker compose"
    docker compose -p postkasse -f docker/compose.yaml up -d --wait redis
    return 0
  fi
  apt_install redis-server
  say "starting Redis (development settings: no persistence)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do port_open 127.0.0.1 6379 && break; sleep 0.5; done
}

build() {
  say "building"
  npx tsc -p tsconfig.build.json
  build_web
}

# The web client has its own package.json and lock file (its Vite/React tool chain does not
# share the root's peer dependencies); the API serves its build from apps/web/dist.
build_web() {
  if [ ! -d apps/web/node_modules ] || [ apps/web/package-lock.json -nt apps/web/node_modules/.package-lock.json ]; then
    say "installing the web client's dependencies"
    npm install --prefix apps/web --no-audit --no-fund --loglevel=error
  fi
  say "building the web client"
  npm run --silent build --prefix apps/web
}
