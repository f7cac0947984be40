#!/usr/bin/env bash
# Two generated load-balanced front doors rolled the way their Auto Scaling group rolls them, for
# real in private namespaces (started by front-door-roll.test.ts): POST load through a public-NLB
# stand-in (proxy protocol v2, from its own address) → the front doors → two examples/app
# backends. Each front door is replaced by a new one: healthy on nginx's own health port, then
# registered; the old one deregistered, served for the deregistration delay, then stopped
# gracefully (nginx.service stop: SIGQUIT). MODE=drain uses the configuration as generated;
# MODE=control removes the client keepalive_time (the control that must show failures).
set -euo pipefail
W=$1 DOMAIN=$2 APP=$3 MODE=$4 DELAY=$5
R=$W/results-$MODE
mkdir -p "$R"
ip link set lo up
# shellcheck source=test/integration/front-door-root.sh
. "$(dirname "$0")/front-door-root.sh"
front_door_root "$W" "ov-$MODE" "$DOMAIN"
bash "$W/files/usr/local/lib/gohost/nginx-request-id"

STANDIN_PROXY_PROTOCOL=1 STANDIN_SOURCE=127.0.0.6 node "$W/nlb-standin.mjs" 443 9999 "$DELAY" > "$R/standin.log" 2>&1 &
ctl() { curl -fsS "http://127.0.0.1:9999/$1?port=$2" >> "$R/control.log"; }
for port in 18081 18082; do
  LISTEN_ADDR="127.0.0.1:$port" INSTANCE_NAME="backend-$port" PPROF_ADDR=off "$APP" >> "$R/app-$port.log" 2>&1 &
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
done
for _ in $(seq 1 50); do curl -fsS -o /dev/null http://127.0.0.1:9999/targets && break; sleep 0.1; done

# door N: front door N on its own ports (80 → 1080N, 443 → 1443N, health 8089 → 1889N), pid file and logs.
door() {
  local n=$1 c=/etc/nginx/gohost/nginx-$1.conf
  sed -e "s/listen 80 /listen 1080$n /; s/listen 80;/listen 1080$n;/; s/listen 443 /listen 1443$n /; s/listen 443;/listen 1443$n;/" \
    -e "s/listen 8089;/listen 127.0.0.1:1889$n;/; s/listen 127.0.0.1:8088;/listen 127.0.0.1:1888$n;/; /listen \[::\]/d" \
    -e "s|pid /run/nginx.pid;|pid /run/nginx-$n.pid;|; s|/var/log/nginx/access.json|/var/log/nginx/access-$n.json|; s|/var/log/nginx/error.log|/var/log/nginx/error-$n.log|" \
    -e 's|set_real_ip_from \${[^}]*};|set_real_ip_from 127.0.0.6;|' /etc/nginx/gohost/nginx.conf > "$c"
  if [[ "$MODE" == control ]]; then sed -i '/^    keepalive_time /d' "$c"; fi
  nginx -c "$c"
  # What the target group's health check asks before the door takes traffic.
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:1889$n/gohost-nginx-health" && return 0; sleep 0.1; done
  echo "front door $n never became healthy" >&2; return 1
}
door 1; door 2
grep -c 'set_real_ip_from 127.0.0.6;' /etc/nginx/gohost/nginx-1.conf > "$R/trusted-lines"
grep -c '^    keepalive_time ' /etc/nginx/gohost/nginx-1.conf > "$R/keepalive-time-lines" || true
ctl register 14431; ctl register 14432

cat > "$W/post-$MODE.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"item":"book","quantity":1}'
wrk.headers["Content-Type"] = "application/json"
-- 40 requests a second per connection: a busy client, not one that reaches keepalive_requests
-- (1000) within the test and would be closed by that alone.
function delay() return 25 end
LUA
DURATION=$(( 3 + 2 * (DELAY + 3) + 3 ))
wrk -t1 -c16 -d"${DURATION}s" --timeout 5s -s "$W/post-$MODE.lua" "https://$DOMAIN/api/orders" > "$R/wrk.out" 2>&1 &
load=$!
sleep 3

replace() { # old new
  door "$2"
  ctl register "1443$2"
  ctl deregister "1443$1"
  sleep "$DELAY"
  # nginx.service stop on the instance the group terminates.
  nginx -c "/etc/nginx/gohost/nginx-$1.conf" -s quit
  for _ in $(seq 1 100); do [[ -e "/run/nginx-$1.pid" ]] || break; sleep 0.1; done
  sleep 3
}
replace 1 3
replace 2 4
wait "$load" || true

for n in 1 2 3 4; do cp "/var/log/nginx/access-$n.json" "$R/access-$n.json" 2>/dev/null || : > "$R/access-$n.json"; done
curl -fsS http://127.0.0.1:9999/targets > "$R/targets.json"
for n in 3 4; do nginx -c "/etc/nginx/gohost/nginx-$n.conf" -s quit || true; done
touch "$R/finished"
