/**
 * The front door's DNS records planned offline with the real AWS provider: a name in the hosted
 * zone plans; a name outside it fails the plan on the record's precondition, naming the construct
 * and the prop (the zone is a constant `example.com` here, as data sources are in every plan test).
 */
import { describe, expect, it } from 'vitest';
import { CertificateSource, NginxFrontDoor } from '../../lib';
import { planWithValues } from '../helpers/deployed-state';
import { newStack, synthJson } from '../helpers/stacks';
import { fdBaseProps } from '../helpers/front-door';

function stackFor(domainNames: string[]) {
  const { stack } = newStack();
  new NginxFrontDoor(stack, 'FrontDoor', {
    ...fdBaseProps,
    domainNames,
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    certificate: CertificateSource.fromSecretsManager({ secretId: 'tls/api' }),
  });
  return synthJson(stack);
}

describe('DNS records, planned', () => {
  it('names in the zone (and its apex) plan', () => {
    const plan = planWithValues(stackFor(['api.example.com', 'example.com']), {});
    expect(plan.errors).toBe('');
    expect(plan.ok).toBe(true);
  });

  it('a name outside the zone fails the plan, naming the construct and the prop', () => {
    const plan = planWithValues(stackFor(['api.example.com', 'api.example.org', 'notexample.com']), {});
    expect(plan.ok).toBe(false);
    const errors = plan.errors.replace(/\s+/g, ' ');
    expect(errors).toContain('test/FrontDoor: domainNames[1] is not in the hosted zone Z0123456789ABCDEFGHIJ (hostedZoneId)');
    // A name that only ends like the zone is not in it.
    expect(errors).toContain('test/FrontDoor: domainNames[2] is not in the hosted zone');
    expect(errors).not.toContain('domainNames[0]');
  });
});
