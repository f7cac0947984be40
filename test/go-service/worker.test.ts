/**
 * `worker: true`: a Go service with no HTTP port. What its unit, first boot, firewall, group and
 * readiness get; the first-boot wait run against a stand-in systemctl; bad input. The unit running
 * under systemd (READY, watchdog restart) is proven by verify:units (test/integration/units-boot).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HardenedGoHost, HardenedGoHostProps, HardenedGoService, HardenedGoServiceProps, NginxFrontDoor, CertificateSource, ObservabilityStack } from '../../lib';
import { workerReadyStep } from '../../lib/go-service/artifacts';
import { renderShellScript } from '../../lib/render/shell';
import { validationError } from '../helpers/errors';
import { hostFiles } from '../helpers/host-files';
import { verifyServiceUnits } from '../helpers/units';
import { baseProps, newStack, resourcesOf, synthJson } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
const { subnetId: _subnet, ...serviceProps } = baseProps;
const directives = (unit: string, key: string) => unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
const filesOf = (tf: any) => hostFiles(Object.values<any>(tf.data.cloudinit_config)[0].part);

describe('a worker on one instance', () => {
  const { stack } = newStack();
  const host = new HardenedGoHost(stack, 'Worker', { ...baseProps, worker: true, args: ['worker'] });
  const tf = synthJson(stack);
  const files = filesOf(tf);
  const unit = files.file('/etc/systemd/system/orders-api.service');

  it('is Type=notify with the watchdog and a start timeout of healthTimeoutSec, and may use the notification socket', () => {
    expect(directives(unit, 'Type')).toEqual(['notify']);
    expect(directives(unit, 'NotifyAccess')).toEqual(['main']);
    expect(directives(unit, 'WatchdogSec')).toEqual(['30']);
    expect(directives(unit, 'TimeoutStartSec')).toEqual(['60']);
    expect(directives(unit, 'RestrictAddressFamilies')).toEqual(['AF_INET AF_INET6 AF_UNIX']);
    expect(directives(unit, 'Restart')).toEqual(['on-failure']);
  });

  it('gets no port, listen address or health path, and its precheck looks for no port', () => {
    const names = directives(unit, 'Environment').map((e) => e.split('=')[0]);
    expect(names).toEqual(['GOMAXPROCS', 'GOMEMLIMIT']);
    expect(files.file('/usr/local/lib/orders-api/precheck')).not.toMatch(/port/);
    expect(host.listenPort).toBeUndefined();
    expect(host.healthPath).toBeUndefined();
    expect(host.worker).toBe(true);
  });

  it('first boot starts it without blocking and waits for READY (not a health path)', () => {
    expect(files.script).toContain('systemctl enable --now --no-block orders-api.service');
    expect(files.script).toContain('systemctl is-active --quiet orders-api.service');
    expect(files.script).not.toMatch(/curl[^\n]*127\.0\.0\.1:8080/);
  });

  it('opens no port: no security-group ingress and no ufw rule for 8080', () => {
    const ingress = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule');
    expect(ingress.filter((r) => r.from_port === 8080)).toEqual([]);
    expect(files.script).not.toMatch(/ufw allow[^\n]*8080/);
  });

  it('readiness says how its health is judged', () => {
    expect(host.readiness().find((r) => r.id === 'G20')?.detail).toMatch(/^a worker: healthy is READY=1 \(Type=notify, waited for at first boot, TimeoutStartSec=60\) and the watchdog \(WatchdogSec=30\)/);
    expect(host.readiness().find((r) => r.id === 'G22')?.detail).toMatch(/^WatchdogSec=30 \(Type=notify\)/);
    expect(host.readiness().find((r) => r.id === 'G18')?.detail).toBe('ExecStartPre precheck: binary present with the pinned SHA-256, config present');
  });

  it('systemd-analyze verify accepts the worker unit', () => {
    for (const t of ['systemd-analyze', 'unshare']) requireTool(t);
    const r = verifyServiceUnits([unit], files.file('/usr/local/lib/orders-api/precheck'));
    expect(r.stderr + r.stdout).not.toMatch(/orders-api[^\n]*(Unknown|error|Failed|invalid)/i);
    expect(r.status).toBe(0);
  });

  it('watchdogSec set on a worker is used', () => {
    const { stack: s2 } = newStack();
    new HardenedGoHost(s2, 'Worker', { ...baseProps, worker: true, watchdogSec: 10 });
    expect(directives(filesOf(synthJson(s2)).file('/etc/systemd/system/orders-api.service'), 'WatchdogSec')).toEqual(['10']);
  });
});

describe("first boot's wait for READY, run against a stand-in systemctl", () => {
  function runStep(activeAfterCalls: number): { status: number | null; out: string } {
    requireTool('bash');
    const dir = tempDir('worker-ready');
    fs.mkdirSync(path.join(dir, 'bin'));
    // is-active succeeds from the Nth call on (the service said READY=1 then); sleep does nothing.
    fs.writeFileSync(path.join(dir, 'bin', 'systemctl'), `#!/bin/bash\nn=$(($(cat ${dir}/calls 2>/dev/null || echo 0) + 1)); echo $n > ${dir}/calls\n`
      + `if [[ $1 == is-active ]]; then [[ $n -ge ${activeAfterCalls} ]]; exit; fi\necho "status of $*"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'bin', 'sleep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const script = renderShellScript({ description: ['the wait step'], preamble: ['log() { echo "$*"; }'], steps: [workerReadyStep('orders-api', 10)] });
    fs.writeFileSync(path.join(dir, 'step'), script);
    const r = run('bash', [path.join(dir, 'step')], { env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin` } });
    return { status: r.status, out: r.stdout + r.stderr };
  }

  it('passes once the unit is active (READY=1 reached)', () => {
    const r = runStep(3);
    expect(r.status).toBe(0);
    expect(r.out).toContain('orders-api reported READY');
  });

  it('fails with the reason and the unit status when READY never comes', () => {
    const r = runStep(99);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('orders-api did not report READY=1 (sd_notify) within 10 s');
    expect(r.out).toContain('status of status --no-pager orders-api.service');
  });
});

describe('a worker group', () => {
  const { stack } = newStack();
  const group = new HardenedGoService(stack, 'Workers', { ...serviceProps, subnetIds: SUBNETS, worker: true, args: ['worker'], minCapacity: 1, maxCapacity: 4 });
  new ObservabilityStack(stack, 'Obs', { hosts: [group], monitoringHost: true, subnetId: SUBNETS[0] });
  const tf = synthJson(stack);
  const files = hostFiles(Object.values<any>(tf.data.cloudinit_config).find((c) => JSON.stringify(c).includes('orders-api.service')).part);

  it('has no load balancer: EC2 health checks and a launch hook the instance completes once READY', () => {
    expect(group.loadBalancer).toBeUndefined();
    expect(resourcesOf(tf, 'aws_lb')).toEqual([]);
    expect(resourcesOf(tf, 'aws_lb_target_group')).toEqual([]);
    const [asg] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(asg.health_check_type).toBe('EC2');
    expect(asg.target_group_arns).toBeUndefined();
    expect(asg.initial_lifecycle_hook.map((h: any) => h.lifecycle_transition).sort()).toEqual(['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING']);
    const ready = files.script.indexOf('# --- wait for orders-api to report READY');
    const hook = files.script.indexOf('# --- tell the Auto Scaling group this instance is ready');
    expect(ready).toBeGreaterThan(0);
    expect(hook).toBeGreaterThan(ready);
    expect(files.script.slice(hook)).toContain('Action=CompleteLifecycleAction');
  });

  it('a leaving instance stops the worker at once (nothing to drain), giving it timeoutStopSec to finish its job', () => {
    const watch = files.file('/usr/local/lib/gohost/termination-watch');
    expect(watch).toContain("log 'leaving the Auto Scaling group: draining for 0 s, then stopping orders-api.service'\nsystemctl stop orders-api.service\n");
    const [asg] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(asg.initial_lifecycle_hook.find((h: any) => h.lifecycle_transition === 'autoscaling:EC2_INSTANCE_TERMINATING').heartbeat_timeout).toBe(30 + 60);
  });

  it('its metrics go to a port of their own, opened to the monitoring host only', () => {
    const unit = files.file('/etc/systemd/system/orders-api.service');
    expect(directives(unit, 'Environment')).toContain('METRICS_ADDR=0.0.0.0:9464');
    const ingress = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 9464);
    expect(ingress).toHaveLength(1);
    expect(ingress[0].referenced_security_group_id).toMatch(/Obs_Monitoring/);
  });
});

describe('bad input on a worker', () => {
  const hostError = (extra: Partial<HardenedGoHostProps>) => {
    const { stack } = newStack();
    return validationError(() => new HardenedGoHost(stack, 'Worker', { ...baseProps, worker: true, ...extra })).message;
  };
  const groupError = (extra: Partial<HardenedGoServiceProps>) => {
    const { stack } = newStack();
    return validationError(() => new HardenedGoService(stack, 'Workers', { ...serviceProps, subnetIds: SUBNETS, worker: true, ...extra })).message;
  };

  it('listenPort or healthPath on a worker', () => {
    const m = hostError({ listenPort: 9000, healthPath: '/ready' });
    expect(m).toContain('[test/Worker] listenPort = 9000: is set on a worker (worker: true), which has no HTTP port');
    expect(m).toContain('[test/Worker] healthPath = "/ready": is set on a worker');
  });

  it('a load balancer or a deregistration delay on a worker group', () => {
    expect(groupError({ internalLoadBalancer: true })).toContain('[test/Workers] internalLoadBalancer = true: is set on a worker (worker: true)');
    expect(groupError({ deregistrationDelaySec: 40 })).toContain('[test/Workers] deregistrationDelaySec = 40: has no effect on a worker (there is no target group to drain)');
  });

  it('a worker as the front door\'s upstream', () => {
    const { stack } = newStack();
    const workers = new HardenedGoService(stack, 'Workers', { ...serviceProps, subnetIds: SUBNETS, worker: true });
    const m = validationError(() => new NginxFrontDoor(stack, 'FrontDoor', {
      subnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'], upstreams: [workers], domainNames: ['api.example.com'],
      certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
    })).message;
    expect(m).toContain('[test/FrontDoor] upstreams[0] = "test/Workers": is a worker (worker: true): it has no HTTP port to proxy to');
  });

  it('worker is a boolean (plain JavaScript)', () => {
    expect(hostError({ worker: 'yes' as unknown as boolean })).toContain('[test/Worker] worker = "yes": must be a boolean, not a string');
  });
});
