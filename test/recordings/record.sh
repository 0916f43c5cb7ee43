#!/usr/bin/env bash
# Records the bundled web-shop recording: the webshop generator sends real-time traffic to
# bin/tailwise, whose record exporter writes it with arrival times.
#   test/recordings/record.sh [OUT] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-test/recordings/webshop.jsonl.zst}
duration=${2:-70s}
base=${PORT_BASE:-47100}
export RECORD_OTLP_ENDPOINT=127.0.0.1:$((base + 40)) RECORD_HEALTH_ENDPOINT=127.0.0.1:$((base + 41))
export RECORD_PATH=$(mktemp -d)/recording.jsonl.zst
bin/tailwise --config test/recordings/record.yaml >"${RECORD_PATH%/*}/tailwise.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "http://$RECORD_HEALTH_ENDPOINT/" 2>/dev/null && break
  sleep 0.2
done
go run ./test/recordings/webshop -endpoint "$RECORD_OTLP_ENDPOINT" -duration "$duration"
kill -TERM $pid
wait $pid || true
mv "$RECORD_PATH" "$out"
echo "recorded $out ($(du -h "$out" | cut -f1))"
