#!/bin/sh
# `make test` needs two system packages besides Python: Debian's chromium (the browser tests
# drive it; nothing downloads a browser) and GNU gettext (the translation-catalogue test runs
# makemessages). Install what is missing when we can (root with apt-get); otherwise stop with
# one line saying what to run.
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
missing=""
[ -x "$CHROMIUM_BIN" ] || missing="chromium"
command -v xgettext >/dev/null 2>&1 || missing="$missing gettext"
missing="${missing# }"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make test: installing $missing (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
        && exit 0
    echo "make test: could not install $missing; run: apt-get install $missing" >&2
    exit 1
fi
echo "make test needs Debian's $missing: run 'sudo apt-get install $missing', then make test again" >&2
exit 1
