/**
 * References get the policy literals get, at plan: a Terraform variable holding what synth would
 * refuse as a literal fails the plan, with the message naming the construct and the prop.
 */
import { TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, NginxFrontDoor } from '../../lib';
import { planWithValues } from '../helpers/deployed-state';
import { baseProps, newStack, synthJson } from '../helpers/stacks';

function sshStack(literal: string[], allowSshFromAnywhere = false): any {
  const { stack } = newStack();
  const cidr = new TerraformVariable(stack, 'admin_cidr', { type: 'string' }).stringValue;
  new HardenedGoHost(stack, 'Api', { ...baseProps, adminSshCidrs: [cidr, ...literal], allowSshFromAnywhere });
  return synthJson(stack);
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

describe('adminSshCidrs from a reference: the whole-internet policy of a literal, at plan', () => {
  const alone = sshStack([]);
  const withHalf = sshStack(['128.0.0.0/1']);

  it.each([
    ['0.0.0.0/0', alone],
    ['0.0.0.0/1 beside the literal 128.0.0.0/1', withHalf],
  ])('%s fails the plan, naming the construct and the prop', (label, tf) => {
    const plan = planWithValues(tf, { admin_cidr: label.split(' ')[0] });
    expect(plan.ok).toBe(false);
    expect(oneLine(plan.errors)).toContain('test/Api: adminSshCidrs opens SSH to the whole internet (with the value of its reference).');
  });

  it('an IPv6 range fails the plan (its rule would be an IPv4 rule)', () => {
    const plan = planWithValues(alone, { admin_cidr: '::/0' });
    expect(plan.ok).toBe(false);
    expect(oneLine(plan.errors)).toContain('test/Api: adminSshCidrs (a Terraform reference) must be an IPv4 CIDR');
  });

  it('an office range plans, beside a literal half too; allowSshFromAnywhere accepts the internet as it does for a literal', () => {
    expect(planWithValues(withHalf, { admin_cidr: '203.0.113.0/24' }).ok).toBe(true);
    expect(planWithValues(sshStack([], true), { admin_cidr: '0.0.0.0/0' }).ok).toBe(true);
  });
});

describe("domainNames from a reference with Let's Encrypt: no wildcard, at plan", () => {
  function frontDoor(letsEncrypt: boolean): any {
    const { stack } = newStack();
    const domain = new TerraformVariable(stack, 'domain', { type: 'string' }).stringValue;
    new NginxFrontDoor(stack, 'FrontDoor', {
      subnetId: baseProps.subnetId, vpcId: baseProps.vpcId, domainNames: [domain], upstreams: ['10.0.1.5:8080'],
      certificate: letsEncrypt ? CertificateSource.letsEncrypt({ email: 'ops@example.com' }) : CertificateSource.fromSecretsManager({ secretId: 'tls/shop' }),
    });
    return synthJson(stack);
  }

  it("a wildcard fails the plan with Let's Encrypt and plans with a certificate of your own", () => {
    const refused = planWithValues(frontDoor(true), { domain: '*.example.com' });
    expect(refused.ok).toBe(false);
    expect(oneLine(refused.errors)).toContain("test/FrontDoor/Host: domainNames[0] (of test/FrontDoor) must be a lower-case DNS name without a wildcard (Let's Encrypt's HTTP-01");
    expect(planWithValues(frontDoor(false), { domain: '*.example.com' }).ok).toBe(true);
    expect(planWithValues(frontDoor(true), { domain: 'shop.example.com' }).ok).toBe(true);
  });
});
