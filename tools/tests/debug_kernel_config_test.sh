#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-debug-kernel.sh's two checks on made-up inputs, without a kernel
# tree: --check-config (every option the fragments ask for survived
# olddefconfig, a later fragment's value winning) and --leave-out-xe (the
# 6.12 tree does not build its own, unpatched Xe).
#   debug_kernel_config_test.sh BUILD-DEBUG-KERNEL-SH
# Make syntax in single quotes is meant literally.
# shellcheck disable=SC2016
set -u
script=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

expect() {  # expect WHAT WANT-STATUS [STDERR-MUST-CONTAIN] -- COMMAND...
	local what=$1 want=$2 text=$3 rc
	shift 4
	"$@" > /dev/null 2> "$work/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL $what: status $rc, want $want"
		sed 's/^/    /' "$work/err"
		fails=$((fails + 1))
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$work/err"; then
		echo "FAIL $what: stderr lacks \"$text\""
		sed 's/^/    /' "$work/err"
		fails=$((fails + 1))
	else
		echo "ok   $what"
	fi
}

printf '%s\n' '# common' 'CONFIG_NET=y' 'CONFIG_INET=y' 'CONFIG_LOCALVERSION="-dbg"' \
	'CONFIG_SLUB_TINY=n' > "$work/common.config"
printf '%s\n' '# 6.12' 'CONFIG_INET=n' 'CONFIG_DRM_XE=m' > "$work/612.config"
printf '%s\n' 'CONFIG_NET=y' 'CONFIG_LOCALVERSION="-dbg"' 'CONFIG_DRM_XE=m' \
	'# CONFIG_INET is not set' '# CONFIG_SLUB_TINY is not set' > "$work/good"
check() { "$script" --check-config "$@"; }

expect "every option applied, the later fragment's INET=n winning" 0 "" -- \
	check "$work/good" "$work/common.config" "$work/612.config"
expect "the common fragment alone wants INET=y" 1 "option not applied: CONFIG_INET=y" -- \
	check "$work/good" "$work/common.config"
grep -v DRM_XE "$work/good" > "$work/no-xe"
expect "a module option that olddefconfig dropped" 1 "option not applied: CONFIG_DRM_XE=m" -- \
	check "$work/no-xe" "$work/common.config" "$work/612.config"
sed 's/CONFIG_DRM_XE=m/CONFIG_DRM_XE=y/' "$work/good" > "$work/xe-y"
expect "=m asked, =y got" 1 "option not applied: CONFIG_DRM_XE=m" -- \
	check "$work/xe-y" "$work/common.config" "$work/612.config"
{ cat "$work/good"; echo 'CONFIG_SLUB_TINY=y'; } > "$work/tiny"
expect "an =n option that something selected" 1 "option not applied: CONFIG_SLUB_TINY=n" -- \
	check "$work/tiny" "$work/common.config" "$work/612.config"
sed 's/-dbg/-other/' "$work/good" > "$work/other-name"
expect "a string option with another value" 1 'option not applied: CONFIG_LOCALVERSION="-dbg"' -- \
	check "$work/other-name" "$work/common.config" "$work/612.config"

# Debian 6.12's drivers/gpu/drm/Makefile names xe/ with a tab.
printf 'obj-$(CONFIG_DRM_XEN) += xen/\nobj-$(CONFIG_DRM_XE)\t+= xe/\nobj-$(CONFIG_DRM_VGEM) += vgem/\n' \
	> "$work/Makefile"
cp "$work/Makefile" "$work/Makefile.orig"
expect "leave-out-xe comments out the xe/ line" 0 "" -- "$script" --leave-out-xe "$work/Makefile"
if grep -q '^obj-$(CONFIG_DRM_XE)[[:space:]]' "$work/Makefile" ||
	[ "$(grep -c '^obj-' "$work/Makefile")" -ne 2 ]; then
	echo "FAIL leave-out-xe: the Makefile after it:"; sed 's/^/    /' "$work/Makefile"
	fails=$((fails + 1))
else
	echo "ok   leave-out-xe keeps xen/ and vgem/"
fi
expect "leave-out-xe a second time" 0 "" -- "$script" --leave-out-xe "$work/Makefile"
grep -v 'xe/' "$work/Makefile.orig" > "$work/Makefile.none"
expect "no xe/ line: refused" 1 "no xe/ line to leave out" -- \
	"$script" --leave-out-xe "$work/Makefile.none"

echo "debug_kernel_config_test: $fails failed"
[ $fails -eq 0 ]
