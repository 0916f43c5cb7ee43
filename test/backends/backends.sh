#!/usr/bin/env bash
# Installs, starts and stops the real backends Tailwise exports to, as processes on 127.0.0.1:
# Jaeger (traces; the all-in-one binary, multi-tenant), Prometheus 3 (metrics, native OTLP
# receiver, remote-write receiver and exemplar storage) and Loki 3 (logs, multi-tenant), each
# built from source from its wrapper module in test/backends/NAME (go.mod and go.sum pin it).
#
#   backends.sh install    build the binaries into $BACKENDS_DIR (idempotent, cached)
#   backends.sh up         install, start all three on a block of free loopback ports, wait for readiness
#   backends.sh down       stop what `up` started (by PID), with a bounded wait
#   backends.sh env        print the endpoint variables of the running set
#   backends.sh stop NAME  stop one backend (jaeger, prometheus, loki) of the running set
#   backends.sh start NAME start it again on the same ports and data, and wait for readiness
#
# Environment:
#   BACKENDS_DIR  cache of built binaries (default: <repo>/.cache/backends)
#   BACKENDS_RUN  pids, logs and data of one run (default: $BACKENDS_DIR/run)
#   PORT_BASE     first port of the block of 80 ports used (default: 47100); the backends use the
#                 first 30, the tests' collectors the rest
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
BACKENDS_DIR=${BACKENDS_DIR:-$repo/.cache/backends}
BACKENDS_RUN=${BACKENDS_RUN:-$BACKENDS_DIR/run}
PORT_BASE=${PORT_BASE:-47100}
bin=$BACKENDS_DIR/bin

# The port block. Collector ports are part of it so that one PORT_BASE moves everything.
export LOKI_HTTP_PORT=$((PORT_BASE + 0)) LOKI_GRPC_PORT=$((PORT_BASE + 1))
export JAEGER_OTLP_GRPC_PORT=$((PORT_BASE + 10)) JAEGER_OTLP_HTTP_PORT=$((PORT_BASE + 11))
export JAEGER_QUERY_PORT=$((PORT_BASE + 12)) JAEGER_QUERY_GRPC_PORT=$((PORT_BASE + 13))
export JAEGER_HEALTH_PORT=$((PORT_BASE + 14)) JAEGER_COLLECTOR_GRPC_PORT=$((PORT_BASE + 15))
export JAEGER_COLLECTOR_HTTP_PORT=$((PORT_BASE + 16))
export PROMETHEUS_PORT=$((PORT_BASE + 20))
export COLLECTOR_PROMETHEUS_PORT=$((PORT_BASE + 32))

log() { echo "backends: $*" >&2; }

stamp_of() { cat "$here/$1/go.mod" "$here/$1/go.sum" | sha256sum | cut -c1-16; }

