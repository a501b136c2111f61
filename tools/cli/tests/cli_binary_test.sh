#!/bin/bash
# ctest xe_pfvf_cli_binary: the xe-pfvf binary on the host, where there is
# no xe_pfvf: exit statuses (0 ok, 1 failed, 2 usage), --help of every
# command, --json that python3 parses (errors included), the man page
# (groff warnings are errors) and the bash completion.
# Usage: cli_binary_test.sh XE_PFVF_BINARY CLI_SOURCE_DIR
set -u
cli=$1
src=$2
failed=0

fail() {
	echo "FAIL: $*"
	failed=1
}

# expect STATUS ARGS...: run xe-pfvf, want exit STATUS.
expect() {
	local want=$1 got
	shift
	"$cli" "$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "xe-pfvf $* exited $got, want $want: $(head -c 300 "$tmp/err")"
}

# json ARGS...: stdout of xe-pfvf must be JSON.
json() {
	python3 -c 'import json, sys; json.load(sys.stdin)' < "$tmp/out" ||
		fail "xe-pfvf $*: stdout is not JSON: $(head -c 300 "$tmp/out")"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nodev=$tmp/no-such-node

expect 0 --help
grep -q '^Usage: xe-pfvf' "$tmp/out" || fail "--help prints no usage"
expect 0 --version
expect 2
expect 2 frobnicate
expect 2 --frobnicate status
commands=$(sed -n 's/^  \([a-z0-9]*\)  .*/\1/p' < <("$cli" --help))
[ "$(echo "$commands" | wc -w)" -ge 7 ] || fail "--help lists only: $commands"
for c in $commands; do
	expect 0 "$c" --help
	grep -q "^Usage: xe-pfvf $c" "$tmp/out" || fail "$c --help: $(head -n1 "$tmp/out")"
	expect 2 "$c" --no-such-option
	# Every command and every option is in the man page and the completion.
	grep -q "^\.SS \"\?$c\b" "$src/xe-pfvf.1" || fail "man page has no section for $c"
	grep -q "commands=.*\b$c\b" "$src/xe-pfvf.bash-completion" || fail "completion misses $c"
	for opt in $("$cli" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$src/xe-pfvf.1" || fail "man page misses $c $opt"
		grep -q -- "$opt" "$src/xe-pfvf.bash-completion" || fail "completion misses $c $opt"
	done
done

# Usage errors never reach the device (it does not exist here): 2, not 1.
expect 2 -d "$nodev" translate 1
expect 2 -d "$nodev" translate 1 vram 0 1
expect 2 -d "$nodev" translate 1 bar 0 zz
expect 2 -d "$nodev" p2p 0000:01:00.0
expect 2 -d "$nodev" show
expect 2 -d "$nodev" export 1 --space cpu
expect 2 -d "$nodev" vfs 1:2:3
expect 2 -d "$nodev" export 1 --slot 99
expect 2 -d "$nodev" export 1 --hold soon
expect 2 -d "$nodev" revoke

# Operations on a device that is not there: 1, with the errno.
for c in status vfs "show 1" "translate 1 lmem 0 4K" "export 1" "revoke 0x1" p2p; do
	# shellcheck disable=SC2086
	expect 1 -d "$nodev" $c
	grep -q "No such file or directory" "$tmp/err" || fail "$c: $(cat "$tmp/err")"
	# shellcheck disable=SC2086
	expect 1 --json -d "$nodev" $c
	json "$c"
	grep -q '"errno_name": "ENOENT"' "$tmp/out" || fail "--json $c: no ENOENT in $(cat "$tmp/out")"
done
XE_PFVF_DEVICE=$nodev expect 1 status
# A node that is not xe_pfvf: the version query fails.
expect 1 -d /dev/null status
grep -q "XE_PFVF_IOC_VERSION" "$tmp/err" || fail "/dev/null: $(cat "$tmp/err")"
expect 2 --json vfs --bogus
json "vfs --bogus"

# Batches: comments and blank lines skipped, the first failure stops them.
printf '# nothing\n\n' > "$tmp/batch"
expect 0 -b "$tmp/batch"
printf 'status --help\nbogus\nstatus --help\n' > "$tmp/batch"
expect 2 -b "$tmp/batch"
[ "$(grep -c '^Usage: xe-pfvf status' "$tmp/out")" -eq 1 ] || fail "the batch went on past its failure"

# The man page renders without warnings, the completion parses.
if command -v groff > /dev/null; then
	warnings=$(groff -man -Tutf8 -ww -z "$src/xe-pfvf.1" 2>&1)
	[ -z "$warnings" ] || fail "groff: $warnings"
fi
bash -n "$src/xe-pfvf.bash-completion" || fail "the completion does not parse"

[ $failed -eq 0 ] && echo "xe-pfvf binary: ok"
exit $failed
