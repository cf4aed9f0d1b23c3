#!/usr/bin/env bash
# One entry point for a fresh machine (Python 3.11, network to the package registries only).
#   ./run.sh          set up, then start the review app (embedded SQLite, sample documents ready)
#   ./run.sh eval     set up, then scan one sample and score the held-apart split
#   ./run.sh test     set up with the development tools, then run the whole test suite and linters
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
export STREAMLIT_BROWSER_GATHER_USAGE_STATS=false PYTHONDONTWRITEBYTECODE=1

setup() {
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
}

# The storage tests also run against a real PostgreSQL server: on a Debian machine (apt-get, root or
# passwordless sudo) tools/setup_postgres.sh installs, starts and prepares one, and then a PostgreSQL
# test that cannot run is a failure (MARAC_REQUIRE_PG=1). Elsewhere, or with MARAC_SKIP_PG=1, the
# PostgreSQL tests are skipped with the reason. A MARAC_TEST_PG_URL already set is used as it is.
postgres() {
  if [ -n "${MARAC_TEST_PG_URL:-}" ]; then
    export MARAC_REQUIRE_PG=1
  elif [ "${MARAC_SKIP_PG:-0}" = 1 ]; then
    echo "run.sh: MARAC_SKIP_PG=1: the PostgreSQL storage tests are skipped" >&2
  elif command -v apt-get >/dev/null || compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    MARAC_TEST_PG_URL=$(tools/setup_postgres.sh) || { echo "run.sh: PostgreSQL could not be set up" >&2; exit 1; }
    export MARAC_TEST_PG_URL MARAC_REQUIRE_PG=1
  else
    echo "run.sh: no apt-get and no PostgreSQL here: the PostgreSQL storage tests are skipped" >&2
  fi
}

# The end-to-end test drives Debian's Chromium (never a downloaded browser). Where it can be installed
# (apt-get as root or with passwordless sudo) a browser test that cannot run is a failure.
browser() {
  if [ "${MARAC_SKIP_BROWSER:-0}" = 1 ]; then
    echo "run.sh: MARAC_SKIP_BROWSER=1: the browser test is skipped" >&2
  elif tools/setup_browser.sh; then
    export MARAC_REQUIRE_BROWSER=1
  elif command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
    echo "run.sh: Chromium could not be installed" >&2
    exit 1
  fi
}

case "${1:-main}" in
  main)
    setup
    "$VENV/bin/marac-redact" seed sample_docs/files
    echo "== marac-redact review app on http://localhost:${PORT:-8501} (single-user local mode; Ctrl-C stops it)"
    exec "$VENV/bin/python" -m streamlit run app.py --server.headless true --server.port "${PORT:-8501}"
    ;;
  eval)
    setup
    "$VENV/bin/python" tools/annotate.py --build
    echo "== scan of one sample minutes pack"
    "$VENV/bin/python" - <<'PY' > /tmp/marac-sample.txt
import json
print(json.loads(open("sample_docs/heldout.jsonl").readline())["text"], end="")
PY
    "$VENV/bin/marac-redact" scan /tmp/marac-sample.txt
    echo "== evaluation on the held-apart split (never used for tuning)"
    "$VENV/bin/marac-redact" eval sample_docs/heldout.jsonl
    ;;
  test)
    setup
    postgres
    browser
    "$VENV/bin/python" -m ruff check redactor tests tools app.py
    "$VENV/bin/python" -m mypy
    "$VENV/bin/python" -m pytest
    ;;
  *)
    echo "usage: ./run.sh [main|eval|test]" >&2
    exit 2
    ;;
esac
