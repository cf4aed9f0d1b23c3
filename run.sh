#!/usr/bin/env bash
# One entry point for a fresh machine (Python 3.11, network to the package registries only).
#   ./run.sh          set up, then run the main job on the sample documents
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

case "${1:-main}" in
  main)
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
    "$VENV/bin/python" -m ruff check redactor tests tools
    "$VENV/bin/python" -m mypy
    "$VENV/bin/python" -m pytest
    ;;
  *)
    echo "usage: ./run.sh [main|test]" >&2
    exit 2
    ;;
esac
