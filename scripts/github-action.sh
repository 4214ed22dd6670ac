#!/usr/bin/env bash
# The steps of the composite GitHub Action (action.yml), with `coop` on the PATH and the inputs
# in COOP_* variables: `coop check` as annotations (the job's result), its findings as SARIF,
# and `coop diff` against a revision into the job's summary. Tested in tests/action.rs.
set -uo pipefail

paths=()
if [ -n "${COOP_PATHS:-}" ]; then
  read -r -a paths <<<"$COOP_PATHS"
fi
dated=()
if [ -n "${COOP_AS_OF:-}" ]; then
  dated=(--as-of "$COOP_AS_OF")
fi
checked=("${dated[@]}")
if [ -n "${COOP_BASELINE:-}" ]; then
  checked+=(--baseline "$COOP_BASELINE")
fi
case "${COOP_DENY_WARNINGS:-false}" in
  true) checked+=(--deny warnings) ;;
  false) ;;
  *)
    echo "deny-warnings is \`${COOP_DENY_WARNINGS}\`, not true or false" >&2
    exit 2
    ;;
esac

# The annotations decide the job; the SARIF and the diff are written whatever they say.
status=0
coop check "${paths[@]}" "${checked[@]}" --format github || status=$?

if [ -n "${COOP_SARIF:-}" ]; then
  coop check "${paths[@]}" "${checked[@]}" --format sarif --quiet >"$COOP_SARIF"
  sarif_status=$?
  # 1 only says that there are findings, which the SARIF holds.
  if [ "$sarif_status" -gt 1 ]; then
    status=$sarif_status
  fi
fi

if [ -n "${COOP_DIFF_BASE:-}" ]; then
  compared=()
  if [ "${#paths[@]}" -gt 0 ]; then
    compared=(-- "${paths[@]}")
  fi
  # The job's summary, or the log when there is none.
  coop diff "$COOP_DIFF_BASE" . "${dated[@]}" --format markdown --quiet "${compared[@]}" \
    >>"${GITHUB_STEP_SUMMARY:-/dev/stdout}"
  diff_status=$?
  # 1 says that a side does not check (its errors are in the log; the check above judges the
  # head), 2 that the diff could not be made at all, such as a revision that was not fetched.
  if [ "$diff_status" -gt 1 ]; then
    status=$diff_status
  fi
fi

exit "$status"
