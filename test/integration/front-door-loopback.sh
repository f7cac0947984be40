#!/usr/bin/env bash
# Runs the generated front door for real, inside private network, mount and PID namespaces
# (started by front-door-loopback.test.ts through `unshare`): nothing reaches the machine's
# network or its /etc. Writes one result file per check into $W/results.
set -euo pipefail
W=$1
DOMAIN=$2
APP=$3
R=$W/results
mkdir -p "$R"

ip link set lo up
# A second address stands in for the instance's public interface (this kernel has no dummy links).
ip addr add 10.203.0.10/32 dev lo

# shellcheck source=test/integration/front-door-root.sh
. "$(dirname "$0")/front-door-root.sh"
# The generated configuration, and a placeholder certificate made here.
front_door_root "$W" ov "$DOMAIN"
install -d /var/www/acme/.well-known/acme-challenge /var/www/static
echo "acme-token-123" > /var/www/acme/.well-known/acme-challenge/token
echo "body { color: black }" > /var/www/static/app.css

# Two backends.
LISTEN_ADDR=127.0.0.1:18081 INSTANCE_NAME=backend-1 PPROF_ADDR=off "$APP" >"$R/backend-1.log" 2>&1 &
echo $! > "$R/backend-1.pid"
LISTEN_ADDR=127.0.0.1:18082 INSTANCE_NAME=backend-2 PPROF_ADDR=off "$APP" >"$R/backend-2.log" 2>&1 &
for port in 18081 18082; do
  for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
done

# What nginx.service runs before start (the request-ID prefix, the precheck), then nginx itself.
bash "$W/files/usr/local/lib/gohost/nginx-request-id"
bash "$W/files/usr/local/lib/gohost/nginx-precheck" && echo ok > "$R/precheck" || echo failed > "$R/precheck"
bash "$W/files/usr/local/lib/gohost/nginx-reload-certificate" >/dev/null 2>&1 || true
cp /etc/nginx/gohost/ocsp.conf "$R/ocsp.conf"
nginx -c /etc/nginx/gohost/nginx.conf
for _ in $(seq 1 50); do curl -sk -o /dev/null "https://$DOMAIN/healthz" && break; sleep 0.1; done

c() { curl -sS --max-time 5 "$@"; }
# HTTPS through the front door, on loopback and on the "public" address.
c -k -D "$R/https.headers" -o "$R/https.body" -w '%{http_code}' "https://$DOMAIN/api/orders" > "$R/https.status" || true
c -k --resolve "$DOMAIN:443:10.203.0.10" -o /dev/null -w '%{http_code}' "https://$DOMAIN/healthz" > "$R/https-public.status" || true
c -k -D "$R/static.headers" -o "$R/static.body" -w '%{http_code}' "https://$DOMAIN/static/app.css" > "$R/static.status" || true
c -k -o /dev/null -w '%{http_version}' "https://$DOMAIN/healthz" > "$R/https.http_version" || true
# Two more requests on one connection, then one on a new connection: four request IDs.
c -k -D "$R/rid-1.headers" -o /dev/null "https://$DOMAIN/api/a" --next -k -D "$R/rid-2.headers" -o /dev/null "https://$DOMAIN/api/b" || true
c -k -D "$R/rid-3.headers" -o /dev/null "https://$DOMAIN/api/c" || true
# The backends' metrics and debug handlers are not published (encoded or not), though the backend serves them.
c -o /dev/null -w '%{http_code}' "http://127.0.0.1:18081/metrics" > "$R/backend-metrics.status" || true
c -k -o /dev/null -w '%{http_code}' "https://$DOMAIN/metrics" > "$R/metrics.status" || true
c -k -o /dev/null -w '%{http_code}' "https://$DOMAIN/%6detrics" > "$R/metrics-encoded.status" || true
c -k -o /dev/null -w '%{http_code}' "https://$DOMAIN/debug/pprof/" > "$R/debug.status" || true
# Port 80: ACME challenge served, everything else redirected.
c -o "$R/acme.body" -w '%{http_code}' "http://$DOMAIN/.well-known/acme-challenge/token" > "$R/acme.status" || true
c -o /dev/null -w '%{http_code} %{redirect_url}' "http://$DOMAIN/api/orders?x=1" > "$R/redirect-get" || true
c -o /dev/null -w '%{http_code} %{redirect_url}' -X POST -d 'a=1' "http://$DOMAIN/api/orders" > "$R/redirect-post" || true
# Unknown names are refused on both ports.
set +e
c -o /dev/null -H 'Host: evil.test' "http://127.0.0.1/" 2>/dev/null; echo $? > "$R/unknown-host-80.curl_exit"
c -k -o /dev/null --resolve "evil.test:443:127.0.0.1" "https://evil.test/" 2>/dev/null; echo $? > "$R/unknown-sni-443.curl_exit"
# stub_status: loopback only.
c -o "$R/stub.body" -w '%{http_code}' "http://127.0.0.1:8088/stub_status" > "$R/stub-loopback.status"
c -o /dev/null "http://10.203.0.10:8088/stub_status" 2>/dev/null; echo $? > "$R/stub-public.curl_exit"
set -e

