#!/usr/bin/env bash
# A release rolled the way the Auto Scaling group does it, for real, in private namespaces
# (started by rolling-release.test.ts): the generated front door → an NLB stand-in → instances
# of examples/app, under bounded POST load. MODE=drain replaces each instance as instance refresh
# does (new one healthy and registered, old one deregistered, deregistration delay, SIGTERM and
# drain); MODE=abrupt kills the old one at once (the control that must show failures).
set -euo pipefail
W=$1 DOMAIN=$2 APP=$3 MODE=$4 DELAY=$5
R=$W/results-$MODE
mkdir -p "$R" "$W/ov-$MODE/up" "$W/ov-$MODE/work"
ip link set lo up
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/ov-$MODE/up,workdir=$W/ov-$MODE/work" /etc
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log/nginx
echo "127.0.0.1 $DOMAIN nlb.example.test" >> /etc/hosts

cp -r "$W/files/etc/nginx/gohost" /etc/nginx/gohost
install -d -m 0750 /etc/nginx/gohost/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=$DOMAIN" \
  -addext "subjectAltName=DNS:$DOMAIN" -keyout /etc/nginx/gohost/tls/placeholder.key -out /etc/nginx/gohost/tls/placeholder.crt 2>/dev/null
ln -sfn placeholder.crt /etc/nginx/gohost/tls/live.crt
ln -sfn placeholder.key /etc/nginx/gohost/tls/live.key
install -d /var/www/acme

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
