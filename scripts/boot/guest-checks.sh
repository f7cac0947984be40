#!/bin/bash
# Runs inside the booted guest (harness only) after cloud-final, on every boot, and prints one
# "GOHOST-CHECK <boot> <name> PASS|FAIL <detail>" line per check on the serial console.
# The expectations come from /etc/gohost-harness/expect.sh, written by the harness.
set -u
# shellcheck source=/dev/null
. /etc/gohost-harness/expect.sh
state=/var/lib/gohost-harness
mkdir -p "$state"
boot=$(( $(cat "$state/boots" 2>/dev/null || echo 0) + 1 ))
echo "$boot" > "$state/boots"
# shellcheck source=scripts/boot/guest-lib.sh
. /usr/local/lib/gohost-harness/lib.sh
# After a failed check: the guest's cloud-init logs, for the harness's report.
send_logs_if_failed() {
  (( failures )) || return 0
  for f in /var/log/cloud-init.log:120 /var/log/cloud-init-output.log:60; do
    echo "--- ${f%:*} (last ${f#*:} lines)"; tail -n "${f#*:}" "${f%:*}"
  done | sed 's/^/GOHOST-LOG /' > /dev/ttyS0
}
sshd_has() { local l; for l in "$@"; do grep -qx "$l" "$state/sshd-effective" || { echo "sshd -T lacks: $l"; return 1; }; done; }
modules_refused() { local m; for m in "$@"; do modprobe -n -v "$m" 2>&1 | grep -q 'install /bin/false' || { echo "$m can be loaded"; return 1; }; done; }
audit_ready() {
  systemctl is-active --quiet auditd.service || { echo "auditd is not active"; return 1; }
  local status rules; status=$(auditctl -s 2>&1); rules=$(auditctl -l 2>&1)
  grep -qx 'enabled 1' <<<"$status" || { echo "kernel auditing is off: $status"; return 1; }
  { grep -qx -- '-w /etc/shadow -p wa -k identity' <<<"$rules" && grep -q -- '-F key=modules' <<<"$rules"; } || { echo "rules: $rules"; return 1; }
}
# The monitoring host's state on its data volume: Prometheus's and Grafana's directories on the volume's file system, Loki on its own.
data_volume_in_use() {
  local dev; dev=$(stat -c %d /srv/gohost-data)
  if ! { mountpoint -q /srv/gohost-data && [[ $(stat -c %d /var/lib/prometheus) == "$dev" && $(stat -c %d /var/lib/grafana) == "$dev" && $(stat -c %d /) != "$dev" ]]; }; then findmnt; return 1; fi
}
loki_file_system() {
  if ! { [[ "$(findmnt -n -o FSTYPE /var/lib/loki)" == ext4 && $(stat -c %s /srv/gohost-data/loki.img) -eq $((LOKI_SIZE_MIB * 1048576)) && $(stat -c %d /var/lib/loki) != $(stat -c %d /srv/gohost-data) ]] && losetup -j /srv/gohost-data/loki.img | grep -q loop; }; then
    findmnt /var/lib/loki; ls -l /srv/gohost-data; return 1
  fi
}
monitoring_data_in_place() { data_volume_in_use && loki_file_system; }
grafana_password() {
  local pw=/srv/gohost-data/secrets/grafana-admin-password
  [[ "$(stat -c '%a %U' $pw)" == '600 root' && $(wc -c < $pw) -ge 32 && "$(cat $pw)" != admin ]] || { stat -c '%a %U %s' $pw; return 1; }
  ! setpriv --reuid=nobody --regid=nogroup --clear-groups cat $pw >/dev/null 2>&1 || { echo "nobody reads it"; return 1; }
  # What systemd hands the running unit: the password as its credential, and Grafana's variable pointing at it.
  local cred=/run/credentials/grafana-server.service/admin-password
  cmp -s "$cred" $pw || { echo "the running unit's credential differs: $(ls -l "$cred" 2>&1)"; return 1; }
  systemctl show -p Environment --value grafana-server.service | tr ' ' '\n' | grep -qx "GF_SECURITY_ADMIN_PASSWORD__FILE=$cred" || { systemctl show -p Environment grafana-server.service; return 1; }
}
main_pid() { systemctl show -p MainPID --value "$SERVICE.service"; }
# A Go host answers on its own port; the monitoring host through Prometheus; a front-door-only host through nginx.
healthy() {
  if [[ -n "$SERVICE" ]]; then curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT$HEALTH_PATH"
  elif [[ -n "$MONITORING" ]]; then curl -fsS --max-time 2 -o /dev/null http://127.0.0.1:9090/-/ready
  else curl -fsSk --max-time 2 -o /dev/null --resolve "$DOMAIN:443:127.0.0.1" "https://$DOMAIN$HEALTH_PATH"; fi
}

