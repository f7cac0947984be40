#!/usr/bin/env bash
# Runs the rendered monitoring configuration for real inside private namespaces (started by
# observability-loopback.test.ts): Debian's node_exporter and nginx exporter on the "private
# addresses" of the fleet's hosts, the real nginx of the front door, examples/app, the blackbox
# exporter and Prometheus with the rendered configuration and rules.
set -euo pipefail
W=$1 APP=$2
R=$W/results
F=$W/files
mkdir -p "$R" "$W/ov/up" "$W/ov/work" "$W/tsdb"
ip link set lo up
for a in $(cat "$W/addresses"); do ip addr add "$a/32" dev lo; done
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/ov/up,workdir=$W/ov/work" /etc
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log/nginx
FD_ADDR=$(cat "$W/frontdoor-address")
echo "$FD_ADDR api.example.com" >> /etc/hosts

# The front door's nginx (stub_status on 127.0.0.1:8088) with a placeholder certificate.
cp -r "$F/frontdoor/etc/nginx/gohost" /etc/nginx/gohost
install -d /etc/nginx/gohost/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=api.example.com \
  -keyout /etc/nginx/gohost/tls/placeholder.key -out /etc/nginx/gohost/tls/placeholder.crt 2>/dev/null
ln -sfn placeholder.crt /etc/nginx/gohost/tls/live.crt
ln -sfn placeholder.key /etc/nginx/gohost/tls/live.key
nginx -c /etc/nginx/gohost/nginx.conf

# Every watched host: node_exporter with the ARGS its bootstrap writes; the Go hosts run the app.
start() { "$@" >>"$R/daemons.log" 2>&1 & }
while read -r kind addr args; do
  case "$kind" in
    node) eval "start prometheus-node-exporter $args" ;;
    nginx) eval "start prometheus-nginx-exporter $args" ;;
    app) LISTEN_ADDR="$addr:8080" METRICS_ADDR="$addr:$args" PPROF_ADDR=off start "$APP" ;;
    # 25,000 kept series: over the 20,000-sample limit.
    bomb) start python3 -c 'import http.server as h, sys
body = "".join(f"http_bomb_total{{n=\"{i}\"}} 1\n" for i in range(25000)).encode()
class H(h.BaseHTTPRequestHandler):
    def do_GET(s): s.send_response(200); s.end_headers(); s.wfile.write(body)
    def log_message(s, *a): pass
h.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()' "$addr" "$args" ;;
    # A service posing as the host: node_exporter series and the limits the alerts compare with.
    forger) start python3 -c 'import http.server as h, sys
body = b"go_goroutines 5\nnode_systemd_unit_state{name=\"nginx.service\",state=\"failed\"} 1\ngohost_service_limit_nofile{service=\"orders-api\"} 1\n"
class H(h.BaseHTTPRequestHandler):
    def do_GET(s): s.send_response(200); s.end_headers(); s.wfile.write(body)
    def log_message(s, *a): pass
h.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()' "$addr" "$args" ;;
  esac
done < "$W/daemons"

# The EC2 API Prometheus discovers its targets from (test-only stand-in; the test copy of
# prometheus.yml points ec2_sd_configs at it).
python3 "$W/fake-ec2.py" 9400 "$W/instances.json" "$R/ec2-requests.log" >>"$R/daemons.log" 2>&1 &
for _ in $(seq 1 50); do curl -s -o /dev/null -X POST http://127.0.0.1:9400/ && break; sleep 0.1; done

mkdir -p /etc/prometheus/rules
cp "$F/monitoring/etc/prometheus/rules/gohost.rules.yml" /etc/prometheus/rules/
start prometheus-blackbox-exporter --config.file="$F/monitoring/etc/prometheus/blackbox.yml" --web.listen-address=127.0.0.1:9115
start prometheus --config.file="$F/monitoring/etc/prometheus/prometheus.yml" --storage.tsdb.path="$W/tsdb" --web.listen-address=127.0.0.1:9090

# Bounded wait: every target that can be up is, and the one over the sample limit has been
# scraped once (its up == 0 series exists), or 90 s.
for _ in $(seq 1 90); do
  if curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=up' -o "$R/up.json" 2>/dev/null &&
     python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["data"]["result"]; n=int(sys.argv[2]); sys.exit(0 if sum(x["value"][1] == "1" for x in r) >= n and len(r) >= n + 1 else 1)' "$R/up.json" "$(cat "$W/target-count")"; then
    break
  fi
  sleep 1
done
curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=up' -o "$R/up.json"
curl -fsS 'http://127.0.0.1:9090/api/v1/targets' -o "$R/targets.json"
curl -fsS 'http://127.0.0.1:9090/api/v1/rules' -o "$R/rules.json"
curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=gohost_service_limit_nofile' -o "$R/limits.json" || true
curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=nginx_up' -o "$R/nginx_up.json" || true
# The hostile targets: the limit's counter and alert (evaluated every 15 s), and what the forger got stored.
for _ in $(seq 1 60); do
  curl -fsS 'http://127.0.0.1:9090/api/v1/alerts' -o "$R/alerts.json" && grep -q '"alertname":"ScrapeLimitExceeded".*"state":"firing"' "$R/alerts.json" && break
  sleep 1
done
curl -fsS 'http://127.0.0.1:9090/api/v1/query?query=prometheus_target_scrapes_exceeded_sample_limit_total' -o "$R/exceeded.json"
curl -fsS --data-urlencode 'query={__name__=~"node_.*|gohost_.*",job="app"}' 'http://127.0.0.1:9090/api/v1/query' -o "$R/forged.json"
curl -fsS --data-urlencode 'query=go_goroutines{instance="10.204.0.18:9464"}' 'http://127.0.0.1:9090/api/v1/query' -o "$R/forger-kept.json"

# Exporters must not answer on addresses they should not listen on.
set +e
curl -sS -o /dev/null --max-time 2 http://127.0.0.1:9100/metrics 2>/dev/null; echo $? > "$R/node-on-loopback.curl_exit"
curl -sS -o /dev/null --max-time 2 "http://$FD_ADDR:8088/stub_status" 2>/dev/null; echo $? > "$R/stub-on-private.curl_exit"
curl -sS -o /dev/null --max-time 2 http://127.0.0.1:9113/metrics 2>/dev/null; echo $? > "$R/nginx-exporter-on-loopback.curl_exit"
set -e
echo done > "$R/finished"
