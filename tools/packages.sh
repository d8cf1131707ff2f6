# Debian 12 packages CRM needs, and how to install them; sourced by run.sh and
# run-tests.sh (one list, so the two commands never disagree).

BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
  libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libicu-dev
  libsodium-dev libsecret-1-dev libpq-dev libcurl4-openssl-dev
  libcairo2-dev libpango1.0-dev
  desktop-file-utils appstream
)
RUNTIME_PACKAGES=(
  sqlite3 libpq5 adwaita-icon-theme hicolor-icon-theme librsvg2-common
  fonts-noto-cjk locales xvfb xauth
)
TEST_PACKAGES=(
  imagemagick poppler-utils dbus dbus-x11 python3
  postgresql postgresql-client
)

# install_packages PKG...: apt-get install whatever is missing (as root).
install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# zh_CN dates, numbers and collation need the locale generated, not just installed.
ensure_zh_locale() {
  locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$' && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
    echo 'zh_CN.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
  fi
  grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
  $sudo locale-gen >/dev/null
}
