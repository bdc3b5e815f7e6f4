/// The files `hybrid init` writes: the seed's example control-plane repository. The repository
/// root of hybrid itself holds the same files (a test keeps the two identical).
public enum ExampleRepository {
    public struct File: Sendable {
        /// Path relative to the repository root.
        public var path: String
        public var contents: String
        /// Written with mode 0755 (a script).
        public var isExecutable = false
    }

    /// Every file, in the order `init` reports them.
    public static let files: [File] = [
        File(
            path: "hybrid.yaml",
            contents: #"""
                # hybrid control-plane configuration
                mode: superset          # superset | preset

                superset:
                  # Self-hosted Superset
                  url: "http://127.0.0.1:8088"

                preset:
                  # Preset Cloud workspaces, one per environment
                  workspaces:
                    dev: "https://workspace-dev.us1a.app.preset.io/"
                    staging: "https://workspace-staging.us1a.app.preset.io/"
                    prod: "https://workspace-prod.us1a.app.preset.io/"

                # Default environment for commands
                default_env: dev

                # Directories
                assets_dir: "assets"
                bundles_dir: "bundles"

                """#
        ),
        File(
            path: "assets/databases/analytics_db.yaml.j2",
            contents: #"""
                database_name: "analytics_{{ ENV }}"
                sqlalchemy_uri: "{{ SQLALCHEMY_URI if SQLALCHEMY_URI is defined else 'postgresql+psycopg2://' ~ DB_HOST ~ '/' ~ DB_NAME }}"
                cache_timeout: null
                extra:
                  metadata_params: {}
                  engine_params: {}

                """#
        ),
        File(
            path: "assets/datasets/fact_sales.yaml.j2",
            contents: #"""
                table_name: "fact_sales"
                schema: "{{ SCHEMA }}"
                database: "analytics_{{ ENV }}"
                columns:
                  - column_name: "order_date"
                    is_dttm: true
                  - column_name: "{{ TENANT_KEY }}"
                    filterable: true
                  - column_name: "brand"
                  - column_name: "revenue"
                metrics:
                  - metric_name: "Total Revenue"
                    expression: "SUM(revenue)"

                """#
        ),
        File(
            path: "assets/charts/revenue_over_time.yaml.j2",
            contents: #"""
                slice_name: "Revenue Over Time ({{ ENV }})"
                viz_type: "{{ viz_type | default('echarts_timeseries_line') }}"
                datasource: "fact_sales"
                params:
                  x_axis: "order_date"
                  time_grain_sqla: "P1D"
                  metrics:
                    - "Total Revenue"
                  adhoc_filters: []
                  row_limit: 1000
                cache_timeout: null

                """#
        ),
        File(
            path: "assets/dashboards/overview.yaml.j2",
            contents: #"""
                dashboard_title: "Overview ({{ ENV }})"
                slug: "overview-{{ ENV }}"
                description: "Auto-generated dashboard"
                css: ""
                metadata:
                  native_filter_configuration:
                    {% if ENABLE_FILTERS | default(true) %}
                    - id: date_filter
                      name: Date Range
                      filterType: filter_time
                    {% endif %}
                position:
                  ROOT_ID:
                    type: ROOT
                    id: ROOT_ID
                    children: [GRID_ID]
                  GRID_ID:
                    type: GRID
                    id: GRID_ID
                    children: [CHART-1]
                  CHART-1:
                    type: CHART
                    id: CHART-1
                    meta:
                      sliceName: "Revenue Over Time ({{ ENV }})"
                    columns: 12
                    rows: 6

                """#
        ),
        File(
            path: "env/dev.yaml",
            contents: #"""
                DB_HOST: db-dev.example.com
                DB_NAME: analytics_dev
                ENV: dev
                SCHEMA: public
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "env/staging.yaml",
            contents: #"""
                DB_HOST: db-staging.example.com
                DB_NAME: analytics_staging
                ENV: staging
                SCHEMA: public
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "env/prod.yaml",
            contents: #"""
                DB_HOST: db-prod.example.com
                DB_NAME: analytics_prod
                ENV: prod
                SCHEMA: public
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "env/local.yaml",
            contents: #"""
                ENV: local
                SCHEMA: main
                SQLALCHEMY_URI: sqlite:///analytics.db
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "mappings/client_a.yaml",
            contents: #"""
                metrics:
                  Total Revenue: Client A Revenue
                source:
                  columns:
                    customer_id: customer_id
                    order_date: order_date
                  database: analytics_dev
                  schema: public
                  tables:
                    fact_sales: fact_sales
                target:
                  columns:
                    customer_id: client_customer_id
                    order_date: transaction_date
                  database: client_a_warehouse
                  schema: analytics
                  tables:
                    fact_sales: client_a_transactions

                """#
        ),
        File(
            path: "scripts/export_to_pr.sh",
            contents: #"""
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

                """#,
            isExecutable: true
        ),
        File(
            path: ".github/workflows/hybrid.yml",
            contents: #"""
                # hybrid: compile, validate and plan the dashboards on every push and pull request.
                # Scaffolded by `hybrid init`. Superset credentials come from the repository's secrets
                # HYBRID_SUPERSET_USERNAME / HYBRID_SUPERSET_PASSWORD (without them the plan step is skipped).
                # hybrid itself is built by .github/actions/build-hybrid: from HYBRID_SOURCE at HYBRID_REF
                # (repository variables), or from this repository when it is hybrid's own.
                #
                # The tenants (mappings/*.yaml) are split over a matrix of shards (`--shard I/N`: a stable
                # hash of the tenant name; the bundle without a mapping is shard 1's). The shards share a
                # remote cache when the repository variable HYBRID_REMOTE_CACHE names one (Bazel's HTTP
                # cache layout: bazel-remote, nginx WebDAV, an artifact store; a token in the secret
                # HYBRID_REMOTE_CACHE_TOKEN). Only pushes to the default branch upload to it, so a pull
                # request can never write what main reads.
                name: hybrid

                on:
                  push:
                  pull_request:

                permissions:
                  contents: read

                concurrency:
                  group: hybrid-${{ github.ref }}
                  cancel-in-progress: true

                env:
                  HYBRID_ENV: ${{ vars.HYBRID_ENV || 'dev' }}
                  HYBRID_REMOTE_CACHE: ${{ vars.HYBRID_REMOTE_CACHE }}
                  HYBRID_REMOTE_CACHE_TOKEN: ${{ secrets.HYBRID_REMOTE_CACHE_TOKEN }}
                  HYBRID_REMOTE_CACHE_WRITE: ${{ github.event_name == 'push' && github.ref_name == github.event.repository.default_branch && '1' || '0' }}

                jobs:
                  hybrid:
                    name: hybrid (shard ${{ matrix.shard }} of 4)
                    runs-on: ubuntu-24.04
                    container: swift:6.1-noble
                    timeout-minutes: 45
                    strategy:
                      fail-fast: false
                      matrix:
                        shard: [1, 2, 3, 4]
                    env:
                      SHARD: ${{ matrix.shard }}/4
                    steps:
                      - uses: actions/checkout@v4

                      - name: Build hybrid
                        id: hybrid
                        uses: ./.github/actions/build-hybrid
                        with:
                          source: ${{ vars.HYBRID_SOURCE }}
                          ref: ${{ vars.HYBRID_REF || 'main' }}

                      - name: Restore .hybrid-cache
                        uses: actions/cache@v4
                        with:
                          path: .hybrid-cache
                          key: hybrid-${{ steps.hybrid.outputs.version }}-shard${{ matrix.shard }}-${{ hashFiles('hybrid.yaml', 'assets/**', 'env/**', 'mappings/**') }}
                          restore-keys: |
                            hybrid-${{ steps.hybrid.outputs.version }}-shard${{ matrix.shard }}-

                      - name: Compile
                        env:
                          HYBRID: ${{ steps.hybrid.outputs.path }}
                        run: |
                          "$HYBRID" compile --env "$HYBRID_ENV" --shard "$SHARD"
                          if ls mappings/*.yaml >/dev/null 2>&1; then "$HYBRID" compile --env "$HYBRID_ENV" --all-mappings --shard "$SHARD"; fi

                      - name: Validate
                        env:
                          HYBRID: ${{ steps.hybrid.outputs.path }}
                        run: |
                          "$HYBRID" validate --env "$HYBRID_ENV" --shard "$SHARD" --format github
                          if ls mappings/*.yaml >/dev/null 2>&1; then "$HYBRID" validate --env "$HYBRID_ENV" --all-mappings --shard "$SHARD" --format github; fi

                      - name: Plan
                        if: matrix.shard == 1
                        env:
                          HYBRID: ${{ steps.hybrid.outputs.path }}
                          HYBRID_SUPERSET_USERNAME: ${{ secrets.HYBRID_SUPERSET_USERNAME }}
                          HYBRID_SUPERSET_PASSWORD: ${{ secrets.HYBRID_SUPERSET_PASSWORD }}
                        run: |
                          if [ -z "$HYBRID_SUPERSET_PASSWORD" ]; then
                            echo "No Superset credentials (secrets HYBRID_SUPERSET_USERNAME / HYBRID_SUPERSET_PASSWORD): plan skipped." >> "$GITHUB_STEP_SUMMARY"
                            exit 0
                          fi
                          status=0
                          "$HYBRID" plan --env "$HYBRID_ENV" --detailed-exitcode > plan.txt || status=$?
                          {
                            echo "### hybrid plan ($HYBRID_ENV)"
                            echo
                            echo '```'
                            cat plan.txt
                            echo '```'
                          } >> "$GITHUB_STEP_SUMMARY"
                          cat plan.txt
                          # 2 means there are changes to apply: not a failure of the plan.
                          if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then exit "$status"; fi

                """#
        ),
        File(
            path: ".github/workflows/ui-export-pr.yml",
            contents: #"""
                # hybrid: every night (and on demand), turn edits made in Superset's UI into a pull request of
                # template changes (scripts/export_to_pr.sh: export → normalize → translate → PR).
                # Scaffolded by `hybrid init`. Needs the secrets HYBRID_SUPERSET_USERNAME / HYBRID_SUPERSET_PASSWORD;
                # hybrid is built by .github/actions/build-hybrid, as in hybrid.yml.
                name: ui-export-pr

                on:
                  schedule:
                    - cron: "17 3 * * *"
                  workflow_dispatch:
                    inputs:
                      env:
                        description: "Environment to export (env/<ENV>.yaml)"
                        required: true
                        default: dev
                        type: string

                permissions:
                  contents: write
                  pull-requests: write

                concurrency:
                  group: ui-export-pr
                  cancel-in-progress: false

                jobs:
                  export:
                    runs-on: ubuntu-24.04
                    container: swift:6.1-noble
                    timeout-minutes: 45
                    steps:
                      - uses: actions/checkout@v4
                        with:
                          fetch-depth: 0

                      - name: Build hybrid
                        id: hybrid
                        uses: ./.github/actions/build-hybrid
                        with:
                          source: ${{ vars.HYBRID_SOURCE }}
                          ref: ${{ vars.HYBRID_REF || 'main' }}

                      - name: Tools for the pull request
                        run: DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gh python3

                      - name: Export, translate, open a pull request
                        env:
                          HYBRID: ${{ steps.hybrid.outputs.path }}
                          EXPORT_ENV: ${{ inputs.env || vars.HYBRID_ENV || 'dev' }}
                          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
                          HYBRID_SUPERSET_USERNAME: ${{ secrets.HYBRID_SUPERSET_USERNAME }}
                          HYBRID_SUPERSET_PASSWORD: ${{ secrets.HYBRID_SUPERSET_PASSWORD }}
                        run: |
                          git config --global --add safe.directory "$GITHUB_WORKSPACE"
                          git config user.name "hybrid ui-export"
                          git config user.email "hybrid-ui-export@users.noreply.github.com"
                          scripts/export_to_pr.sh "$EXPORT_ENV"

                """#
        ),
        File(
            path: ".github/actions/build-hybrid/action.yml",
            contents: #"""
                # Builds hybrid for the workflows: from this repository when it is hybrid's own, else from
                # `source` at `ref` (the repository variables HYBRID_SOURCE and HYBRID_REF). Scaffolded by `hybrid init`.
                name: Build hybrid
                description: Build the hybrid command-line tool and say where it is
                inputs:
                  source:
                    description: Git URL of hybrid's source (not needed in hybrid's own repository)
                    required: false
                    default: ""
                  ref:
                    description: Branch or tag of hybrid's source
                    required: false
                    default: main
                outputs:
                  path:
                    description: The hybrid executable
                    value: ${{ steps.build.outputs.path }}
                  version:
                    description: hybrid --version
                    value: ${{ steps.build.outputs.version }}
                runs:
                  using: composite
                  steps:
                    - name: System packages
                      shell: bash
                      run: |
                        apt-get update -qq
                        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libyaml-dev libxxhash-dev zlib1g-dev pkg-config git
                    - name: Build
                      id: build
                      shell: bash
                      env:
                        HYBRID_SOURCE: ${{ inputs.source }}
                        HYBRID_REF: ${{ inputs.ref }}
                      run: |
                        if [ -f Package.swift ] && grep -q 'name: "hybrid"' Package.swift; then
                          source_dir="$PWD"
                        else
                          if [ -z "$HYBRID_SOURCE" ]; then
                            echo "::error::set the repository variable HYBRID_SOURCE to hybrid's Git URL"
                            exit 1
                          fi
                          git clone --depth 1 --branch "$HYBRID_REF" "$HYBRID_SOURCE" "$RUNNER_TEMP/hybrid-src"
                          source_dir="$RUNNER_TEMP/hybrid-src"
                        fi
                        swift build -c release --package-path "$source_dir" --product hybrid
                        binary="$source_dir/.build/release/hybrid"
                        echo "path=$binary" >> "$GITHUB_OUTPUT"
                        echo "version=$("$binary" --version)" >> "$GITHUB_OUTPUT"

                """#
        ),
        File(
            path: ".gitignore",
            contents: #"""
                # Outputs and caches of hybrid
                bundles/
                .hybrid-cache/
                .hybrid/

                """#
        ),
    ]

    /// Directories `init` creates even if they end up holding no file.
    public static let directories = [
        "assets/databases", "assets/datasets", "assets/charts", "assets/dashboards", "env", "mappings", "scripts",
        ".github/workflows", ".github/actions/build-hybrid",
    ]
}
