#!/usr/bin/env bash
# Let's Encrypt with two front doors, for real on loopback (see acme-fleet.test.ts): Pebble (the
# ACME test server) validates through a load-balancer stand-in speaking proxy protocol v2; each
# front door has its own /etc, /run, /var/www and scripts (a mount namespace) and the generated
# nginx configuration; Secrets Manager and the metadata service are stand-ins.
# Usage (inside unshare --net --mount --pid --fork): acme-fleet.sh WORK-DIR DOMAIN
set -euo pipefail
W=$1 DOMAIN=$2
R=$W/results
mkdir -p "$R"
ip link set lo up
ip addr add 169.254.169.254/32 dev lo
mkdir -p "$W/ov0/up" "$W/ov0/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/ov0/up,workdir=$W/ov0/work" /etc
# The domain resolves to the load balancer (for Pebble too); Secrets Manager to its stand-in.
echo "127.0.0.5 $DOMAIN" >> /etc/hosts
echo "127.0.0.1 secretsmanager.eu-west-1.amazonaws.com" >> /etc/hosts
cat "$W/ca.crt" >> /etc/ssl/certs/ca-certificates.crt
python3 "$W/fake-aws.py" "$W/secrets.json" "$W/sm.crt" "$W/sm.key" "$R/secretsmanager.log" 127.0.0.1 > "$R/fake-aws.out" 2>&1 &
# No random validation delays, no nonce rejections, no reused authorizations: every order is validated.
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 pebble -config "$W/pebble.json" > "$R/pebble.log" 2>&1 &
: > "$W/targets"
python3 "$W/pp-lb-standin.py" 127.0.0.5 "$W/targets" "$R/flows.log" > "$R/lb.out" 2>&1 &
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null https://127.0.0.1:14000/dir && curl -fsS -o /dev/null -X PUT http://169.254.169.254/latest/api/token && (: < /dev/tcp/127.0.0.5/80) 2>/dev/null && break
  sleep 0.1
done

declare -A pids
# boot NAME ADDRESS: a front door in its own mount namespace, on ADDRESS, booted as its user data does.
boot() {
  local name=$1 ip=$2 d=$W/$1
  mkdir -p "$d/up" "$d/work" "$d/bin"
  # systemd's part, for the scripts: nginx.service is active while nginx runs; reload = precheck + reload.
  cat > "$d/bin/systemctl" <<'SH'
#!/usr/bin/env bash
case "$1" in
  is-active) [[ -s /run/nginx.pid ]] ;;
  reload) /usr/local/lib/gohost/nginx-precheck && nginx -c /etc/nginx/gohost/nginx.conf -s reload && sleep 0.5 ;;
  *) exit 1 ;;
esac
SH
  chmod +x "$d/bin/systemctl"
  unshare --mount --propagation private bash -c "
    set -euo pipefail
    export PATH=$d/bin:\$PATH
    mount -t overlay overlay -o lowerdir=/etc,upperdir=$d/up,workdir=$d/work /etc
    mkdir -p /var/lib/letsencrypt /var/log/letsencrypt /var/www /var/lib/gohost
    for m in /run /var/log/nginx /var/www /var/lib/letsencrypt /var/log/letsencrypt /var/lib/gohost /usr/local/lib /var/lib/prometheus; do mount -t tmpfs tmpfs \$m; done
    cp -r $W/files/etc/nginx/gohost /etc/nginx/gohost
    cp -r $W/files/usr/local/lib/gohost /usr/local/lib/gohost
    sed -i -e 's/listen 80 /listen $ip:80 /' -e 's/listen 443 /listen $ip:443 /' -e 's/listen 8089;/listen $ip:8089;/' \
      -e 's/listen 127.0.0.1:8088;/listen $ip:8088;/' -e '/listen \\[::\\]/d' \
      -e 's|set_real_ip_from \\\${data[^}]*};|set_real_ip_from 127.0.0.0/8;|' /etc/nginx/gohost/nginx.conf
    install -d -m 0750 /etc/nginx/gohost/tls
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=$DOMAIN \
      -addext subjectAltName=DNS:$DOMAIN -keyout /etc/nginx/gohost/tls/placeholder.key -out /etc/nginx/gohost/tls/placeholder.crt 2>/dev/null
    ln -sfn placeholder.crt /etc/nginx/gohost/tls/live.crt
    ln -sfn placeholder.key /etc/nginx/gohost/tls/live.key
    install -d /var/www/acme
    # Let's Encrypt's place is Pebble's here.
    mkdir -p /etc/letsencrypt
    echo 'server = https://127.0.0.1:14000/dir' > /etc/letsencrypt/cli.ini
    /usr/local/lib/gohost/restore-certificate > $R/$name.restore 2>&1 || true
    nginx -c /etc/nginx/gohost/nginx.conf
    /usr/local/lib/gohost/nginx-reload-certificate > /dev/null
    /usr/local/lib/gohost/acme-account --restore-only > $R/$name.account-at-boot 2>&1
    touch $d/ready
    exec sleep infinity
  " > "$R/$name.boot" 2>&1 &
  pids[$name]=$!
  for _ in $(seq 1 300); do [[ -e $d/ready ]] && return; kill -0 "${pids[$name]}" || break; sleep 0.1; done
  echo "front door $name did not boot: $(cat "$R/$name.boot")" >&2
  exit 1
}
# in_door NAME COMMAND...: runs it in that front door's mount namespace, bounded.
in_door() {
  local name=$1
  shift
  timeout 300 nsenter -t "${pids[$name]}" -m -- env PATH="$W/$name/bin:$PATH" "$@"
}
served_through_lb() {
  echo | openssl s_client -connect 127.0.0.5:443 -servername "$DOMAIN" 2>/dev/null | openssl x509 -noout -fingerprint -sha256
}
issued() { grep -c 'Issued certificate serial' "$R/pebble.log" || true; }

