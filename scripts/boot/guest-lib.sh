#!/bin/bash
# Harness only, sourced by the guest's checks: one "GOHOST-CHECK <boot> <name> PASS|FAIL <detail>"
# line per check on the serial console (the caller sets $boot), and reaching the instance
# metadata service from inside a running unit, as a compromised process of that unit could.
say() { echo "$*" > /dev/ttyS0; }
failures=0
: "${boot:?the caller sets boot}"
pass() { say "GOHOST-CHECK $boot $1 PASS"; }
fail() { failures=$((failures + 1)); say "GOHOST-CHECK $boot $1 FAIL $2"; }
check() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"; fi
}
eq() { [[ "$1" == "$2" ]] || { echo "got '$1', expected '$2'"; return 1; }; }
# journal_in_order TEXT...: the first-boot script logged each TEXT, each after the one before.
journal_in_order() {
  local last=0 n text lines
  lines=$(journalctl -q -t cdktf-gohost -o cat)
  for text in "$@"; do
    n=$(grep -n -m1 -F -- "$text" <<<"$lines" | cut -d: -f1)
    [[ -n "$n" && "$n" -gt "$last" ]] || { echo "'$text' is missing or logged before the step it follows"; return 1; }
    last=$n
  done
}

# Prints an IMDSv2 token requested from inside UNIT's cgroup as USER (default: the unit's User=,
# else root). Argument: UNIT or UNIT:USER. Exit 2: the unit is not running.
imds_token_from() {
  local unit=${1%%:*} cgroup user
  cgroup=$(systemctl show -p ControlGroup --value "$unit")
  [[ -n "$cgroup" ]] || { echo "$unit is not running"; return 2; }
  user=$(systemctl show -p User --value "$unit"); user=${user:-root}
  [[ "$1" == *:* ]] && user=${1#*:}
  bash -c 'echo $$ > "/sys/fs/cgroup$1/cgroup.procs" && exec setpriv --reuid="$2" --regid="$(id -g "$2")" --init-groups curl -fsS --max-time 3 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token' _ "$cgroup" "$user"
}
imds_denied() {
  local unit out rc
  for unit in "$@"; do
    out=$(imds_token_from "$unit" 2>&1); rc=$?
    (( rc == 2 )) && { echo "$out"; return 1; }
    (( rc == 0 )) && { echo "$unit got a token: $out"; return 1; }
  done
  return 0
}
imds_allowed() {
  local unit out
  for unit in "$@"; do out=$(imds_token_from "$unit" 2>&1) || { echo "$unit got no token: $out"; return 1; }; done
}
