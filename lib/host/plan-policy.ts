/**
 * The policy a literal gets at synth, as Terraform preconditions for the references synth cannot
 * read: checked at plan, when Terraform knows the value, with the same message.
 */
import { coveredAddressCount } from '../input/validators';
import { Fn, Op, Token } from '../private/cdktf';
import { hclLiteral } from '../private/late-bound';

export interface PlanCheck {
  readonly condition: string;
  readonly error_message: string;
}

const IPV4_CIDR = '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}/([0-9]|[12][0-9]|3[0-2])$';
const cond = (v: unknown) => Token.asString(v);

/**
 * SSH admitted from CIDRs some of which are references: each reference must be an IPv4 CIDR (its
 * rule is an IPv4 rule), and unless `allowFromAnywhere` all IPv4 ranges together must not cover
 * the whole internet. Overlapping references count twice: a plan may refuse what the literal
 * check would merge, never the other way round.
 */
export function sshCidrChecksAtPlan(cidrs: readonly string[], allowFromAnywhere: boolean, constructPath: string): PlanCheck[] {
  const refs = cidrs.filter((c) => Token.isUnresolved(c));
  if (refs.length === 0) return [];
  const checks: PlanCheck[] = [{
    condition: cond(Fn.alltrue(refs.map((r) => Fn.can(Fn.regex(hclLiteral(IPV4_CIDR), r))))),
    error_message: `${constructPath}: adminSshCidrs (a Terraform reference) must be an IPv4 CIDR such as 203.0.113.0/24. Fix: pass IPv6 ranges as literals.`,
  }];
  if (allowFromAnywhere) return checks;
  const literalCount = Number(coveredAddressCount(cidrs.filter((c) => !Token.isUnresolved(c)), 4));
  // An unparseable reference counts nothing here: the form check above fails the plan for it.
  const refCounts = refs.map((r) => Fn.try([Fn.pow(2, Op.sub(32, Fn.tonumber(Fn.element(Fn.split('/', r), 1)))), 0]));
  checks.push({
    condition: cond(Op.lt(Fn.sum([literalCount, ...refCounts]), 2 ** 32)),
    error_message: `${constructPath}: adminSshCidrs opens SSH to the whole internet (with the value of its reference). Fix: narrow it to your office or VPN ranges, use SSM Session Manager, or set allowSshFromAnywhere: true to accept the risk.`,
  });
  return checks;
}
