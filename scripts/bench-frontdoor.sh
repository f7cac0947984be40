#!/usr/bin/env bash
# Benchmark body, run by bench-frontdoor.ts inside private network/mount/PID namespaces.
# Usage: bench-frontdoor.sh WORKDIR DOMAIN APP DURATION CONNECTIONS ROUNDS
set -euo pipefail
W=$1 DOMAIN=$2 APP=$3 DURATION=$4 CONNS=$5 ROUNDS=$6
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

# What an nginx expert writes for the same proxy: upstream keep-alive, TLS session cache, HTTP/2,
# buffered access log, the usual forwarding headers (none of the front door's headers or limits).
cat > /etc/nginx/expert.conf <<EXPERT
worker_processes auto;
worker_rlimit_nofile 65536;
pid /run/nginx-expert.pid;
events { worker_connections 16384; }
http {
    include /etc/nginx/mime.types;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000;
    access_log /var/log/nginx/expert.log combined buffer=64k flush=1s;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:EXPERT:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;
    upstream backend {
        server 127.0.0.1:18080;
        keepalive 32;
    }
    server {
        listen 8083 reuseport;
        listen 8445 ssl http2 reuseport;
        ssl_certificate /etc/nginx/gohost/tls/placeholder.crt;
        ssl_certificate_key /etc/nginx/gohost/tls/placeholder.key;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
}
EXPERT

LISTEN_ADDR=127.0.0.1:18080 PPROF_ADDR=off "$APP" >"$R/app.log" 2>&1 &
for _ in $(seq 1 50); do curl -fsS -o /dev/null http://127.0.0.1:18080/healthz && break; sleep 0.1; done
nginx -c /etc/nginx/gohost/nginx.conf
nginx -c /etc/nginx/naive.conf
nginx -c /etc/nginx/expert.conf
sleep 0.5

# nginx CPU time (clock ticks) of one configuration's workers: the cost of a request, apart from wrk's and the app's.
ticks() { local t=0 p; for p in $(pgrep -P "$(cat "$1")"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
bench() {
  local name=$1 url=$2 pidfile=$3 round=$4 t0
  curl -fsSk -o /dev/null "$url"
  t0=$([ -n "$pidfile" ] && ticks "$pidfile" || echo 0)
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$url" > "$R/$name.$round.wrk" 2>&1
  echo $(( $([ -n "$pidfile" ] && ticks "$pidfile" || echo 0) - t0 )) > "$R/$name.$round.ticks"
}
# Rounds interleave the configurations, so a busy moment of the machine touches each of them
# alike; expert and generated swap places every round, so neither always follows the naive run
# (whose closed backend connections linger in TIME_WAIT).
pair() { # proto round
  local e="bench expert-$1" g="bench generated-$1" eu gu
  if [[ $1 == http ]]; then eu="http://$DOMAIN:8083/api/bench" gu="http://$DOMAIN:8082/api/bench"; else eu="https://$DOMAIN:8445/api/bench" gu="https://$DOMAIN/api/bench"; fi
  if (( $2 % 2 )); then $e "$eu" /run/nginx-expert.pid "$2"; $g "$gu" /run/nginx.pid "$2"
  else $g "$gu" /run/nginx.pid "$2"; $e "$eu" /run/nginx-expert.pid "$2"; fi
}
for round in $(seq 1 "$ROUNDS"); do
  bench direct-http "http://127.0.0.1:18080/api/bench" "" "$round"
  bench naive-http "http://$DOMAIN:8081/api/bench" /run/nginx-naive.pid "$round"
  pair http "$round"
  bench naive-https "https://$DOMAIN:8444/api/bench" /run/nginx-naive.pid "$round"
  pair https "$round"
done
getconf CLK_TCK > "$R/clk_tck"
nginx -c /etc/nginx/naive.conf -s stop
nginx -c /etc/nginx/expert.conf -s stop
nginx -c /etc/nginx/gohost/nginx.conf -s stop
echo finished > "$R/finished"
