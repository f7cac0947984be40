#!/bin/bash
# Runs inside the verify:units guest (harness only) from cloud-init's runcmd: starts the library's
# units and checks, from inside each, what a compromised process of it could reach, and what a
# worker's unit does with READY and the watchdog.
set -u
boot=1
# shellcheck source=scripts/boot/guest-lib.sh
. /usr/local/lib/gohost-harness/lib.sh
say "GOHOST-HEALTHY 1"
systemctl daemon-reload
systemctl start fenced-api.service aws-caller.service stand-in-package.service
check units-active systemctl is-active --quiet fenced-api.service aws-caller.service stand-in-package.service
check go-service-behind-fence imds_denied fenced-api.service
check go-service-opted-in-gets-a-token imds_allowed aws-caller.service
check package-unit-drop-in-fences-every-user imds_denied stand-in-package.service stand-in-package.service:nobody
check root-keeps-access curl -fsS --max-time 3 -o /dev/null -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token
check first-boot-fence-step-passes /usr/local/sbin/gohost-fence-step
check fence-probe-fails-without-deny bash -c '! systemctl start gohost-probe-without-deny.service'

# A worker (worker: true) running examples/app's worker mode: Type=notify, READY, the watchdog.
worker=jobs-worker
install -d -m 0755 /opt/$worker/current
curl -fsS -o /opt/$worker/current/$worker http://169.254.169.254/harness/gohost-app && chmod 0755 /opt/$worker/current/$worker
# First boot's order: start without blocking, then its wait for READY.
systemctl start --no-block $worker.service
check worker-first-boot-waits-for-ready /usr/local/sbin/gohost-ready-step-$worker
worker_state() { eq "$(systemctl show -p Type --value $worker.service) $(systemctl show -p ActiveState --value $worker.service)" 'notify active'; }
check worker-is-notify-and-active worker_state
check worker-metrics-on-their-port bash -c "curl -fsS --max-time 5 http://127.0.0.1:9466/metrics | grep -E '^worker_jobs_processed_total [1-9]'"
worker_pid=$(systemctl show -p MainPID --value $worker.service)
# SIGUSR1 hangs the job loop: its watchdog pings stop, systemd aborts it and Restart=on-failure starts it again.
systemctl kill -s SIGUSR1 --kill-whom=main $worker.service
restarted() {
  local pid
  for _ in $(seq 1 60); do
    pid=$(systemctl show -p MainPID --value $worker.service)
    if [[ "$pid" != 0 && "$pid" != "$worker_pid" ]] && systemctl is-active --quiet $worker.service; then
      journalctl -q -u $worker.service | grep -q 'Watchdog timeout' && return 0
    fi
    sleep 2
  done
  echo "no watchdog restart (main PID $pid, was $worker_pid): $(journalctl -q -u $worker.service -n 5 -o cat | tr '\n' ' ')"
  return 1
}
check worker-watchdog-restarts-a-hung-worker restarted
check worker-stops-cleanly bash -c "systemctl stop $worker.service && journalctl -q -u $worker.service -o cat | grep -q 'SIGTERM: stopped cleanly after'"
# A worker that never says READY=1: its start fails after healthTimeoutSec (TimeoutStartSec) and so does first boot's wait.
check worker-without-ready-fails-to-start bash -c '! systemctl start silent-worker.service'
check worker-without-ready-fails-first-boot bash -c '! /usr/local/sbin/gohost-ready-step-silent-worker'
check fence-step-fails-on-an-unfenced-unit bash -c "sed -i 's/^fenced_units=(.*)$/fenced_units=(aws-caller.service)/' /usr/local/sbin/gohost-fence-step && ! /usr/local/sbin/gohost-fence-step"
say "GOHOST-DONE"
systemctl poweroff
