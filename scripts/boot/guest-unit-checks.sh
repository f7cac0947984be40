#!/bin/bash
# Runs inside the verify:units guest (harness only) from cloud-init's runcmd: starts the library's
# units and checks, from inside each, what a compromised process of it could reach.
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
check fence-step-fails-on-an-unfenced-unit bash -c "sed -i 's/^fenced_units=(.*)$/fenced_units=(aws-caller.service)/' /usr/local/sbin/gohost-fence-step && ! /usr/local/sbin/gohost-fence-step"
say "GOHOST-DONE"
systemctl poweroff
