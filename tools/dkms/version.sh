#!/bin/bash
# version.sh: the DKMS package version: the date of the last commit and its
# short hash (0.<yyyymmdd>.<hash>), or 0.0.local outside git.
cd "$(dirname "$0")/../.." || exit 1
git log -1 --date=format:%Y%m%d --format='0.%cd.%h' 2>/dev/null || echo 0.0.local
