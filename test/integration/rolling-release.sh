#!/usr/bin/env bash
# A release rolled the way the Auto Scaling group does it, for real, in private namespaces
# (started by rolling-release.test.ts): the generated front door → an NLB stand-in → instances
# of examples/app, under bounded POST load. MODE=drain replaces each instance as instance refresh
# does (new one healthy and registered, old one deregistered, deregistration delay, SIGTERM and
# drain); MODE=abrupt kills the old one at once (the control that must show failures).
set -euo pipefail
W=$1 DOMAIN=$2 APP=$3 MODE=$4 DELAY=$5
R=$W/results-$MODE
mkdir -p "$R"
ip link set lo up
# shellcheck source=test/integration/front-door-root.sh
. "$(dirname "$0")/front-door-root.sh"
front_door_root "$W" "ov-$MODE" "$DOMAIN" nlb.example.test

node "$W/nlb-standin.mjs" 8080 9999 "$DELAY" > "$R/standin.log" 2>&1 &
ctl() { curl -fsS "http://127.0.0.1:9999/$1?port=$2" >> "$R/control.log"; }
start_app() { # port name
  LISTEN_ADDR="127.0.0.1:$1" INSTANCE_NAME="$2" PPROF_ADDR=off DRAIN_TIMEOUT=10s "$APP" >> "$R/app-$2.log" 2>&1 &
  echo $! > "$R/$2.pid"
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.1; done
  echo "instance $2 never became healthy" >&2; return 1
}
start_app 18081 blue-1; start_app 18082 blue-2
for _ in $(seq 1 50); do curl -fsS -o /dev/null http://127.0.0.1:9999/targets && break; sleep 0.1; done
ctl register 18081; ctl register 18082
nginx -c /etc/nginx/gohost/nginx.conf
for _ in $(seq 1 50); do curl -sk -o /dev/null "https://$DOMAIN/healthz" && break; sleep 0.1; done

cat > "$W/post-$MODE.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"item":"book","quantity":1}'
wrk.headers["Content-Type"] = "application/json"
LUA
# Bounded load: 16 connections for a fixed time that covers both replacements.
DURATION=$(( 4 + 2 * (DELAY + 3) + 4 ))
wrk -t1 -c16 -d"${DURATION}s" --timeout 5s -s "$W/post-$MODE.lua" "https://$DOMAIN/api/orders" > "$R/wrk.out" 2>&1 &
load=$!
sleep 4

replace() { # old-port old-name new-port new-name
  start_app "$3" "$4"
  ctl register "$3"
  if [[ "$MODE" == drain ]]; then
    ctl deregister "$1"
    sleep "$DELAY"
    kill -TERM "$(cat "$R/$2.pid")"
    wait "$(cat "$R/$2.pid")" || true
  else
    kill -KILL "$(cat "$R/$2.pid")"
    ctl deregister "$1"
    sleep "$DELAY"
  fi
  sleep 3
}
replace 18081 blue-1 18083 green-1
replace 18082 blue-2 18084 green-2
wait "$load" || true

for _ in 1 2 3 4; do curl -sk -X POST "https://$DOMAIN/api/orders" | python3 -c 'import json,sys; print(json.load(sys.stdin)["instance"])' >> "$R/after.instances" || true; done
curl -fsS http://127.0.0.1:9999/targets > "$R/targets.json"
nginx -c /etc/nginx/gohost/nginx.conf -s quit || true
touch "$R/finished"
