#!/bin/sh
# django-upgrade --target-version 5.2 in check mode, which it does not have: it runs on a copy
# of the project's Python files, and this fails with the diff where it would change one. The
# working tree is left alone (pre-commit runs it in place on the files being committed).
# Migrations are left out, as ruff leaves them: a merged migration is never edited.
cd "$(dirname "$0")/.." || exit 1
upgrade="$PWD/.venv/bin/django-upgrade"
copy=$(mktemp -d) || exit 1
trap 'rm -rf "$copy"' EXIT
find . \( -path ./.venv -o -path ./.git -o -path ./var -o -name migrations \) -prune \
    -o -name '*.py' -print >"$copy/.files"
tar -cf - -T "$copy/.files" | tar -xf - -C "$copy" || exit 1
out=$(cd "$copy" && xargs "$upgrade" --target-version 5.2 <.files 2>&1)
status=$?
changed=$(printf '%s\n' "$out" | sed -n 's/^Rewriting //p')
if [ -z "$changed" ]; then
    [ "$status" -eq 0 ] && exit 0
    printf '%s\n' "$out" >&2
    exit "$status"
fi
echo "django-upgrade --target-version 5.2 would change these files (run it, or pre-commit):" >&2
for file in $changed; do
    diff -u "$file" "$copy/$file" >&2
done
exit 1