# A client that still speaks TLS 1.0 and 1.1 (security level 0, which this OpenSSL refuses by
# default): it reaches openssl's own server offering them (so it can), and must not reach nginx.
openssl s_server -accept 127.0.0.1:4433 -cert /etc/nginx/gohost/tls/placeholder.crt -key /etc/nginx/gohost/tls/placeholder.key \
  -min_protocol TLSv1 -cipher 'DEFAULT:@SECLEVEL=0' -www > /dev/null 2>&1 &
control=$!
for _ in $(seq 1 50); do (: < /dev/tcp/127.0.0.1/4433) 2>/dev/null && break; sleep 0.1; done
set +e
for v in tls1 tls1_1; do
  echo | openssl s_client -connect 127.0.0.1:4433 -"$v" -cipher 'DEFAULT:@SECLEVEL=0' > /dev/null 2>&1; echo $? > "$R/$v-control.exit"
  echo | openssl s_client -connect 127.0.0.1:443 -servername "$DOMAIN" -"$v" -cipher 'DEFAULT:@SECLEVEL=0' > "$R/$v-front-door.out" 2>&1; echo $? > "$R/$v-front-door.exit"
done
set -e
kill "$control"

# Upstream keep-alive: 400 requests through nginx reuse a few backend connections.
opened() { curl -fsS "http://127.0.0.1:$1/metrics" | awk '/^http_server_connections_opened_total / { print $2 }'; }
before=$(( $(opened 18081) + $(opened 18082) ))
urls=()
for _ in $(seq 1 100); do urls+=("https://$DOMAIN/api/orders"); done
for _ in $(seq 1 4); do c -k --parallel --parallel-max 4 "${urls[@]}" > /dev/null || true; done
after=$(( $(opened 18081) + $(opened 18082) ))
echo $(( after - before - 2 )) > "$R/upstream-connections-opened"

# testssl against the HTTPS server.
if [[ "${SKIP_TESTSSL:-}" != 1 ]]; then
  testssl --quiet --color 0 --warnings off --fast --jsonfile "$R/testssl.json" --ip 127.0.0.1 -p -s -S -h -U "https://$DOMAIN" > "$R/testssl.out" 2>&1 || true
fi

# Bounded load (6 s, 16 connections); one backend is killed after 2 s.
(sleep 2; kill -9 "$(cat "$R/backend-1.pid")") &
killer=$!
wrk -t1 -c16 -d6s --timeout 5s "https://$DOMAIN/api/orders" > "$R/wrk.out" 2>&1 || true
wait "$killer"

nginx -c /etc/nginx/gohost/nginx.conf -s quit || true
for _ in $(seq 1 50); do [[ -e /run/nginx.pid ]] || break; sleep 0.1; done
tail -c 20000 /var/log/nginx/access.json > "$R/access.json" 2>/dev/null || true
cp /var/log/nginx/error.log "$R/error.log" 2>/dev/null || true
echo done > "$R/finished"
