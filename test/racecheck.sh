#!/usr/bin/env bash
# racecheck.sh DIR: reads the race detector's reports (GORACE=log_path=DIR/report) of the
# collectors the end-to-end tests ran. Fails when a report has a frame in Tailwise's own
# components or packages; lists the races found only in upstream modules by their first frame.
set -euo pipefail
dir=${1:?usage: racecheck.sh DIR}
shopt -s nullglob
reports=("$dir"/report.*)
if ((${#reports[@]} == 0)); then
  echo "race detector: no race reported"
  exit 0
fi
echo "race detector: ${#reports[@]} collector processes reported races; their first frames:"
awk '/WARNING: DATA RACE/ { getline; getline; print "  " $1 }' "${reports[@]}" | sort | uniq -c
ours=$(grep -l -E 'github.com/tailwise/tailwise/(processor|exporter|receiver|connector|extension|internal)/' "${reports[@]}" || true)
if [[ -n $ours ]]; then
  echo "races with a frame in Tailwise's code, in:" $ours
  exit 1
fi
echo "none has a frame in Tailwise's code"
