/**
 * Composition does not depend on the order in which a user creates constructs: the front door
 * before or after watch(), the hosts before or after the ObservabilityStack. cdktf writes
 * resources in construct-creation order, which is the user's; everything the library produces is
 * compared with keys sorted.
 */
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, NginxFrontDoor, ObservabilityStack } from '../../lib';
import { baseProps, newStack, synthJson } from '../helpers/stacks';

type Step = 'host' | 'frontDoor' | 'observability' | 'watch';

/** Builds the same stack in `order`; 'watch' means the stack is created empty and watch() called at that step. */
function build(order: readonly Step[]) {
  const { stack } = newStack();
  let host: HardenedGoHost | undefined;
  let obs: ObservabilityStack | undefined;
  const watchLater = order.includes('watch');
  for (const step of order) {
    if (step === 'host') host = new HardenedGoHost(stack, 'Api', { ...baseProps, associatePublicIpAddress: true });
    if (step === 'frontDoor') {
      new NginxFrontDoor(stack, 'FrontDoor', { host: host!, domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
    }
    if (step === 'observability') {
      obs = new ObservabilityStack(stack, 'Observability', { monitoringHost: true, subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0', hosts: watchLater ? [] : [host!] });
    }
    if (step === 'watch') obs!.watch(host!);
  }
  return { stack, host: host!, readiness: () => [...host!.readiness()].sort((a, b) => a.id.localeCompare(b.id)) };
}

/** JSON with every object's keys sorted: the content, not cdktf's creation-order layout. */
function canonical(value: unknown): string {
  const sort = (v: any): any => (Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v);
  return JSON.stringify(sort(value), null, 1);
}

/** The synthesized stack without cdktf's per-construct metadata (it records creation stacks). */
function content(tf: any): string {
  const strip = (v: any): any => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object'
    ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== '//').map(([k, x]) => [k, strip(x)])) : v);
  return canonical(strip(tf));
}

const orders: Step[][] = [
  ['host', 'frontDoor', 'observability'],
  ['host', 'observability', 'frontDoor'],
  ['observability', 'host', 'frontDoor', 'watch'],
  ['observability', 'host', 'watch', 'frontDoor'],
];

describe('composition is order-independent', () => {
  const reference = build(orders[0]);
  const referenceJson = content(synthJson(reference.stack));

  it.each(orders.slice(1).map((o) => [o.join(' → '), o] as const))('%s synthesizes the same Terraform as host → front door → observability', (_name, order) => {
    expect(content(synthJson(build(order).stack))).toBe(referenceJson);
  });

  it.each(orders.slice(1).map((o) => [o.join(' → '), o] as const))('%s gives the same readiness rows', (_name, order) => {
    expect(build(order).readiness()).toEqual(reference.readiness());
  });

  it('the front door created after watch() still gets its exporter, its scrape rule, its discovery tag and its probe', () => {
    const tf = synthJson(build(orders[3]).stack);
    const text = JSON.stringify(tf);
    expect(text).toContain('prometheus-nginx-exporter');
    expect(Object.values<any>(tf.resource.aws_vpc_security_group_ingress_rule).some((r) => r.from_port === 9113)).toBe(true);
    expect(Object.values<any>(tf.resource.aws_instance).find((i) => i.tags.Name === 'test-Api').tags['gohost:nginx']).toBe('true');
    expect(text).toContain('https://api.example.com');
  });

  it('a second synthesis sees what was added after the first (the per-synthesis render is not kept)', () => {
    const { stack } = newStack();
    const host = new HardenedGoHost(stack, 'Api', { ...baseProps, associatePublicIpAddress: true });
    const before = Testing.synth(stack);
    new NginxFrontDoor(stack, 'FrontDoor', { host, domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
    const after = Testing.synth(stack);
    expect(after).not.toBe(before);
    const fresh = newStack().stack;
    const again = new HardenedGoHost(fresh, 'Api', { ...baseProps, associatePublicIpAddress: true });
    new NginxFrontDoor(fresh, 'FrontDoor', { host: again, domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
    expect(content(JSON.parse(after))).toBe(content(JSON.parse(Testing.synth(fresh))));
  });
});
