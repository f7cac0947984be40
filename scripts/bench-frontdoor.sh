#!/usr/bin/env bash
# Benchmark body, run by bench-frontdoor.ts inside private network/mount/PID namespaces.
# Usage: bench-frontdoor.sh WORKDIR DOMAIN APP DURATION CONNECTIONS
set -euo pipefail
W=$1 DOMAIN=$2 APP=$3 DURATION=$4 CONNS=$5
R=$W/results
mkdir -p "$R" "$W/ov/up" "$W/ov/work"
ip link set lo up
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/ov/up,workdir=$W/ov/work" /etc
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log/nginx
echo "127.0.0.1 $DOMAIN" >> /etc/hosts

cp -r "$W/files/etc/nginx/gohost" /etc/nginx/gohost
install -d /etc/nginx/gohost/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=$DOMAIN" \
  -addext "subjectAltName=DNS:$DOMAIN" -keyout /etc/nginx/gohost/tls/placeholder.key -out /etc/nginx/gohost/tls/placeholder.crt 2>/dev/null
ln -sfn placeholder.crt /etc/nginx/gohost/tls/live.crt
ln -sfn placeholder.key /etc/nginx/gohost/tls/live.key
# For the plain-HTTP figures the generated HTTPS server also listens on 8082 (same locations and upstream).
sed -i 's|^\(        \)listen 443 ssl http2;$|&\n\1listen 8082;|' /etc/nginx/gohost/nginx.conf
grep -q 'listen 8082;' /etc/nginx/gohost/nginx.conf

# What a checklist follower writes by hand: proxy_pass, nothing else.
cat > /etc/nginx/naive.conf <<NAIVE
worker_processes auto;
pid /run/nginx-naive.pid;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log /var/log/nginx/naive.log;
    server {
        listen 8081;
        listen 8444 ssl;
        ssl_certificate /etc/nginx/gohost/tls/placeholder.crt;
        ssl_certificate_key /etc/nginx/gohost/tls/placeholder.key;
        location / { proxy_pass http://127.0.0.1:18080; }
    }
}
NAIVE

LISTEN_ADDR=127.0.0.1:18080 PPROF_ADDR=off "$APP" >"$R/app.log" 2>&1 &
for _ in $(seq 1 50); do curl -fsS -o /dev/null http://127.0.0.1:18080/healthz && break; sleep 0.1; done
nginx -c /etc/nginx/gohost/nginx.conf
nginx -c /etc/nginx/naive.conf
sleep 0.5

bench() {
  local name=$1 url=$2
  curl -fsSk -o /dev/null "$url"
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$url" > "$R/$name.wrk" 2>&1
}
bench direct-http "http://127.0.0.1:18080/api/bench"
bench naive-http "http://$DOMAIN:8081/api/bench"
bench generated-http "http://$DOMAIN:8082/api/bench"
bench naive-https "https://$DOMAIN:8444/api/bench"
bench generated-https "https://$DOMAIN/api/bench"
nginx -c /etc/nginx/naive.conf -s stop
nginx -c /etc/nginx/gohost/nginx.conf -s stop
echo done > "$R/finished"
