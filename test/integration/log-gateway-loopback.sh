#!/usr/bin/env bash
# Runs the log path for real inside private network, mount and PID namespaces (started by
# log-gateway-loopback.test.ts): the monitoring host's log-tenants script and log gateway (Debian's
# nginx on the rendered configuration), each watched host's log-credential script, a stand-in Loki
# that records what reaches it, and stand-ins of IMDS and Secrets Manager. Writes results to $W/results.
set -euo pipefail
W=$1
R=$W/results F=$W/files
MON=10.205.0.10
mkdir -p "$R" "$W/ov/up" "$W/ov/work" "$W/bin"
ip link set lo up
ip addr add "$MON/32" dev lo
ip addr add 169.254.169.254/32 dev lo
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/ov/up,workdir=$W/ov/work" /etc
for d in /run /srv /var/log/nginx /usr/local/lib; do mount -t tmpfs tmpfs "$d"; done
# The groups the packages create on a real host.
groupadd -f alloy; groupadd -f grafana; mkdir -p /etc/grafana /srv/gohost-data
echo "127.0.0.1 secretsmanager.eu-west-1.amazonaws.com" >> /etc/hosts
cat "$W/ca.crt" >> /etc/ssl/certs/ca-certificates.crt
cp -r "$F/monitoring/etc/nginx/gohost-logs" /etc/nginx/gohost-logs
cp -r "$F/monitoring/usr/local/lib/gohost" /usr/local/lib/gohost
# No systemd here: systemctl reloads nginx the way the drop-in does, and logs everything else.
cat > "$W/bin/systemctl" <<EOF
#!/bin/sh
echo "systemctl \$*" >> "$R/systemctl.log"
[ "\$1 \$2" = "try-reload-or-restart nginx.service" ] && [ -e /run/nginx.pid ] && exec nginx -c /etc/nginx/gohost-logs/nginx.conf -s reload
exit 0
EOF
chmod +x "$W/bin/systemctl"
export PATH=$W/bin:$PATH

python3 "$W/fake-aws.py" "$W/secrets.json" "$W/sm.crt" "$W/sm.key" "$R/secretsmanager.log" "$MON" >>"$R/daemons.log" 2>&1 &
# Loki stand-in: records method, path, tenant and whether a token reached it; answers 204.
python3 -c 'import http.server as h, json, sys
class H(h.BaseHTTPRequestHandler):
    def record(s):
        s.rfile.read(int(s.headers.get("Content-Length", 0)))
        print(json.dumps({"method": s.command, "path": s.path, "tenant": s.headers.get("X-Scope-OrgID"), "authorization": s.headers.get("Authorization")}), file=open(sys.argv[1], "a"))
        s.send_response(204); s.end_headers()
    do_GET = do_POST = do_DELETE = record
    def log_message(s, *a): pass
h.ThreadingHTTPServer(("127.0.0.1", 3101), H).serve_forever()' "$R/loki.log" >>"$R/daemons.log" 2>&1 &
for _ in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:3101/ready && curl -s -o /dev/null -X PUT http://169.254.169.254/latest/api/token && break; sleep 0.1; done

# The monitoring host: credentials for every watched host, then the gateway (first boot's order).
/usr/local/lib/gohost/log-tenants > "$R/tenants-1.out" 2>&1
nginx -c /etc/nginx/gohost-logs/nginx.conf
cp /etc/nginx/gohost-logs/tenants.map "$R/tenants.map"
cp /etc/grafana/gohost-loki-tenants "$R/grafana-tenants"
# A second run changes nothing: no write to Secrets Manager, no reload.
/usr/local/lib/gohost/log-tenants > "$R/tenants-2.out" 2>&1

# Each watched host reads its own secret.
while read -r host; do
  bash "$F/$host/usr/local/lib/gohost/log-credential" > "$R/credential-$host.out" 2>&1
  mkdir -p "$W/creds/$host" && cp /run/gohost/loki/token /run/gohost/loki/ca.pem "$W/creds/$host/"
  stat -c '%a %U %G' /run/gohost/loki/token > "$R/token-mode-$host"
done < "$W/hosts"
A=$(head -1 "$W/hosts") B=$(sed -n 2p "$W/hosts")
push() { # host [curl args...]: one push as that host, printing the HTTP status
  local host=$1; shift
  curl -s -o /dev/null -w '%{http_code}' --cacert "$W/creds/$host/ca.pem" -H "Authorization: Bearer $(cat "$W/creds/$host/token")" \
    -H 'Content-Type: application/x-protobuf' --data-binary 'x' "$@" "https://$MON:3100/loki/api/v1/push"
}
{
  echo "own $(push "$A")"
  # Posing as the other host: the tenant stays A's.
  echo "posing $(push "$A" -H "X-Scope-OrgID: $B")"
  echo "no-token $(curl -s -o /dev/null -w '%{http_code}' --cacert "$W/creds/$A/ca.pem" --data-binary x "https://$MON:3100/loki/api/v1/push")"
  echo "wrong-token $(curl -s -o /dev/null -w '%{http_code}' --cacert "$W/creds/$A/ca.pem" -H 'Authorization: Bearer 0000' --data-binary x "https://$MON:3100/loki/api/v1/push")"
  echo "query $(curl -s -o /dev/null -w '%{http_code}' --cacert "$W/creds/$A/ca.pem" -H "Authorization: Bearer $(cat "$W/creds/$A/token")" "https://$MON:3100/loki/api/v1/query_range?query=%7Bhost%3D~%22.%2B%22%7D")"
  echo "delete $(curl -s -o /dev/null -w '%{http_code}' --cacert "$W/creds/$A/ca.pem" -H "Authorization: Bearer $(cat "$W/creds/$A/token")" -X POST "https://$MON:3100/loki/api/v1/delete?query=%7Bhost%3D%22x%22%7D&start=0")"
  echo "get-push $(curl -s -o /dev/null -w '%{http_code}' --cacert "$W/creds/$A/ca.pem" -H "Authorization: Bearer $(cat "$W/creds/$A/token")" "https://$MON:3100/loki/api/v1/push")"
  # The certificate is pinned: a client trusting only the machine's CAs refuses it.
  echo "unpinned $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$W/creds/$A/token")" --data-binary x "https://$MON:3100/loki/api/v1/push" || true)"
} > "$R/pushes"

# A flood from A (1,000 pushes from one curl, 20 at a time) while B pushes ten times.
for _ in $(seq 1 1000); do printf 'url = "https://%s:3100/loki/api/v1/push"\noutput = "/dev/null"\n' "$MON"; done > "$W/flood.curlrc"
curl -s --parallel --parallel-max 20 -K "$W/flood.curlrc" -w '%{http_code}\n' --cacert "$W/creds/$A/ca.pem" \
  -H "Authorization: Bearer $(cat "$W/creds/$A/token")" --data-binary x > "$R/flood" &
flood=$!
for _ in $(seq 1 10); do push "$B"; echo; sleep 0.1; done > "$R/during-flood"
wait "$flood"
echo finished > "$R/finished"
