/**
 * Leaving the group gracefully, run for real in a private network namespace: the Go service
 * group's termination watcher against a stand-in IMDSv2 (whose target lifecycle state turns
 * "Terminated") and Auto Scaling's Query API. The service is stopped (systemctl, here a stand-in
 * that takes two seconds like a job finishing) before the hook is completed, never the other
 * way round; nothing is called while the instance stays in service.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HardenedGoService } from '../../lib';
import { TERMINATION_WATCH } from '../../lib/host/termination';
import { hostFiles } from '../helpers/host-files';
import { baseProps, newStack, resourcesOf, synthJson } from '../helpers/stacks';
import { inPrivateRoot, standInAwsTls, startFakeAws } from '../helpers/namespaces';
import { requireTool, tempDir } from '../helpers/tools';

let R: string;
let group: any;

beforeAll(() => {
  for (const t of ['openssl', 'curl', 'unshare', 'python3']) requireTool(t);
  const { stack } = newStack();
  new HardenedGoService(stack, 'Api', { ...baseProps, subnetId: undefined, subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], internalLoadBalancer: false } as any);
  const tf = synthJson(stack);
  [group] = resourcesOf(tf, 'aws_autoscaling_group');
  const files = hostFiles(Object.values<any>(tf.data.cloudinit_config)[0].part);
  const W = tempDir('termination');
  const o = (f: string) => path.join(W, f);
  fs.writeFileSync(o('watch'), files.file(TERMINATION_WATCH.script), { mode: 0o755 });
  standInAwsTls(W, ['autoscaling.eu-west-1.amazonaws.com']);
  fs.writeFileSync(o('secrets.json'), '[]');
  fs.writeFileSync(o('state'), 'InService\n');
  fs.mkdirSync(o('bin'));
  fs.writeFileSync(o('bin/systemctl'), `#!/bin/bash\necho "{\\"systemctl\\": \\"$*\\", \\"start\\": $(date +%s.%N)" >> ${W}/results/systemctl.log\nsleep 2\necho ", \\"end\\": $(date +%s.%N)}" >> ${W}/results/systemctl.log\n`, { mode: 0o755 });
  fs.writeFileSync(o('bin/logger'), '#!/bin/bash\nexit 0\n', { mode: 0o755 });
  const script = `set +e
W=${W} R=${W}/results
mkdir -p "$R"
export PATH="$W/bin:$PATH"
${startFakeAws(W, ['autoscaling.eu-west-1.amazonaws.com'], `${W}/secrets.json`, `${W}/results/calls.log`, `GOHOST_LIFECYCLE_STATE=${W}/state`)}
: > "$R/calls.log"
timeout 60 "$W/watch" > "$R/watch.out" 2>&1 &
watch=$!
sleep 7
cp "$R/calls.log" "$R/calls-in-service.log"; [[ -e "$R/systemctl.log" ]] && cp "$R/systemctl.log" "$R/systemctl-in-service.log"
echo Terminated > "$W/state"
wait "$watch"; echo $? > "$R/watch.exit"
kill "$fake_aws"
echo done > "$R/finished"`;
  const r = inPrivateRoot(script);
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`termination run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

const read = (f: string) => fs.readFileSync(path.join(R, f), 'utf8');

describe('the termination watch (private network, stand-in IMDSv2 and Auto Scaling)', () => {
  it('the group holds a leaving instance with a termination hook long enough for the stop', () => {
    expect(group.initial_lifecycle_hook).toContainEqual({ name: 'gohost-terminating', lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeat_timeout: 90, default_result: 'CONTINUE' });
  });

  it('does nothing while the instance is in service', () => {
    expect(read('calls-in-service.log')).toBe('');
    expect(fs.existsSync(path.join(R, 'systemctl-in-service.log'))).toBe(false);
  });

  it('once marked for termination: stops the service, and only after it stopped completes the hook (signed, its group, CONTINUE)', () => {
    expect(read('watch.exit').trim()).toBe('0');
    const stop = JSON.parse(read('systemctl.log').replace(/\n/g, ''));
    expect(stop.systemctl).toBe('stop orders-api.service');
    const calls = read('calls.log').trim().split('\n').map((l) => JSON.parse(l));
    expect(calls.map((c) => c.action)).toEqual(['DescribeAutoScalingInstances', 'CompleteLifecycleAction']);
    const complete = calls[1];
    expect(complete.signed).toBe(true);
    expect(complete.params).toMatchObject({ AutoScalingGroupName: 'orders-api-20261207', LifecycleHookName: 'gohost-terminating', InstanceId: 'i-0123456789abcdef0', LifecycleActionResult: 'CONTINUE' });
    expect(complete.time).toBeGreaterThan(stop.end);
    expect(read('watch.out')).toContain('left: orders-api-20261207 may terminate this instance');
  });
});
