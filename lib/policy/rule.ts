/**
 * A policy rule: a pure function over the resources of a stack as Terraform will see them
 * (resolved configuration, by type), with an ID, a level, an explanation and a fix. Pure.
 */

/** One resource or data source of the stack, its configuration resolved. */
export interface PolicyResource {
  /** `resource` or `data`. */
  readonly kind: 'resource' | 'data';
  /** Terraform type, e.g. `aws_instance`. */
  readonly type: string;
  /** Terraform name (the construct's unique ID), as references name it: `${aws_instance.<name>.id}`. */
  readonly name: string;
  /** Construct path, for reports and suppressions. */
  readonly path: string;
  readonly config: any;
}

export interface PolicyFinding {
  readonly ruleId: string;
  readonly level: 'error' | 'warning';
  readonly path: string;
  /** What the rule found, in one line. */
  readonly detail: string;
  readonly fix: string;
  /** Set when a suppression covers the finding. */
  readonly suppressedBecause?: string;
}

export interface PolicyRule {
  readonly id: string;
  readonly level: 'error' | 'warning';
  readonly title: string;
  /** Why it matters. */
  readonly explanation: string;
  readonly fix: string;
  /** Findings for `resource` (one line each), given every resource of the stack for cross-references. */
  check(resource: PolicyResource, all: readonly PolicyResource[]): string[];
}

/** `${aws_instance.<name>.…}` style reference to `r`. */
export function references(text: unknown, r: PolicyResource): boolean {
  return JSON.stringify(text ?? '').includes(`${r.kind === 'data' ? 'data.' : ''}${r.type}.${r.name}.`);
}

/** A Terraform boolean that may come as a string from nested blocks (`"true"`). */
export function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

/** A list or a single object (cdktf writes single nested blocks either way). */
export function blocks(v: unknown): any[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}
