#!/bin/sh
# Fails when calls or includes between the files (or modules) of src/ go
# both ways, or an include points up the folder order (docs/ARCHITECTURE.md).
# Reads the objects `make` built; run by `make check`; prints TAP.
: "${TW_BINARY:=./tidewater}"
: "${TW_SRCDIR:=.}"
echo "1..1"
if [ ! -x /usr/bin/python3 ] || ! command -v nm >/dev/null 2>&1; then
    echo "ok 1 # SKIP needs /usr/bin/python3 and nm"
    exit 0
fi
if out=$(/usr/bin/python3 "$TW_SRCDIR/scripts/call-cycles" "$(dirname "$TW_BINARY")" 2>&1); then
    echo "ok 1 - calls and includes in src/ run one way"
    exit 0
fi
printf '%s\n' "$out" | sed 's/^/# /'
echo "not ok 1 - a call or include cycle in src/ (scripts/call-cycles); move the shared helpers into a lower file"
exit 1
