#!/bin/sh
# Fails when a source file in src/ grows past 900 lines (config/config.c,
# the key tables, excepted) or a function past 100 lines: the limits
# docs/ARCHITECTURE.md keeps rooms to. A function is counted from its
# opening brace in column 0 to its closing one. Run by `make check`; TAP.
: "${TW_SRCDIR:=.}"
echo "1..2"
big=$(find "$TW_SRCDIR/src" -name '*.[ch]' ! -path '*/config/config.c' -exec wc -l {} + |
      awk '$2 != "total" && $1 > 900 { print $2 ": " $1 " lines" }')
if [ -z "$big" ]; then
    echo "ok 1 - no file in src/ over 900 lines"
else
    printf '%s\n' "$big" | sed 's/^/# /'
    echo "not ok 1 - files over 900 lines: split them by job (docs/ARCHITECTURE.md)"
fi
long=$(find "$TW_SRCDIR/src" -name '*.c' -exec awk '
    FNR == 1 { open = 0 }
    /^\{/ { open = FNR }
    /^\}/ { if (open && FNR - open > 100) print FILENAME ":" open ": " FNR - open " lines"; open = 0 }
' {} +)
if [ -z "$long" ]; then
    echo "ok 2 - no function in src/ over 100 lines"
else
    printf '%s\n' "$long" | sed 's/^/# /'
    echo "not ok 2 - functions over 100 lines: split them"
fi
[ -z "$big" ] && [ -z "$long" ]