# build_go NAME PACKAGE [GO BUILD FLAGS...]: builds a backend from its wrapper module unless the
# cached binary was built from the same go.mod/go.sum and flags.
build_go() {
  local name=$1 pkg=$2 want
  shift 2
  want=$(stamp_of "$name")${*:+ $*}
  if [[ -x $bin/$name && "$(cat "$bin/$name.stamp" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  log "building $name ($pkg); a cold build takes a few minutes"
  mkdir -p "$bin"
  local t0=$SECONDS
  (cd "$here/$name" && go build -trimpath -ldflags='-s -w' "$@" -o "$bin/$name.tmp" "$pkg")
  mv "$bin/$name.tmp" "$bin/$name"
  echo "$want" >"$bin/$name.stamp"
  log "built $name in $((SECONDS - t0)) s"
}

cmd_install() {
  build_go jaeger github.com/jaegertracing/jaeger/cmd/all-in-one
  build_go loki github.com/grafana/loki/v3/cmd/loki
  # Prometheus 3 (3.15.0, module v0.315.0) without its web UI (no builtinassets tag; the tests use
  # the API only): netgo as in its release builds; stringlabels, the default label layout.
  build_go prometheus github.com/prometheus/prometheus/cmd/prometheus -tags netgo,stringlabels
}

port_free() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no conflict
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

http_get() { # url: prints the body of a 2xx answer, fails otherwise (python3 is always there; curl may not be)
  python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode(errors="replace"))
except Exception:
    sys.exit(1)' "$1" 2>/dev/null
}

start() { # name cmd...
  local name=$1; shift
  nohup "$@" >"$BACKENDS_RUN/$name.log" 2>&1 &
  echo $! >"$BACKENDS_RUN/$name.pid"
}

wait_ready() { # name url seconds [body-substring]
  local name=$1 url=$2 deadline=$((SECONDS + $3)) want=${4:-} body
  while ((SECONDS < deadline)); do
    if body=$(http_get "$url") && [[ -z $want || $body == *"$want"* ]]; then
      log "$name ready ($url)"
      return 0
    fi
    if ! kill -0 "$(cat "$BACKENDS_RUN/$name.pid")" 2>/dev/null; then
      log "$name exited; last lines of $BACKENDS_RUN/$name.log:"; tail -20 "$BACKENDS_RUN/$name.log" >&2
      return 1
    fi
    sleep 0.2
  done
  log "$name not ready after $3 s; last lines of $BACKENDS_RUN/$name.log:"; tail -20 "$BACKENDS_RUN/$name.log" >&2
  return 1
}

cmd_env() {
  cat <<EOF
export JAEGER_OTLP_ENDPOINT=127.0.0.1:$JAEGER_OTLP_GRPC_PORT
export JAEGER_QUERY_URL=http://127.0.0.1:$JAEGER_QUERY_PORT
export PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
export PROMETHEUS_OTLP_URL=http://127.0.0.1:$PROMETHEUS_PORT/api/v1/otlp
export PROMETHEUS_REMOTE_WRITE_URL=http://127.0.0.1:$PROMETHEUS_PORT/api/v1/write
export LOKI_URL=http://127.0.0.1:$LOKI_HTTP_PORT
export LOKI_OTLP_URL=http://127.0.0.1:$LOKI_HTTP_PORT/otlp
export TAILWISE_PROMETHEUS_ENDPOINT=127.0.0.1:$COLLECTOR_PROMETHEUS_PORT
EOF
}

cmd_up() {
  cmd_install
  local p busy=()
  for p in $LOKI_HTTP_PORT $LOKI_GRPC_PORT $JAEGER_OTLP_GRPC_PORT $JAEGER_OTLP_HTTP_PORT \
    $JAEGER_QUERY_PORT $JAEGER_QUERY_GRPC_PORT $JAEGER_HEALTH_PORT $JAEGER_COLLECTOR_GRPC_PORT \
    $JAEGER_COLLECTOR_HTTP_PORT $PROMETHEUS_PORT; do
    port_free "$p" || busy+=("$p")
  done
  if ((${#busy[@]})); then
    log "ports in use on 127.0.0.1: ${busy[*]}; stop what holds them or set PORT_BASE to another free block"
    exit 1
  fi
  mkdir -p "$BACKENDS_RUN"/{loki,prometheus}
  sed "s/@COLLECTOR_PROMETHEUS_PORT@/$COLLECTOR_PROMETHEUS_PORT/" "$here/prometheus/prometheus.yml.tmpl" \
    >"$BACKENDS_RUN/prometheus.yml"

  start_one jaeger && start_one prometheus && start_one loki || { cmd_down; exit 1; }
  cmd_env >"$BACKENDS_RUN/env"
  log "all up; endpoints in $BACKENDS_RUN/env"
}

# start_one NAME starts one backend of a set that `up` prepared and waits until it is ready.
# Data stays in $BACKENDS_RUN, so Prometheus and Loki keep what they stored across a restart
# (Jaeger's memory storage does not).
start_one() {
  case $1 in
  jaeger)
    # Jaeger's all-in-one binary: its OTLP receiver stores each tenant's spans apart (the
    # x-tenant header), and its query API answers each tenant with its own spans only. Any
    # tenant name is accepted (no --multi-tenancy.tenants list).
    start jaeger "$bin/jaeger" --multi-tenancy.enabled=true --memory.max-traces=200000 --log-level=warn \
      --collector.otlp.grpc.host-port="127.0.0.1:$JAEGER_OTLP_GRPC_PORT" \
      --collector.otlp.http.host-port="127.0.0.1:$JAEGER_OTLP_HTTP_PORT" \
      --collector.grpc-server.host-port="127.0.0.1:$JAEGER_COLLECTOR_GRPC_PORT" \
      --collector.http-server.host-port="127.0.0.1:$JAEGER_COLLECTOR_HTTP_PORT" \
      --query.http-server.host-port="127.0.0.1:$JAEGER_QUERY_PORT" \
      --query.grpc-server.host-port="127.0.0.1:$JAEGER_QUERY_GRPC_PORT" \
      --admin.http.host-port="127.0.0.1:$JAEGER_HEALTH_PORT"
    wait_ready jaeger "http://127.0.0.1:$JAEGER_HEALTH_PORT/" 60 '"status":"Server available"' ;;
  prometheus)
    # Prometheus 3: the gateway's metrics arrive on its native OTLP receiver (/api/v1/otlp), or by
    # remote write with configs/gateway-remote-write.yaml; exemplars are stored.
    start prometheus "$bin/prometheus" --config.file="$BACKENDS_RUN/prometheus.yml" \
      --storage.tsdb.path="$BACKENDS_RUN/prometheus" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
      --web.enable-otlp-receiver --web.enable-remote-write-receiver --enable-feature=exemplar-storage
    wait_ready prometheus "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 60 ;;
  loki)
    LOKI_DATA=$BACKENDS_RUN/loki start loki "$bin/loki" -config.file="$here/loki/config.yaml" -config.expand-env=true
    wait_ready loki "http://127.0.0.1:$LOKI_HTTP_PORT/ready" 90 ready ;;
  *) log "unknown backend $1; use jaeger, prometheus or loki"; return 2 ;;
  esac
}

# stop_pid FILE stops the process whose PID the file holds: SIGTERM, up to 10 s, then SIGKILL.
stop_pid() {
  local pid
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}

cmd_down() {
  local f
  for f in "$BACKENDS_RUN"/*.pid; do
    [[ -e $f ]] && stop_pid "$f"
  done
  log "stopped"
}

case ${1:-} in
install) cmd_install ;;
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ;;
stop) [[ -e $BACKENDS_RUN/${2:-}.pid ]] && stop_pid "$BACKENDS_RUN/$2.pid" && log "$2 stopped" ;;
start) start_one "${2:-}" ;;
*) echo "usage: $0 install|up|down|env|stop NAME|start NAME" >&2; exit 2 ;;
esac
