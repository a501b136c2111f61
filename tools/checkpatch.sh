#!/bin/bash
# checkpatch.sh KERNEL-SOURCE-TREE: run checkpatch --strict and kernel-doc
# on every kernel source file of the repo.  Exit 1 on any finding.
set -uo pipefail
tree=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
files=$(git ls-files 'drivers/*.[ch]' 'include/*.h' 'uapi/*.h' 2>/dev/null ||
	find drivers include uapi -name '*.[ch]')
rc=0
# Four files per checkpatch.pl, as many at once as there are cores (it
# takes about a second a file).
printf '%s\n' $files | xargs -P"$(nproc)" -n4 "$tree/scripts/checkpatch.pl" --strict \
	--no-tree --quiet --show-types --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f || rc=1
kdoc=$("$tree/scripts/kernel-doc" -none $files 2>&1)
if [ -n "$kdoc" ]; then
	echo "$kdoc"
	rc=1
fi
# Every exported symbol has a kernel-doc comment.
for sym in $(grep -ho '^EXPORT_SYMBOL[A-Z_]*(\w*' $files | sed 's/.*(//'); do
	if ! grep -q "^ \* $sym() - " $files; then
		echo "$sym: exported without kernel-doc"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "checkpatch --strict and kernel-doc: clean ($(echo $files | wc -w) files)"
exit $rc
