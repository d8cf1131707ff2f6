#!/usr/bin/env bash
# Install what CRM needs on Debian 12 (as root), build it, and start the app on
# a local SQLite database filled with demo data. Safe to run again.
#   ./run.sh                 (database: ~/.local/share/crm/crm.db)
#   CRM_DB=/tmp/x.db ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
. tools/packages.sh

install_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}"
ensure_zh_locale

[ -d build ] || meson setup build
ninja -C build

db=${CRM_DB:-${XDG_DATA_HOME:-$HOME/.local/share}/crm/crm.db}
# Demo data goes into a new database, or one that holds no contacts yet
# (e.g. made by starting build/src/crm first): never next to real data.
has_contacts() {
  [ -s "$db" ] && [ "$(build/src/cli/crmctl --db "$db" --quiet list contacts --limit 1 --format csv 2>/dev/null | wc -l)" -gt 1 ]
}
if ! has_contacts && [ -x build/src/cli/crmctl ] && build/src/cli/crmctl --help 2>/dev/null | grep -q '^  demo'; then
  echo "Creating demo data in $db …"
  build/src/cli/crmctl --db "$db" demo --contacts 5000 --seed 1
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting CRM under Xvfb (screenshots: ../shared/tools/screenshot)." >&2
  exec xvfb-run -a -s '-screen 0 1600x1000x24' build/src/crm --db "$db"
fi
exec build/src/crm --db "$db"