# --- First issuance: a orders while only b is in service.
boot a 127.0.0.11
boot b 127.0.0.12
# Both at once, as two front doors booted together: each may register, one account is kept.
in_door a /usr/local/lib/gohost/acme-account > "$R/a.account" 2>&1 &
apid=$!
in_door b /usr/local/lib/gohost/acme-account > "$R/b.account" 2>&1
wait "$apid"
in_door a cat /etc/nginx/gohost/acme-challenge.conf > "$R/a.challenge"
in_door b cat /etc/nginx/gohost/acme-challenge.conf > "$R/b.challenge"
echo 127.0.0.12 > "$W/targets"
set +e
in_door a /usr/local/lib/gohost/obtain-certificate > "$R/a.obtain" 2>&1
echo $? > "$R/a.obtain.exit"
set -e
issued > "$R/issued-after-a"
in_door a openssl x509 -noout -fingerprint -sha256 -in /etc/nginx/gohost/tls/live.crt > "$R/a.fingerprint"
# b's daily run: it restores a's certificate and does not order.
in_door b /usr/local/lib/gohost/obtain-certificate > "$R/b.obtain" 2>&1
issued > "$R/issued-after-b"
served_through_lb > "$R/b.served"
in_door b cat /var/log/nginx/access.json > "$R/b.access.json"
cp "$R/flows.log" "$R/flows-first.log"

# --- Renewal: both replaced (c, d), the stored certificate due, both in service, both run at once.
for n in a b; do in_door "$n" nginx -c /etc/nginx/gohost/nginx.conf -s quit; kill "${pids[$n]}"; done
curl -fsS -o /dev/null -H 'Authorization: AWS4-HMAC-SHA256 Credential=test' -H 'Content-Type: application/x-amz-json-1.1' \
  -H 'X-Amz-Target: secretsmanager.PutSecretValue' --data-binary "@$W/aging-put.json" https://secretsmanager.eu-west-1.amazonaws.com/
boot c 127.0.0.13
boot d 127.0.0.14
in_door c readlink /etc/nginx/gohost/tls/live.crt > "$R/c.live-at-boot"
printf '127.0.0.13\n127.0.0.14\n' > "$W/targets"
: > "$R/flows.log"
set +e
in_door c /usr/local/lib/gohost/obtain-certificate > "$R/c.obtain" 2>&1 &
cpid=$!
in_door d /usr/local/lib/gohost/obtain-certificate > "$R/d.obtain" 2>&1 &
dpid=$!
wait "$cpid"; echo $? > "$R/c.obtain.exit"
wait "$dpid"; echo $? > "$R/d.obtain.exit"
set -e
issued > "$R/issued-after-renewal"
echo 127.0.0.13 > "$W/targets"
served_through_lb > "$R/c.served"
echo 127.0.0.14 > "$W/targets"
served_through_lb > "$R/d.served"
cp "$R/flows.log" "$R/flows-renewal.log"
echo finished > "$R/finished"
