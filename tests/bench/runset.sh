#!/usr/bin/env bash
# runset.sh CODE_DIR TAG SET...   (SET: dev dm gts grs ggo igo irs its)
# Scores a copy of ctxtrim on the evaluation sets with swe_inproc.py, one set after another,
# each from a fresh, empty cache, so that runs of two code copies compare like for like.
#   CODE_DIR: a folder holding a `ctxtrim/` package (e.g. `git archive HEAD ctxtrim | tar -x -C DIR`);
#             the run aborts unless ctxtrim is imported from there.
#   out:   /tmp/ev-${HELPER:-lead}/TAG-SET.jsonl (+ .log, TAG.times), then TAG.done
#   trees: SWE_TREES=/tmp/swe-trees-${HELPER:-lead} (extracted once, reused)
# igo/irs/its: the issue-text sets issue_tasks.py builds (Go, Rust, TypeScript), kept outside
# the repository (their texts are their authors' words) in $ISSUES (default /work/evaldata).
# Env: HELPER, SWE_MIRRORS (default /work/.mirror), PY (default: python3 on PATH),
#      EVAL (the shared harness folder, default ../shared/eval beside the repository),
#      BUDGETS (default 8000,16000,32000), DRY=1 (only check the import), EXTRA (more
#      arguments for swe_inproc.py, e.g. "--limit 30 --seed 1").
# Compare two runs with compare_runs.py.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 CODE_DIR TAG SET..." >&2; exit 2; }
CODE_DIR=$(cd "$1" && pwd); TAG=$2; shift 2
[ -f "$CODE_DIR/ctxtrim/__init__.py" ] || { echo "no ctxtrim/ package in $CODE_DIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
H=${HELPER:-lead}
PY=${PY:-python3}
RUNNER=$HERE/swe_inproc.py
DATA=$HERE/data
ISSUES=${ISSUES:-/work/evaldata}
EVAL=${EVAL:-$(cd "$HERE/../../.." && pwd)/shared/eval}
BUDGETS=${BUDGETS:-8000,16000,32000}
export SWE_MIRRORS=${SWE_MIRRORS:-/work/.mirror}
export SWE_TREES=/tmp/swe-trees-$H
OUT=/tmp/ev-$H
mkdir -p "$OUT" "$SWE_TREES"
rm -f "$OUT/$TAG.done"

for SET in "$@"; do
  case $SET in
    dev) ARGS=(--split dev) ;;
    dm)  ARGS=(--split devmulti) ;;
    gts) ARGS=(--split gitlog_ts --data "$DATA/gitlog_ts.jsonl") ;;
    grs) ARGS=(--split gitlog_rs --data "$DATA/gitlog_rs.jsonl") ;;
    ggo) ARGS=(--split gitlog_go --data "$DATA/gitlog_go.jsonl") ;;
    igo|irs|its) ARGS=(--split "issues_${SET#i}" --data "$ISSUES/issues_${SET#i}.jsonl") ;;
    *) echo "unknown set $SET (dev dm gts grs ggo igo irs its)" >&2; exit 2 ;;
  esac
  CACHE=$(mktemp -d "/tmp/ctxtrim-cache-$H-$TAG-$SET.XXXXXX")
  ENV=(env PYTHONPATH="$CODE_DIR" CTXTRIM_CACHE_DIR="$CACHE" XDG_CACHE_HOME="$CACHE")
  WHICH=$(cd /tmp && "${ENV[@]}" "$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import ctxtrim; print(ctxtrim.__file__)' "$HERE")
  echo "[$TAG-$SET] ctxtrim from $WHICH; cache $CACHE; trees $SWE_TREES" >&2
  case $WHICH in "$CODE_DIR"/*) ;; *) echo "ctxtrim not imported from $CODE_DIR" >&2; exit 1 ;; esac
  if [ -n "${DRY:-}" ]; then rm -rf "$CACHE"; continue; fi
  F=$OUT/$TAG-$SET.jsonl
  T0=$(date +%s)
  (cd /tmp && "${ENV[@]}" "$PY" "$RUNNER" --eval-dir "$EVAL" "${ARGS[@]}" --name ctxtrim \
      --budgets "$BUDGETS" --out "$F" ${EXTRA:-}) 2> "$OUT/$TAG-$SET.log"
  echo "[$TAG-$SET] $(( $(date +%s) - T0 ))s -> $F" | tee -a "$OUT/$TAG.times" >&2
  rm -rf "$CACHE"
done
[ -n "${DRY:-}" ] || touch "$OUT/$TAG.done"
