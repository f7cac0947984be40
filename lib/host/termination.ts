/**
 * Leaving an Auto Scaling group gracefully: a termination lifecycle hook holds the instance in
 * Terminating:Wait while a root watcher (it polls the instance metadata's target lifecycle state)
 * lets the load balancer drain, stops the service (SIGTERM, its TimeoutStopSec to finish), and
 * only then completes the hook. Pure: no cdktf imports.
 */
import { awsRoleShellFunctions } from './aws-shell';
import { queryCall, retried } from './first-boot-signals';
import type { HostProvisioning } from './provisioning';
import { renderBashScript, shq } from '../render/shell';
import { renderSystemdUnit } from '../render/systemd';

export const TERMINATION_WATCH = {
  hookName: 'gohost-terminating',
  script: '/usr/local/lib/gohost/termination-watch',
  unit: 'gohost-termination-watch.service',
  /** Seconds between two reads of the target lifecycle state. */
  pollSec: 5,
} as const;

export interface TerminationWatchSettings {
  /** Units stopped (in this order) before the hook completes. */
  readonly units: readonly string[];
  /** Seconds to wait first, while the load balancer drains the instance's connections. */
  readonly drainSec: number;
}

export function terminationWatchScript(s: TerminationWatchSettings): string {
  const t = TERMINATION_WATCH;
  return renderBashScript({
    description: [
      'Leaves the Auto Scaling group gracefully (cdktf-gohost): when the group marks this instance for termination',
      `(target lifecycle state "Terminated", held by the hook ${t.hookName}), drain, stop ${s.units.join(', ')}, then complete the hook.`,
    ],
    body: [
      'log() { echo "$*"; logger -t cdktf-gohost -- "$*" 2>/dev/null || true; }',
      'while :; do',
      '  # A fresh IMDSv2 token per read: the watch outlives any token.',
      `  state=$(t=$(curl -fsS --max-time 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token) && curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $t" http://169.254.169.254/latest/meta-data/autoscaling/target-lifecycle-state) || state=`,
      '  [[ $state == Terminated ]] && break',
      `  sleep ${t.pollSec}`,
      'done',
      `log ${shq(`leaving the Auto Scaling group: draining for ${s.drainSec} s, then stopping ${s.units.join(' ')}`)}`,
      ...(s.drainSec > 0 ? [`sleep ${s.drainSec}`] : []),
      `systemctl stop ${s.units.map(shq).join(' ')}`,
      `log ${shq(`stopped ${s.units.join(' ')}`)}`,
      ...awsRoleShellFunctions(),
      'instance_id=$(imds meta-data/instance-id)',
      'group=',
      ...retried(`group=$(${queryCall('autoscaling', '2011-01-01', 'DescribeAutoScalingInstances', ['"InstanceIds.member.1=$instance_id"'])} | sed -n 's:.*<AutoScalingGroupName>\\([^<]*\\)</AutoScalingGroupName>.*:\\1:p') && [[ -n "$group" ]]`,
        'find the Auto Scaling group of this instance'),
      ...retried(`${queryCall('autoscaling', '2011-01-01', 'CompleteLifecycleAction', ['"AutoScalingGroupName=$group"', `LifecycleHookName=${t.hookName}`, '"InstanceId=$instance_id"', 'LifecycleActionResult=CONTINUE'])} >/dev/null`,
        'complete the termination lifecycle hook'),
      'log "left: $group may terminate this instance"',
    ],
  });
}

/** The watcher on a group's host: its script and a unit that runs from boot (root, with the instance role). */
export function provisionTerminationWatch(h: HostProvisioning, s: TerminationWatchSettings): void {
  const t = TERMINATION_WATCH;
  h.addFile({ path: t.script, permissions: '0755', content: terminationWatchScript(s) });
  h.addFile({
    path: `/etc/systemd/system/${t.unit}`,
    permissions: '0644',
    content: renderSystemdUnit({
      unit: { Description: 'Leave the Auto Scaling group gracefully (termination lifecycle hook)', Wants: ['network-online.target'], After: ['network-online.target'] },
      service: { Type: 'simple', ExecStart: [t.script], Restart: 'on-failure', RestartSec: 5 },
      install: { WantedBy: ['multi-user.target'] },
    }),
  });
  h.allowInstanceMetadata(t.unit, 'completes the termination lifecycle hook with the instance role');
  h.addStep('services', { name: 'watch for the group\'s termination', lines: ['systemctl daemon-reload', `systemctl enable --now ${t.unit}`] });
}
