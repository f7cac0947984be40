# shellcheck shell=bash
# Sourced by the front-door loopback scripts (inside their private namespaces): a private /etc,
# /run, /var/log/nginx and /var/www, the names given resolving to loopback, and the generated
# nginx configuration from $W/files on a placeholder certificate made here.
# Usage: front_door_root <work dir> <overlay name> <domain> [more names…]
front_door_root() {
  local w=$1 ov=$2 domain=$3
  shift 3
  mkdir -p "$w/$ov/up" "$w/$ov/work" /var/www
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$w/$ov/up,workdir=$w/$ov/work" /etc
  mount -t tmpfs tmpfs /run
  mount -t tmpfs tmpfs /var/log/nginx
  mount -t tmpfs tmpfs /var/www
  echo "127.0.0.1 $domain $*" >> /etc/hosts
  cp -r "$w/files/etc/nginx/gohost" /etc/nginx/gohost
  install -d -m 0750 /etc/nginx/gohost/tls
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=$domain" \
    -addext "subjectAltName=DNS:$domain" -keyout /etc/nginx/gohost/tls/placeholder.key -out /etc/nginx/gohost/tls/placeholder.crt 2>/dev/null
  ln -sfn placeholder.crt /etc/nginx/gohost/tls/live.crt
  ln -sfn placeholder.key /etc/nginx/gohost/tls/live.key
  install -d /var/www/acme
}