# cloud-init writes result.json when its last stage ends (what `cloud-init status --wait` polls for, without a Python start).
for _ in $(seq 1 600); do [[ -e /run/cloud-init/result.json ]] && break; sleep 1; done
for _ in $(seq 1 60); do healthy && break; sleep 1; done
healthy && say "GOHOST-HEALTHY $boot"

if [[ $boot -eq 1 ]]; then
  # Where the first boot's time went, for the harness's report (on the second vCPU while the checks run).
  cloud-init analyze blame > "$state/blame" 2>/dev/null &
  blame_pid=$!
  # One `cloud-init status` (a Python start is seconds under TCG) for both checks.
  status=$(cloud-init status --long --format json 2>&1)
  check cloud-init-done python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(d.get("status")); sys.exit(0 if d.get("status") == "done" else 1)' "$status"
  # cloud-init 22.4 reports errors in its status; warnings (recoverable_errors from 23.4 on) only in its log.
  check cloud-init-no-errors-or-warnings python3 -c 'import json, re, sys; d = json.loads(sys.argv[1]); e = d.get("errors") or []; r = d.get("recoverable_errors") or {}; w = [l.strip() for l in open("/var/log/cloud-init.log") if re.search(r"\[(WARNING|ERROR|CRITICAL)\]", l)]; print(e, r, w[:5]); sys.exit(1 if e or r or w else 0)' "$status"
  if [[ -n "$SERVICE" ]]; then
  check service-user-nologin bash -c "getent passwd $SERVICE | grep -q ':/usr/sbin/nologin\$'"
  check unit-active systemctl is-active --quiet "$SERVICE.service"
  check runs-as-service-user eq "$(ps -o uid= -p "$(main_pid)" | tr -d ' ')" "$(id -u "$SERVICE")"
  check memory-max eq "$(systemctl show -p MemoryMax --value "$SERVICE.service")" "$MEMORY_MAX_BYTES"
  check cpu-quota eq "$(systemctl show -p CPUQuotaPerSecUSec --value "$SERVICE.service")" "$CPU_QUOTA_USEC"
  check limit-nofile eq "$(systemctl show -p LimitNOFILE --value "$SERVICE.service")" "$LIMIT_NOFILE"
  live=$(systemd-analyze security "$SERVICE.service" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
  # The live figure may be lower than the offline one (the running unit's cgroup and user are known); both must be ≤ 2.0 and within 0.5.
  check security-matches-offline python3 -c "import sys; live, off = float('${live:-99}'), float('$EXPOSURE'); print(f'live {live}, offline {off}'); sys.exit(0 if live <= 2.0 and off <= 2.0 and abs(live - off) <= 0.5 else 1)"
  fi
  # Read from /proc/sys with builtins: a fork per key costs ~20 ms under TCG.
  while read -r key value; do
    got=; read -r got < "/proc/sys/${key//.//}" || true
    got=${got//$'\t'/ }
    if [[ "$got" == "$value" ]]; then pass "sysctl:$key"; else fail "sysctl:$key" "got '$got', expected '$value'"; fi
  done < /etc/gohost-harness/sysctl.expect
  ufw_status=$(ufw status verbose 2>&1)
  check ufw-active grep -q "^Status: active" <<<"$ufw_status"
  check ufw-default-policy grep -q "^Default: deny (incoming), allow (outgoing)" <<<"$ufw_status"
  # "protocol source port" of every rule ufw holds (its tuple lines), against those of the port model.
  check ufw-rules eq "$(awk '/^### tuple ### allow/ { print $5, $9, $6 }' /etc/ufw/user.rules /etc/ufw/user6.rules | sort | tr '\n' ';')" "$(sort /etc/gohost-harness/ufw.expect | tr '\n' ';')"
  check chrony-running systemctl is-active --quiet chrony.service
  # The host audit baseline (readiness rows H1–H7), read back from the running system.
  sshd -T > "$state/sshd-effective" 2>&1 || true
  check sshd-audit-baseline sshd_has 'maxauthtries 3' 'maxsessions 2' 'clientalivecountmax 2' 'allowtcpforwarding no' 'permittunnel no' 'tcpkeepalive no' 'loglevel VERBOSE'
  check legal-banner bash -c "grep -qx 'banner /etc/issue.net' '$state/sshd-effective' && grep -q '^Authorized access only' /etc/issue.net /etc/issue"
  check modules-refused modules_refused dccp sctp rds tipc usb-storage firewire-core
  check no-core-dumps-in-sessions eq "$(su -s /bin/sh -c 'ulimit -Hc' nobody 2>&1)" 0
  check login-defs grep -qP '^UMASK\t+027$' /etc/login.defs
  check auditd-rules audit_ready
  check needrestart-batch needrestart -b
  check needrestart-automatic grep -qxF "\$nrconf{restart} = 'a';" /etc/needrestart/conf.d/60-gohost.conf
  # X4: no unit that does not call AWS can take the instance role; root's steps and opted-in units can.
  # shellcheck disable=SC2086
  check imds-denied-to-units imds_denied $IMDS_DENIED
  # shellcheck disable=SC2086
  [[ -n "$IMDS_ALLOWED" ]] && check imds-allowed-to-opted-in imds_allowed $IMDS_ALLOWED
  check imds-root-keeps-access curl -fsS --max-time 3 -o /dev/null -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token
  check imds-fence-checked-at-boot bash -c "journalctl -q -t cdktf-gohost | grep -q 'instance metadata fenced off the units that do not call AWS'" 
  if [[ -n "${STORED_CERT_SHA256:-}" ]]; then
    # A replaced front door: the certificate its predecessor kept is served at once, and certbot is not asked.
    served=$(echo | openssl s_client -connect 127.0.0.1:443 -servername "$DOMAIN" 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2)
    check nginx-serves-restored-certificate eq "$served" "$STORED_CERT_SHA256"
    for _ in $(seq 1 60); do systemctl is-active --quiet gohost-certificate.service || break; sleep 1; done
    check certbot-not-called bash -c "journalctl -q -u gohost-certificate.service | grep -q 'nothing to do' && [[ ! -e /etc/letsencrypt/live/gohost ]] && ! journalctl -q -u gohost-certificate.service | grep -q 'Requesting a certificate'"
  elif [[ -n "${POISONED_CERT_SHA256:-}" ]]; then
    # A broken stored certificate (a corrupt second block): refused, the placeholder stays live, first boot went on.
    served=$(echo | openssl s_client -connect 127.0.0.1:443 -servername "$DOMAIN" 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2)
    placeholder=$(openssl x509 -noout -fingerprint -sha256 -in /etc/nginx/gohost/tls/placeholder.crt | cut -d= -f2)
    check nginx-serves-placeholder-after-refused-restore eq "$served" "$placeholder"
    check restore-refused-the-poisoned-certificate bash -c "journalctl -q -t cdktf-gohost -o cat | grep -q 'could not restore the stored certificate' && grep -q 'refused the stored certificate: block block2 of the chain does not parse' /var/log/cloud-init-output.log"
  elif [[ -n "${DOMAIN:-}" ]]; then
    check nginx-https-placeholder bash -c "echo | openssl s_client -connect 127.0.0.1:443 -servername $DOMAIN 2>/dev/null | openssl x509 -noout -subject | grep -q 'CN = $DOMAIN'"
  fi
  if [[ -n "${DOMAIN:-}" ]]; then
    check nginx-proxies-health eq "$(curl -sk -o /dev/null -w '%{http_code}' --resolve "$DOMAIN:443:127.0.0.1" "https://$DOMAIN$HEALTH_PATH")" 200
    check http-redirects eq "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --resolve "$DOMAIN:80:127.0.0.1" "http://$DOMAIN/x")" "301 https://$DOMAIN/x"
  fi
  if [[ -n "${CLAIMS_ADDRESS:-}" ]]; then
    # The bootstrap's own log: nginx answered, the metadata fence held, then the address moved, then the group heard.
    check address-claimed-after-health journal_in_order 'the front door answers over HTTPS' 'instance metadata fenced off' 'claimed the Elastic IP' ${LAUNCH_HOOK:+'ready: '}
  fi
  if [[ -n "${LOG_TOKEN:-}" ]]; then
    # The host's log credential reached Alloy alone (the timer's first run is 10 s after boot).
    for _ in $(seq 1 60); do [[ -s /run/gohost/loki/token ]] && break; sleep 1; done
    check log-credential-for-alloy-only bash -c "[[ \"\$(cat /run/gohost/loki/token)\" == '$LOG_TOKEN' && \"\$(stat -c '%a %U %G' /run/gohost/loki/token)\" == '640 root alloy' ]] && openssl x509 -noout -in /run/gohost/loki/ca.pem"
  fi
  if [[ -n "${SECRET_NAME:-}" ]]; then
    cred=/run/credentials/$SERVICE.service/$SECRET_NAME
    # systemd's copy for the unit: the service's user reads it, nobody else does.
    check secret-delivered-as-credential bash -c "[[ \"\$(setpriv --reuid=$SERVICE --regid=$SERVICE --clear-groups cat $cred)\" == '$SECRET_FIRST' ]] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups cat $cred >/dev/null 2>&1"
    pid=$(main_pid)
    check secret-not-in-environment-or-logs bash -c "tr '\\0' '\\n' < /proc/$pid/environ | grep -qx 'CREDENTIALS_DIRECTORY=/run/credentials/$SERVICE.service' && ! grep -q '$SECRET_FIRST' /proc/$pid/environ && ! journalctl -b -o cat | grep -q 'canary-' && ! grep -rqs 'canary-' /var/log/cloud-init-output.log /var/log/cloud-init.log /var/lib/cloud/instance/user-data.txt"
    # A rotation: the refresh reads the new value and restarts the service, which then has it.
    systemctl start "$SERVICE-secrets-refresh.service"
    for _ in $(seq 1 30); do healthy && [[ "$(main_pid)" != "$pid" ]] && break; sleep 1; done
    check secret-rotation-restarts bash -c "[[ \"\$(setpriv --reuid=$SERVICE --regid=$SERVICE --clear-groups cat $cred)\" == '$SECRET_ROTATED' && '$(main_pid)' != '$pid' ]] && journalctl -q -u $SERVICE-secrets-refresh.service -o cat | grep -q 'a secret changed: restarting $SERVICE'"
  fi
  if [[ -n "${MONITORING:-}" ]]; then
    # The monitoring host's data survives it (issue 25): the volume mounted, state bound into it, Loki bounded by a file system of its own.
    check data-volume-mounted data_volume_in_use
    check loki-own-file-system loki_file_system
    check prometheus-retention-by-size eq "$(curl -fsS http://127.0.0.1:9090/api/v1/status/flags | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["storage.tsdb.retention.size"])')" "$PROMETHEUS_RETENTION_SIZE"
    # Grafana is not in Debian (a stand-in unit here): its generated password and how its unit gets it.
    check grafana-admin-password-generated grafana_password
  fi
  if [[ -n "${NODE_EXPORTER:-}" ]]; then
    check node-exporter bash -c "curl -fsS http://\$(hostname -I | cut -d' ' -f1):$NODE_EXPORTER/metrics | grep -q '^node_exporter_build_info'"
  fi
  wait "$blame_pid" || true
  sed -n 's/^ *\([0-9.]*\)s (\(.*\))$/GOHOST-STAGE \1 \2/p' "$state/blame" > /dev/ttyS0
  send_logs_if_failed
  say "GOHOST-REBOOT"
  systemctl reboot
  exit 0
fi

# shellcheck disable=SC2086
check services-back-after-reboot systemctl is-active --quiet ${SERVICE:+"$SERVICE.service"} chrony.service ${DOMAIN:+nginx.service} ${MONITORING:+prometheus.service prometheus-alertmanager.service loki.service grafana-server.service}
[[ -n "${MONITORING:-}" ]] && check data-volume-after-reboot monitoring_data_in_place
check sysctl-after-reboot eq "$(sysctl -n net.ipv4.tcp_congestion_control)" bbr
check audit-after-reboot audit_ready
check one-time-steps-not-rerun eq "$(journalctl -q -t cdktf-gohost -g 'kernel settings' | wc -l)" 1
if [[ -z "$SERVICE" ]]; then
  send_logs_if_failed
  say "GOHOST-DONE"
  systemctl poweroff
  exit 0
fi
old=$(main_pid)
kill -9 "$old"
start=$(date +%s)
for _ in $(seq 1 $((RESTART_SEC + 5))); do
  sleep 1
  new=$(main_pid)
  if [[ "$new" != 0 && "$new" != "$old" ]] && systemctl is-active --quiet "$SERVICE.service"; then break; fi
done
elapsed=$(( $(date +%s) - start ))
new=$(main_pid)
check restarted-after-sigkill bash -c "[[ $elapsed -le $((RESTART_SEC + 5)) && '$new' != '$old' && '$new' != 0 ]] || { echo 'restart took $elapsed s, pid $old -> $new'; exit 1; }"
send_logs_if_failed
say "GOHOST-DONE"
systemctl poweroff
