/**
 * Day-two plans offline, with the real AWS provider from the mirror: a stack is "deployed" by
 * planning it on empty state, filling the attributes AWS would compute (IDs, ARNs, addresses),
 * writing that as state and planning again until Terraform reports no change. A changed stack is
 * then planned against that state with -refresh=false, and the actions are read per address.
 *
 * Data sources that would call AWS are replaced by constants in the plan copy; the user data
 * keeps every reference (withCloudinitAsLocals).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { terraformEnv, withCloudinitAsLocals } from './terraform';
import { run, tempDir } from './tools';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

/** What the replaced data sources return. */
const DATA_CONSTANTS: Record<string, Record<string, string>> = {
  aws_ami: { id: 'ami-0123456789abcdef0', root_device_name: '/dev/sda1', architecture: 'x86_64' },
  aws_region: { name: REGION, id: REGION },
  aws_partition: { partition: 'aws', dns_suffix: 'amazonaws.com' },
  aws_subnet: { vpc_id: 'vpc-0123456789abcdef0', availability_zone: `${REGION}a`, id: 'subnet-0aaaaaaaaaaaaaaa1', cidr_block: '10.0.1.0/24' },
  aws_caller_identity: { account_id: ACCOUNT },
  aws_vpc: { id: 'vpc-0123456789abcdef0', cidr_block: '10.0.0.0/16' },
  aws_route53_zone: { name: 'example.com', zone_id: 'Z0123456789ABCDEFGHIJ' },
};

export const PLAN_VARIABLES: Record<string, unknown> = {
  subnet_id: 'subnet-0aaaaaaaaaaaaaaa1',
  public_subnet_ids: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
  hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
  private_subnet_ids: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2', 'subnet-0aaaaaaaaaaaaaaa3'],
};

/** The stack as Terraform plans it offline: fake credentials, data sources as constants, user data with its references. */
export function planCopy(tf: any): any {
  const copy = withCloudinitAsLocals(tf);
  for (const type of Object.keys(copy.data ?? {})) {
    if (!DATA_CONSTANTS[type]) throw new Error(`no constant for data source ${type}: add one to DATA_CONSTANTS`);
  }
  delete copy.data;
  const constant = (m: string, type: string, attr: string) => {
    const value = DATA_CONSTANTS[type]?.[attr];
    if (value === undefined) throw new Error(`no constant for ${m}`);
    return value;
  };
  const inExpressions: Record<string, string> = {};
  const text = JSON.stringify(copy)
    .replace(/\$\{data\.(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z_]+)\}/g, constant)
    // Inside an expression (a precondition's), a local holding the constant: a check must still refer to something.
    .replace(/\bdata\.(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z_]+)\b/g, (m, type: string, attr: string) => {
      const name = `constant_${type}_${attr}`;
      inExpressions[name] = constant(m, type, attr);
      return `local.${name}`;
    });
  const out = JSON.parse(text);
  if (Object.keys(inExpressions).length > 0) out.locals = { ...out.locals, ...inExpressions };
  const provider = Array.isArray(out.provider.aws) ? out.provider.aws[0] : out.provider.aws;
  Object.assign(provider, {
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  });
  return out;
}

export interface ResourceAction {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
  readonly before: any;
  readonly after: any;
}

export interface PlanResult {
  readonly changes: readonly ResourceAction[];
  /** Addresses whose action is not no-op. */
  readonly changed: readonly string[];
  readonly json: any;
}

let counter = 0;
const hex = (n: number) => (++counter).toString(16).padStart(n, '0');

const ID_PREFIX: Record<string, string> = {
  aws_security_group: 'sg-', aws_instance: 'i-', aws_launch_template: 'lt-', aws_network_interface: 'eni-',
  aws_ebs_volume: 'vol-', aws_eip: 'eipalloc-', aws_vpc_security_group_ingress_rule: 'sgr-', aws_vpc_security_group_egress_rule: 'sgr-',
};
const ARN_SERVICE: Record<string, string> = {
  aws_lb: 'elasticloadbalancing', aws_lb_target_group: 'elasticloadbalancing', aws_lb_listener: 'elasticloadbalancing',
  aws_secretsmanager_secret: 'secretsmanager', aws_sns_topic: 'sns', aws_iam_role: 'iam', aws_iam_instance_profile: 'iam',
  aws_autoscaling_group: 'autoscaling', aws_autoscaling_policy: 'autoscaling', aws_launch_template: 'ec2', aws_instance: 'ec2',
  aws_security_group: 'ec2', aws_cloudwatch_metric_alarm: 'cloudwatch', aws_network_interface: 'ec2', aws_ebs_volume: 'ec2',
  aws_sns_topic_subscription: 'sns', aws_eip: 'ec2', aws_vpc_security_group_ingress_rule: 'ec2', aws_vpc_security_group_egress_rule: 'ec2',
};

