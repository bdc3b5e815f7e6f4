#!/usr/bin/env bash
# UI → Git: turn what people changed in Superset's UI into a pull request of template edits.
#
#   scripts/export_to_pr.sh ENV [--dry-run]
#
# 1. Refuses a dirty working tree (the export and the templates must start from a commit).
# 2. hybrid export --env ENV --out ui_exports/ENV (the previous export is removed first: it is in
#    Git, and an asset deleted in the UI must disappear from it), then hybrid normalize of it.
# 3. hybrid translate --env ENV: the templates are patched so that compiling them reproduces the
#    export (exit 3, changes that could not be placed, is not a failure: they are listed in the pull
#    request and their whole translation is committed as NAME.yaml.j2.ui beside the template).
# 4. Nothing changed: prints "no changes" and exits 0, no branch.
# 5. Else: a branch ui-export/ENV/<UTC timestamp>, one commit of assets/ and ui_exports/ENV, and
#    `gh pr create` with the changed assets, the template diff stat and the cannot-place reports.
#    With --dry-run, or when gh is not installed or GH_TOKEN is unset, it stops after the local
#    commit and prints the pull request's title and body.
#
# HYBRID names the hybrid command (default: hybrid on PATH, else `swift run -c release hybrid`).
# Superset credentials come from the environment as for `hybrid export` (HYBRID_SUPERSET_*).
set -euo pipefail

usage() {
    sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

ENV_NAME=""
DRY_RUN=0
while [ $# -gt 0 ]; do
    case "$1" in
    --dry-run) DRY_RUN=1 ;;
    -h | --help) usage ;;
    -*) echo "export_to_pr: unknown option $1" >&2 && usage ;;
    *)
        [ -z "$ENV_NAME" ] || usage
        ENV_NAME="$1"
        ;;
    esac
    shift
done
[ -n "$ENV_NAME" ] || usage
case "$ENV_NAME" in
*[!A-Za-z0-9_-]*) echo "export_to_pr: '$ENV_NAME' is not an environment name" >&2 && exit 2 ;;
esac

ROOT="$(git rev-parse --show-toplevel 2>/dev/null)" || {
    echo "export_to_pr: not inside a Git repository" >&2
    exit 1
}
cd "$ROOT"

if [ -n "${HYBRID:-}" ]; then
    read -r -a HYBRID_COMMAND <<<"$HYBRID"
elif command -v hybrid >/dev/null 2>&1; then
    HYBRID_COMMAND=(hybrid)
else
    HYBRID_COMMAND=(swift run -c release hybrid)
fi
hybrid() { "${HYBRID_COMMAND[@]}" "$@"; }

OUT="ui_exports/$ENV_NAME"
# Tracked files must be committed; so must everything (untracked too) under assets/ and the export.
if [ -n "$(git status --porcelain --untracked-files=no)" ] || [ -n "$(git status --porcelain -- assets "$OUT")" ]; then
    echo "export_to_pr: the working tree has uncommitted changes; commit or stash them first:" >&2
    git status --short --untracked-files=no >&2
    git status --short -- assets "$OUT" >&2
    exit 1
fi

REPORT="$(mktemp)"
FINISHED=0
# Until the commit, a failure puts the export and the templates back as they were committed.
cleanup() {
    rm -f "$REPORT"
    if [ "$FINISHED" -ne 1 ]; then
        git checkout -q -- assets "$OUT" 2>/dev/null || true
        git clean -fdq -- assets "$OUT" 2>/dev/null || true
    fi
}
trap cleanup EXIT
echo "==> hybrid export --env $ENV_NAME --out $OUT"
rm -rf -- "$OUT"
hybrid export --env "$ENV_NAME" --out "$OUT"
echo "==> hybrid normalize $OUT"
hybrid normalize "$OUT" >/dev/null
echo "==> hybrid translate --env $ENV_NAME"
status=0
hybrid translate --env "$ENV_NAME" --from "$OUT" --format json >"$REPORT" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "export_to_pr: hybrid translate failed (exit $status); nothing committed" >&2
    exit "$status"
fi

if [ -z "$(git status --porcelain -- assets "$OUT")" ]; then
    FINISHED=1
    echo "no changes"
    exit 0
fi

# The report's lists, one item per line (python3 reads the JSON; a runner without it gets the raw report).
report_list() {
    python3 - "$REPORT" "$1" <<'PY' 2>/dev/null || true
import json, sys
report = json.load(open(sys.argv[1]))
key = sys.argv[2]
for item in report.get(key, []):
    if isinstance(item, dict):
        print(f"{item['template']}:{item['line']}: cannot place change of {item['key_path']} (produced by {item['producer']})")
    else:
        print(item)
PY
}

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
BRANCH="ui-export/$ENV_NAME/$STAMP"
git checkout -q -b "$BRANCH"
git add -A -- assets "$OUT"
COUNT="$(git diff --cached --name-only -- assets | wc -l | tr -d ' ')"
TITLE="UI export $ENV_NAME: $COUNT template file$([ "$COUNT" = 1 ] || echo s) changed"
git commit -q -m "$TITLE" -m "hybrid export, normalize and translate of $ENV_NAME ($STAMP)."
FINISHED=1

section() {
    local heading="$1" items
    items="$(report_list "$2")"
    [ -n "$items" ] || return 0
    printf '### %s\n\n' "$heading"
    # shellcheck disable=SC2016 # backquotes are Markdown here
    while IFS= read -r line; do printf -- '- `%s`\n' "$line"; done <<<"$items"
    printf '\n'
}
# shellcheck disable=SC2016 # backquotes are Markdown here
BODY="$(
    printf 'Changes made in Superset (%s), exported and translated into templates by hybrid.\n\n' "$ENV_NAME"
    section "Changed templates" changed
    section "New templates (assets new in the UI)" created
    section "Deleted in the UI (templates kept; remove them with hybrid translate --prune)" deleted_in_ui
    section "Changes that could not be placed (see the .ui files)" unplaced
    printf '### Template diff\n\n```\n%s\n```\n' "$(git diff --stat HEAD~1 -- assets)"
    if ! command -v python3 >/dev/null 2>&1; then printf '\n```json\n%s\n```\n' "$(cat "$REPORT")"; fi
)"

if [ "$DRY_RUN" -eq 1 ] || ! command -v gh >/dev/null 2>&1 || [ -z "${GH_TOKEN:-}" ]; then
    echo "committed on branch $BRANCH (no pull request: $([ "$DRY_RUN" -eq 1 ] && echo "--dry-run" || echo "gh or GH_TOKEN missing"))"
    printf '\nTitle: %s\n\n%s\n' "$TITLE" "$BODY"
    exit 0
fi
git push -q -u origin "$BRANCH"
gh pr create --title "$TITLE" --body "$BODY" --head "$BRANCH"
