/**
 * The policy pack as an aspect for any cdktf stack — resources this library did not create
 * included: every rule runs over the stack's resources as Terraform will see them; errors fail
 * synthesis, warnings print once; suppressions name a construct, a rule and a reason, and are
 * listed in the report.
 */
import { IConstruct } from 'constructs';
import { POLICY_RULES } from './pack';
import { PolicyFinding, PolicyResource, PolicyRule } from './rule';
import { GoHostError } from '../errors';
import { Annotations, Aspects, DefaultTokenResolver, StringConcat, TerraformDataSource, TerraformResource, TerraformStack, Tokenization } from '../private/cdktf';

interface Suppression {
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
}

const SUPPRESSIONS = new WeakMap<TerraformStack, Suppression[]>();

/** The stack's resources and data sources, each with its configuration resolved. */
function resourcesOf(stack: TerraformStack): PolicyResource[] {
  const out: PolicyResource[] = [];
  for (const c of stack.node.findAll()) {
    if (!(c instanceof TerraformResource) && !(c instanceof TerraformDataSource)) continue;
    const tf = Tokenization.resolve(c.toTerraform(), { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) });
    const kind = c instanceof TerraformDataSource ? 'data' : 'resource';
    for (const [type, byName] of Object.entries<Record<string, unknown>>(tf[kind] ?? {})) {
      for (const [name, config] of Object.entries(byName)) out.push({ kind, type, name, path: c.node.path, config });
    }
  }
  return out;
}

/** Every finding of `rules` on `stack`, suppressed ones marked with their reason. */
export function policyReport(stack: TerraformStack, rules: readonly PolicyRule[] = POLICY_RULES): PolicyFinding[] {
  const resources = resourcesOf(stack);
  const suppressions = SUPPRESSIONS.get(stack) ?? [];
  return rules.flatMap((rule) => resources.flatMap((r) => rule.check(r, resources).map((detail): PolicyFinding => {
    const s = suppressions.find((x) => x.ruleId === rule.id && (r.path === x.path || r.path.startsWith(`${x.path}/`)));
    return { ruleId: rule.id, level: rule.level, path: r.path, detail: `${r.type}.${r.name}: ${detail}`, fix: rule.fix, ...(s ? { suppressedBecause: s.reason } : {}) };
  })));
}

export class GoHostPolicy {
  /** Checks every resource of `stack` at synthesis. */
  public static applyTo(stack: TerraformStack, rules: readonly PolicyRule[] = POLICY_RULES): void {
    let done = false;
    Aspects.of(stack).add({
      visit: (node) => {
        if (node !== stack || done) return;
        done = true;
        const findings = policyReport(stack, rules);
        for (const f of findings.filter((x) => !x.suppressedBecause && x.level === 'warning')) {
          Annotations.of(stack).addWarning(`[${f.ruleId}] ${f.path}: ${f.detail}. Fix: ${f.fix}`);
        }
        const errors = findings.filter((x) => !x.suppressedBecause && x.level === 'error');
        stack.node.addValidation({ validate: () => errors.map((f) => `[${f.ruleId}] ${f.path}: ${f.detail}. Fix: ${f.fix}`) });
      },
    });
  }

  /** Accepts `ruleId`'s findings on `scope` and below it; the reason is required and reported. */
  public static suppress(scope: IConstruct, ruleId: string, reason: string): void {
    if (!POLICY_RULES.some((r) => r.id === ruleId)) throw new GoHostError(`GoHostPolicy.suppress: no rule ${ruleId} (rules: ${POLICY_RULES.map((r) => r.id).join(', ')})`);
    if (typeof reason !== 'string' || reason.trim().length < 10) throw new GoHostError(`GoHostPolicy.suppress(${scope.node.path}, ${ruleId}): give the reason in a sentence`);
    const stack = TerraformStack.of(scope);
    const list = SUPPRESSIONS.get(stack) ?? [];
    list.push({ path: scope.node.path, ruleId, reason });
    SUPPRESSIONS.set(stack, list);
  }
}