/** A value AWS would have computed for an attribute, or null where nothing depends on it. */
function computed(type: string, key: string, resource: any): unknown {
  const h = hex(12);
  const arn = () => {
    const service = ARN_SERVICE[type] ?? 'ec2';
    const kind = type.replace(/^aws_/, '');
    if (service === 'iam') return `arn:aws:iam::${ACCOUNT}:${kind === 'iam_role' ? 'role' : 'instance-profile'}/${resource.name ?? `x${h}`}`;
    if (service === 'sns') return `arn:aws:sns:${REGION}:${ACCOUNT}:t${h}`;
    if (service === 'elasticloadbalancing') {
      const what = type === 'aws_lb' ? 'loadbalancer/net' : type === 'aws_lb_target_group' ? 'targetgroup' : 'listener/net';
      return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${what}/tf-${h}/${h}`;
    }
    if (service === 'secretsmanager') return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${resource.name_prefix ?? 's'}${h}-AbCdEf`;
    if (service === 'autoscaling') return `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:${h}:autoScalingGroupName/g${h}`;
    if (service === 'cloudwatch') return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:a${h}`;
    return `arn:aws:${service}:${REGION}:${ACCOUNT}:${kind}/${h}`;
  };
  switch (key) {
    case 'id':
      if (['aws_lb', 'aws_lb_target_group', 'aws_lb_listener', 'aws_secretsmanager_secret', 'aws_sns_topic', 'aws_sns_topic_subscription'].includes(type)) return arn();
      if (type === 'aws_iam_role' || type === 'aws_iam_instance_profile' || type === 'aws_autoscaling_group') return resource.name ?? `${resource.name_prefix ?? 'n'}${h}`;
      return `${ID_PREFIX[type] ?? `${type}-`}${h}`;
    case 'arn': return arn();
    case 'arn_suffix': return type === 'aws_lb' ? `net/tf-${h}/${h}` : `targetgroup/tf-${h}/${h}`;
    case 'name': return resource.name_prefix ? `${resource.name_prefix}${h}` : `tf-${h}`;
    case 'private_ip': return `10.0.${counter % 250}.${(counter * 7) % 250 + 2}`;
    case 'public_ip': return `203.0.113.${counter % 250 + 1}`;
    case 'allocation_id': return `eipalloc-${h}`;
    case 'latest_version': case 'default_version': return 1;
    case 'dns_name': return `tf-${h}.elb.${REGION}.amazonaws.com`;
    case 'availability_zone': return `${REGION}a`;
    case 'owner_id': return ACCOUNT;
    case 'unique_id': return `AROA${h.toUpperCase()}`;
    case 'zone_id': return 'Z2IFOLAFXWLO4F';
    default: return null;
  }
}

/** The zero value the provider stores for a computed attribute AWS left empty (a null would be planned as unknown again). */
function zero(type: unknown): unknown {
  if (type === 'string') return '';
  if (type === 'number') return 0;
  if (type === 'bool') return false;
  if (Array.isArray(type)) return type[0] === 'map' ? {} : type[0] === 'object' ? null : [];
  return null;
}

/**
 * `after` with unknowns filled: values already invented for the same resource (`previous`), then
 * what AWS would compute for IDs, ARNs and addresses (top level), then the schema's zero value.
 */
function fill(type: string, after: any, unknown: any, previous: any, block: any, top: boolean): any {
  if (Array.isArray(after) || Array.isArray(unknown)) {
    const a = Array.isArray(after) ? after : [];
    const u = Array.isArray(unknown) ? unknown : [];
    return Array.from({ length: Math.max(a.length, u.length) }, (_, i) =>
      u[i] === true ? (Array.isArray(previous) ? previous[i] : null) ?? null : fill(type, a[i], u[i], Array.isArray(previous) ? previous[i] : undefined, block, false));
  }
  if (!(after && typeof after === 'object') && !(unknown && typeof unknown === 'object')) return after;
  const out: Record<string, unknown> = { ...(after ?? {}) };
  for (const [k, u] of Object.entries<any>(unknown ?? {})) {
    const nested = block?.block_types?.[k];
    if (u === true) {
      const invented = top ? computed(type, k, after ?? {}) : null;
      out[k] = previous?.[k] ?? invented ?? (nested ? (nested.nesting_mode === 'single' ? null : []) : zero(block?.attributes?.[k]?.type));
    } else if (u && typeof u === 'object') {
      out[k] = fill(type, after?.[k], u, previous?.[k], nested?.block ?? block?.attributes?.[k], false);
    }
  }
  return out;
}

/** Every attribute of the schema present (null or empty), as the provider writes state; plugin-framework resources need it. */
function complete(attributes: any, block: any): any {
  if (!block || !attributes || typeof attributes !== 'object') return attributes;
  const out: Record<string, unknown> = { ...attributes };
  for (const name of Object.keys(block.attributes ?? {})) if (!(name in out)) out[name] = null;
  for (const [name, nested] of Object.entries<any>(block.block_types ?? {})) {
    const single = nested.nesting_mode === 'single' || nested.nesting_mode === 'group';
    if (!(name in out) || out[name] === null) out[name] = single ? null : [];
    else if (Array.isArray(out[name])) out[name] = (out[name] as any[]).map((x) => complete(x, nested.block));
    else out[name] = complete(out[name], nested.block);
  }
  return out;
}

/** Managed resources each resource references, directly or through a local (the user data). */
function dependencies(planJson: any, locals: Record<string, string>): Map<string, string[]> {
  const refsIn = (text: string) => [...text.matchAll(/\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\./g)].map((m) => `${m[1]}.${m[2]}`);
  const collect = (node: any, out: Set<string>): void => {
    if (Array.isArray(node)) { node.forEach((n) => collect(n, out)); return; }
    if (!node || typeof node !== 'object') return;
    for (const r of node.references ?? []) {
      const parts = String(r).split('.');
      if (parts[0] === 'local') refsIn(locals[parts[1]] ?? '').forEach((d) => out.add(d));
      else if (parts[0].startsWith('aws_') && parts.length >= 2) out.add(`${parts[0]}.${parts[1]}`);
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'references') collect(v, out);
  };
  const map = new Map<string, string[]>();
  for (const r of planJson.configuration?.root_module?.resources ?? []) {
    const out = new Set<string>();
    collect(r.expressions, out);
    out.delete(r.address);
    map.set(r.address, [...out]);
  }
  return map;
}

export class DeployedStack {
  private readonly dir = tempDir('day2');
  private readonly env = terraformEnv(this.dir);
  private schemaVersions: Record<string, number> = {};
  private schemaBlocks: Record<string, any> = {};
  private state = new Map<string, { type: string; name: string; attributes: any }>();
  private lineage = randomUUID();
  private locals: Record<string, string> = {};
  private serial = 0;

  /** Plans `tf` on empty state and folds plans into state until Terraform reports no change. */
  public deploy(tf: any, maxRounds = 10): PlanResult {
    this.write(tf);
    const init = run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: this.dir, env: this.env, timeoutMs: 300_000 });
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
    const schema = run('terraform', ['providers', 'schema', '-json'], { cwd: this.dir, env: this.env, timeoutMs: 300_000 });
    const schemas = JSON.parse(schema.stdout).provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas;
    this.schemaVersions = Object.fromEntries(Object.entries<any>(schemas).map(([t, s]) => [t, s.version ?? 0]));
    this.schemaBlocks = Object.fromEntries(Object.entries<any>(schemas).map(([t, s]) => [t, s.block]));
    let last: PlanResult | undefined;
    for (let round = 0; round < maxRounds; round++) {
      last = this.plan();
      if (last.changed.length === 0) return last;
      const deps = dependencies(last.json, this.locals);
      // Deployed in dependency order: a resource is created once everything it references exists.
      const deployed = new Set(this.state.keys());
      const ready = (address: string) => (deps.get(address) ?? []).every((d) => deployed.has(d));
      for (const c of last.changes) {
        if (c.actions.join() === 'no-op') continue;
        if (c.actions.includes('delete') && !c.actions.includes('create')) { this.state.delete(c.address); continue; }
        if (!ready(c.address)) continue;
        const rc = last.json.resource_changes.find((r: any) => r.address === c.address);
        const previous = this.state.get(c.address)?.attributes;
        const attributes = fill(rc.type, rc.change.after, rc.change.after_unknown, previous, this.schemaBlocks[rc.type], true);
        this.state.set(c.address, { type: rc.type, name: rc.name, attributes });
      }
      this.writeState();
    }
    const why = last!.json.resource_changes.filter((r: any) => r.change.actions.join() !== 'no-op').map((r: any) => {
      const keys = new Set([...Object.keys(r.change.before ?? {}), ...Object.keys(r.change.after ?? {})]);
      const diff = [...keys].filter((k) => JSON.stringify(r.change.before?.[k]) !== JSON.stringify(r.change.after?.[k]) || r.change.after_unknown?.[k]);
      return `${r.address} (${r.change.actions}): ${diff.join(', ')}`;
    });
    throw new Error(`the emulated deployment did not converge; still changing:\n${why.join('\n')}`);
  }

  /** Plans a changed stack against the deployed state (-refresh=false). */
  public planChange(tf: any): PlanResult {
    this.write(tf);
    return this.plan();
  }

  /** Plans the deployed stack with `-replace` on each address: the order Terraform would replace them in. */
  public planReplace(addresses: readonly string[]): PlanResult {
    return this.plan(addresses.map((a) => `-replace=${a}`));
  }

  /** Every managed resource address in the emulated state. */
  public addresses(): string[] {
    return [...this.state.keys()];
  }

  public cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private write(tf: any): void {
    const copy = planCopy(tf);
    this.locals = copy.locals ?? {};
    fs.writeFileSync(path.join(this.dir, 'main.tf.json'), JSON.stringify(copy, null, 2));
    fs.writeFileSync(path.join(this.dir, 'terraform.tfvars.json'), JSON.stringify(PLAN_VARIABLES));
  }

  private writeState(): void {
    const resources = [...this.state.values()].map((r) => ({
      mode: 'managed',
      type: r.type,
      name: r.name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: this.schemaVersions[r.type] ?? 0, attributes: complete(r.attributes, this.schemaBlocks[r.type]), sensitive_attributes: [] }],
    }));
    fs.writeFileSync(path.join(this.dir, 'terraform.tfstate'), JSON.stringify({
      version: 4, terraform_version: '1.11.4', serial: ++this.serial, lineage: this.lineage, outputs: {}, resources,
    }, null, 2));
  }

  private plan(extra: readonly string[] = []): PlanResult {
    const p = run('terraform', ['plan', '-refresh=false', '-input=false', '-lock=false', '-no-color', ...extra, '-out', 'plan.out'], { cwd: this.dir, env: this.env, timeoutMs: 600_000 });
    if (p.status !== 0) throw new Error(`terraform plan failed:\n${p.stdout.slice(-4000)}\n${p.stderr.slice(-4000)}`);
    const show = run('terraform', ['show', '-json', 'plan.out'], { cwd: this.dir, env: this.env, timeoutMs: 300_000 });
    const json = JSON.parse(show.stdout);
    const changes: ResourceAction[] = (json.resource_changes ?? [])
      .filter((r: any) => r.mode === 'managed')
      .map((r: any) => ({ address: r.address, type: r.type, actions: r.change.actions, before: r.change.before, after: r.change.after }));
    return { changes, changed: changes.filter((c) => c.actions.join() !== 'no-op').map((c) => c.address).sort(), json };
  }
}

export interface ValuesPlan {
  readonly ok: boolean;
  /** Terraform's diagnostics when the plan failed (a precondition names the construct and the prop). */
  readonly errors: string;
  /** Each host's user data as Terraform resolves it with these values (output `user_data_<name>`). */
  readonly userData: Record<string, string>;
}

/**
 * Plans `tf` on empty state with the variables set to `values`: the user data is resolved by
 * Terraform itself (the references' boundaries applied), or the plan fails on a precondition.
 */
export function planWithValues(tf: any, values: Record<string, unknown>): ValuesPlan {
  const dir = tempDir('values');
  try {
    const env = terraformEnv(dir);
    const copy = planCopy(tf);
    copy.output = Object.fromEntries(Object.keys(copy.locals ?? {}).map((name) => [name, { value: `\${local.${name}}` }]));
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(copy, null, 2));
    fs.writeFileSync(path.join(dir, 'terraform.tfvars.json'), JSON.stringify({ ...PLAN_VARIABLES, ...values }));
    const init = run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, timeoutMs: 300_000 });
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
    const plan = run('terraform', ['plan', '-refresh=false', '-input=false', '-no-color', '-out=plan.bin'], { cwd: dir, env, timeoutMs: 300_000 });
    if (plan.status !== 0) return { ok: false, errors: plan.stderr + plan.stdout, userData: {} };
    const show = run('terraform', ['show', '-json', 'plan.bin'], { cwd: dir, env, timeoutMs: 300_000 });
    const outputs = JSON.parse(show.stdout).planned_values?.outputs ?? {};
    return { ok: true, errors: '', userData: Object.fromEntries(Object.entries<any>(outputs).map(([k, o]) => [k.replace(/^user_data_/, ''), o.value])) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
