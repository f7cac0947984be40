import { Testing } from 'cdktf';
import { expect, it } from 'vitest';
import { artifactsOf, checkArtifacts, gohostMatchers, GohostMatchers, readinessOf, userDataSnapshot } from 'cdktf-gohost/testing';
import { ShopStack } from './main';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T> extends GohostMatchers<T> {}
}
expect.extend(gohostMatchers);

const stack = new ShopStack(Testing.app(), 'shop');

it('runs the API with the limits we agreed', () => {
  const api = artifactsOf(stack, 'Api');
  expect(api).toHaveUnit('shop-api.service');
  expect(api.units['shop-api.service'].Service.MemoryMax).toEqual(['1536M']);
  expect(api.sysctl['net.core.somaxconn']).toBe('65535');
  expect(api.nginxConfig).toContain('server_name shop.example.com;');
});

it('admits node_exporter from the monitoring host only, and enforces the unit sandbox', () => {
  const tf = JSON.parse(Testing.synth(stack));
  expect(tf).toAllowIngress({ host: 'Api', port: 9100, from: 'Observability/Monitoring' });
  expect(() => expect(tf).toAllowIngress({ host: 'Api', port: 9100, from: '0.0.0.0/0' })).toThrow();
  expect(stack.api).toPassReadiness('G24');
});

it('has a readable user-data snapshot and readiness without writing files', () => {
  expect(userDataSnapshot(stack)).toContain('===== shop/Api: cloud-config.yaml (text/cloud-config) =====');
  expect(readinessOf(stack).map((r) => r.host)).toContain('shop/Api');
});

it('synthesizes with the policy pack applied, and its artifacts pass the installed tools', () => {
  expect(() => Testing.synth(stack, true)).not.toThrow();
  expect(checkArtifacts(stack).filter((c) => c.status === 'failed')).toEqual([]);
});
