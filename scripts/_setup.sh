# Shared set-up for scripts/run and scripts/test: a virtual environment in
# .venv with deskapp installed editable. Sourced, not executed.
# A second run is fast: pip runs only when pyproject.toml changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DESKAPP_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
extras="${1:-}"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "deskapp needs Python 3.11 or newer")'
    "$PY" -m venv "$VENV"
fi
stamp="$VENV/.deskapp-installed${extras:+-$extras}"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "deskapp: installing into $VENV ..." >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT${extras:+[$extras]}" >&2
    echo "$want" > "$stamp"
fi

# Printed dispatch slips need a Chinese TrueType font (fontconfig finds it), and the
# tests read the PDFs back with poppler's pdftotext/pdffonts. Where they are missing,
# Debian's packages are installed when we may (root with apt-get); otherwise the
# missing packages are named. Checked on every run (fc-list is quick), installed once.
need=()
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh-cn file 2>/dev/null | grep -iE '\.tt[fc]:' >/dev/null; }; then
    need+=(fontconfig fonts-wqy-microhei)
fi
if [ "$extras" = "test" ] && ! command -v pdftotext >/dev/null 2>&1; then
    need+=(poppler-utils)
fi
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "deskapp: installing ${need[*]} ..." >&2
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${need[@]}"; } >&2 || echo "deskapp: could not install ${need[*]}" >&2
    else
        echo "deskapp: printed slips need ${need[*]} (e.g. sudo apt-get install ${need[*]})" >&2
    fi
fi
