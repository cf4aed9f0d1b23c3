#!/usr/bin/env bash
# Install (Debian apt) and start a local PostgreSQL server for the storage tests, create a role and a
# database for them, and print their SQLAlchemy URL on stdout (everything else goes to stderr).
# Idempotent. Runs as root, or through `sudo -n` when not root. Exit 1 with one line when it cannot.
set -euo pipefail
ROLE=${MARAC_PG_ROLE:-marac_test}
PASSWORD=${MARAC_PG_PASSWORD:-marac_test}
DB=${MARAC_PG_DB:-marac_test}
say() { echo "setup_postgres: $*" >&2; }
fail() { say "$*"; exit 1; }

if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo -n); fi
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}

installed() { compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null && command -v pg_lsclusters >/dev/null; }
if ! installed; then
  command -v apt-get >/dev/null || fail "PostgreSQL is not installed and apt-get is not available"
  say "installing Debian's postgresql package"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || fail "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2 \
    || fail "apt-get install postgresql failed"
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
cluster() { pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $'"$1"'}'; }
if [ -z "$(cluster 2)" ]; then
  say "creating cluster $VERSION/main"
  "${SUDO[@]}" pg_createcluster "$VERSION" main >&2 || fail "pg_createcluster $VERSION main failed"
fi
if [ "$(cluster 4)" != online ]; then
  say "starting cluster $VERSION/main"
  "${SUDO[@]}" pg_ctlcluster "$VERSION" main start >&2 || fail "pg_ctlcluster $VERSION main start failed"
fi
PORT=$(cluster 3)
for _ in $(seq 30); do as_postgres pg_isready -q -p "$PORT" && break; sleep 1; done
as_postgres pg_isready -q -p "$PORT" || fail "PostgreSQL $VERSION does not answer on port $PORT"

as_postgres psql -q -X -v ON_ERROR_STOP=1 -p "$PORT" -d postgres >&2 <<SQL || fail "cannot create role $ROLE"
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$ROLE', '$PASSWORD')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
ALTER ROLE "$ROLE" LOGIN PASSWORD '$PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB', '$ROLE')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB') \gexec
SQL
say "PostgreSQL $VERSION on port $PORT, database $DB, role $ROLE"
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
