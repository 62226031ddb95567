#!/bin/sh
# Fails when tracked files changed since `git status --porcelain --untracked-files=no` wrote $1: `make test`
# (and `make reproduce`) must leave every tracked file as it was; runs write under the gitignored local/.
# Changes that were there before (an engineer's edits) are not counted.
set -u
before="$1"
if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "note: not a git checkout; tracked files not checked" >&2
  rm -f "$before"
  exit 0
fi
after=$(mktemp)
git status --porcelain --untracked-files=no > "$after"
new=$(grep -vxF -f "$before" "$after" || true)
rm -f "$before" "$after"
if [ -n "$new" ]; then
  echo "error: tracked files changed while running; they should only change through a commit or \`make reference\`:" >&2
  echo "$new" >&2
  exit 2
fi
