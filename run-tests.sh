#!/usr/bin/env bash
# Install what CRM and its tests need on Debian 12 (as root), build, and run
# every test: the whole suite under Xvfb, then the non-UI tests again in an
# AddressSanitizer + UBSan build. Safe to run again. Ends with
# "N passed, N failed".
#   ./run-tests.sh                   everything
#   CRM_SKIP_SANITIZE=1 ./run-tests.sh   skip the sanitizer build
set -uo pipefail
cd "$(dirname "$0")"
. tools/packages.sh

install_packages "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_zh_locale

passed=0 failed=0
# add_counts LOGFILE: add meson's "Ok:/Fail:" summary of one run to the totals.
add_counts() {
  local ok fail timeout unexpected
  ok=$(awk '/^Ok:/ {print $2}' "$1" | tail -1)
  fail=$(awk '/^Fail:/ {print $2}' "$1" | tail -1)
  timeout=$(awk '/^Timeout:/ {print $2}' "$1" | tail -1)
  unexpected=$(awk '/^Unexpected Pass:/ {print $3}' "$1" | tail -1)
  passed=$((passed + ${ok:-0}))
  failed=$((failed + ${fail:-0} + ${timeout:-0} + ${unexpected:-0}))
  if [ -z "$ok" ]; then failed=$((failed + 1)); fi
}

status=0
if [ ! -d build ]; then meson setup build || status=1; fi
ninja -C build || status=1
xvfb-run -a -s '-screen 0 1600x1000x24' meson test -C build --print-errorlogs 2>&1 | tee build/test-run.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
add_counts build/test-run.log

if [ -z "${CRM_SKIP_SANITIZE:-}" ]; then
  if [ ! -d build-sanitize ]; then
    meson setup build-sanitize -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug || status=1
  fi
  ninja -C build-sanitize || status=1
  # The 200 kills of crash-safety ran in the build above; here fewer, to
  # catch memory errors on the recovery paths within CI's time.
  CRM_KILL_ITERATIONS=40 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-sanitize --no-suite ui --no-suite analysis --print-errorlogs 2>&1 | tee build-sanitize/test-run.log
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  add_counts build-sanitize/test-run.log
fi

[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
