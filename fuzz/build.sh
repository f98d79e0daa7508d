#!/bin/sh
# \summary: build the libFuzzer harnesses with clang, AddressSanitizer and UBSan
#
#   fuzz/build.sh [OUTDIR]
#
# OUTDIR defaults to $FUZZ_OUT or ${TMPDIR:-/tmp}/ctreplay-fuzz.  The
# library sources are those of libctreplay_a_SOURCES in Makefile.am, so a
# module added to the build is fuzzed without touching this script.
# Needs clang with the libFuzzer runtime (Debian: clang, and
# libclang-rt-14-dev when the runtime is packaged apart), libpcap-dev and
# libjansson-dev.  Environment: CC (default clang), FUZZ_CFLAGS (extra).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${1:-${FUZZ_OUT:-${TMPDIR:-/tmp}/ctreplay-fuzz}}
cc=${CC:-clang}
mkdir -p "$out/obj"

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz/build.sh: $cc not found (Debian: apt-get install clang)" >&2
	exit 1
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter $san ${FUZZ_CFLAGS:-}"
cflags="$cflags -I$top/src -I$here $(pkg-config --cflags libpcap jansson 2>/dev/null || true)"
libs="$(pkg-config --libs libpcap jansson 2>/dev/null || echo -lpcap -ljansson)"

# The .c files of libctreplay_a_SOURCES (continuation lines included).
srcs=$(sed -n '/^libctreplay_a_SOURCES/,/^[^	]*$/p' "$top/Makefile.am" |
	tr ' \t\\' '\n\n\n' | grep '\.c$')

objs=
for s in $srcs; do
	o=$out/obj/$(echo "$s" | tr '/' '_' | sed 's/\.c$/.o/')
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer-no-link -c "$top/$s" -o "$o"
	objs="$objs $o"
done
# shellcheck disable=SC2086
$cc $cflags -fsanitize=fuzzer-no-link -c "$here/fuzz_common.c" -o "$out/obj/fuzz_common.o"

for h in fuzz_replay fuzz_packets fuzz_ipt fuzz_nft fuzz_nat; do
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer "$here/$h.c" "$out/obj/fuzz_common.o" \
		$objs $libs -o "$out/$h"
	echo "built $out/$h"
done
