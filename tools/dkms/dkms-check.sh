#!/bin/bash
# dkms-check.sh BUILD KVER...: `dkms add`, `build` and `install` of
# xe_pfvf for each kernel, in a DKMS tree of its own under BUILD/dkms (no
# system state touched: --dkmstree, --sourcetree, --installtree), then
# the vermagic of each installed module.  Prints a PASS/FAIL line per
# kernel and step and the lane's summary line.
set -uo pipefail

build=$1
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
version=$("$repo/tools/dkms/version.sh")
root=$build/dkms
rm -rf "$root"
mkdir -p "$root/tree" "$root/src" "$root/install"
src=$root/src/xe_pfvf-$version
"$repo/tools/dkms/stage.sh" "$src" "$version" || exit 1
dkms_args=(--dkmstree "$root/tree" --sourcetree "$root/src" --installtree "$root/install")

passed=0 failed=0
result() {
	echo "$2 dkms/$1${3:+  $3}"
	if [ "$2" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
summary() {
	echo "dkms: $passed passed, $failed failed, 0 skipped"
	[ $failed -eq 0 ]
}
if dkms "${dkms_args[@]}" add -m xe_pfvf -v "$version" > "$root/add.log" 2>&1; then
	result add PASS
else
	result add FAIL "$(tail -n1 "$root/add.log")"
	summary
	exit 1
fi
for kver in "$@"; do
	log=$root/build-$kver.log
	start=$(date +%s)
	if dkms "${dkms_args[@]}" build -m xe_pfvf -v "$version" -k "$kver" > "$log" 2>&1; then
		result "build-$kver" PASS "($(( $(date +%s) - start )) s)"
	else
		result "build-$kver" FAIL "$(grep -m1 -iE 'error|bad' "$log")"
		tail -n 20 "$root/tree/xe_pfvf/$version/build/make.log" 2>/dev/null | sed 's/^/  | /'
		continue
	fi
	# --installtree: the modules land under $root/install/<kver>/, not /lib/modules.
	mkdir -p "$root/install/$kver"
	if dkms "${dkms_args[@]}" install -m xe_pfvf -v "$version" -k "$kver" --no-depmod \
		> "$root/install-$kver.log" 2>&1; then
		ok=1
		for m in xe_pfvf xe_pfvf_swpf xe_pfvf_vfio_pci; do
			ko=$(find "$root/install/$kver" -name "$m.ko*" | head -n1)
			if [ -z "$ko" ] || [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" != "$kver" ]; then
				echo "  | $m: not installed for $kver (${ko:-missing})"
				ok=0
			fi
		done
		[ $ok -eq 1 ] && result "install-$kver" PASS || result "install-$kver" FAIL "modules missing"
	else
		result "install-$kver" FAIL "$(grep -m1 -iE 'error' "$root/install-$kver.log")"
	fi
done
summary
