/**
 * IAM resources for reading one Secrets Manager secret or SSM parameter named by name or ARN, a
 * literal or a Terraform reference (decided in Terraform then): the policy names exactly it.
 */
import { Fn, Token } from '../private/cdktf';

export interface ArnContext {
  readonly arnPrefix: string;
  readonly regionName: string;
  readonly accountId: string;
}

/** The ARN IAM matches for a secret given by name (any of its random suffixes) or by ARN. */
export function secretResourceArn(secretId: string, c: ArnContext): string {
  const byName = `${c.arnPrefix}:secretsmanager:${c.regionName}:${c.accountId}:secret:${secretId}-??????`;
  if (!Token.isUnresolved(secretId)) return secretId.startsWith('arn:') ? secretId : byName;
  return Token.asString(Fn.conditional(Fn.startswith(secretId, 'arn:'), secretId, byName));
}

/** The ARN of a parameter given by name (with or without its leading slash) or by ARN. */
export function parameterResourceArn(name: string, c: ArnContext): string {
  const prefix = `${c.arnPrefix}:ssm:${c.regionName}:${c.accountId}:parameter/`;
  if (!Token.isUnresolved(name)) return name.startsWith('arn:') ? name : `${prefix}${name.replace(/^\//, '')}`;
  return Token.asString(Fn.conditional(Fn.startswith(name, 'arn:'), name, Fn.join('', [prefix, Fn.trimprefix(name, '/')])));
}
