import { blocks, PolicyResource, PolicyRule } from '../rule';

/** Actions AWS grants on `*` only (no resource-level permissions): `Resource: "*"` is their narrowest grant. */
const RESOURCE_STAR_ONLY = [/^ec2:Describe[A-Za-z]+$/, /^cloudwatch:PutMetricData$/, /^sts:GetCallerIdentity$/, /^ssmmessages:(Create|Open)(Control|Data)Channel$/, /^secretsmanager:ListSecrets$/, /^autoscaling:Describe[A-Za-z]+$/];

/** `${data.aws_iam_policy_document.<name>.json}`: a policy document of the same stack, read from its blocks. */
const POLICY_DOCUMENT_REFERENCE = /^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.(?:minified_)?json\}$/;

/**
 * The statements a policy grants, in IAM's JSON form: the JSON itself, or an aws_iam_policy_document
 * of this stack (its statement blocks, and the documents it builds on); undefined when the policy
 * cannot be read at synth (a variable, another resource's attribute, an expression).
 */
function statements(document: unknown, all: readonly PolicyResource[], depth = 0): any[] | undefined {
  if (typeof document === 'object' && document !== null && 'Statement' in document) return blocks((document as { Statement: unknown }).Statement);
  if (typeof document !== 'string' || depth > 8) return undefined;
  const ref = POLICY_DOCUMENT_REFERENCE.exec(document.trim());
  if (ref) {
    const data = all.find((r) => r.kind === 'data' && r.type === 'aws_iam_policy_document' && r.name === ref[1]);
    if (!data) return undefined;
    const inherited = [...blocks(data.config.source_policy_documents), ...blocks(data.config.override_policy_documents)].map((d) => statements(d, all, depth + 1));
    if (inherited.some((x) => x === undefined)) return undefined;
    const own = blocks(data.config.statement).map((st) => ({
      Effect: st.effect,
      Action: st.actions, NotAction: st.not_actions, Resource: st.resources, NotResource: st.not_resources,
    }));
    return [...inherited.flat(), ...own];
  }
  try {
    return blocks(JSON.parse(document).Statement);
  } catch {
    return undefined;
  }
}

/**
 * AWS-managed policies whose grants are wildcards under another name: every action
 * (AdministratorAccess, PowerUserAccess), every read (ReadOnlyAccess; AmazonSSMManagedInstanceCore
 * reads every SSM parameter of the account), or a whole service (…FullAccess, …ReadWrite).
 */
const BROAD_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?(AdministratorAccess|PowerUserAccess|ReadOnlyAccess|AmazonSSMManagedInstanceCore|[A-Za-z0-9]*(FullAccess|ReadWrite|ReadWriteAccess))$/;

/** The managed policy ARNs a resource attaches (a role's own list, or an attachment). */
function attachedPolicies(r: { readonly type: string; readonly config: any }): string[] {
  if (r.type === 'aws_iam_role_policy_attachment' || r.type === 'aws_iam_user_policy_attachment' || r.type === 'aws_iam_group_policy_attachment' || r.type === 'aws_iam_policy_attachment') return blocks(r.config.policy_arn).map(String);
  if (r.type === 'aws_iam_role' || r.type === 'aws_iam_role_policy_attachments_exclusive') return blocks(r.config.managed_policy_arns ?? r.config.policy_arns).map(String);
  return [];
}

/** GP4: no wildcard actions, and `Resource: "*"` only for actions that have nothing narrower. */
export const NO_IAM_WILDCARDS: PolicyRule = {
  id: 'GP4',
  level: 'error',
  title: 'No IAM wildcards',
  explanation: 'A wildcard grant gives a compromised host every permission the pattern matches, today and whatever AWS adds tomorrow.',
  fix: 'name each action and the one resource it needs',
  check(r, all) {
    if (r.kind !== 'resource') return [];
    const managed = attachedPolicies(r).filter((arn) => BROAD_MANAGED_POLICY.test(arn)).map((arn) => `managed policy ${arn}`);
    if (!['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'].includes(r.type)) return managed;
    const granted = statements(r.config.policy, all);
    // What cannot be read cannot be judged: a finding to fix (a document of this stack) or to suppress with a reason.
    if (granted === undefined) return managed.concat(`policy ${typeof r.config.policy === 'string' ? r.config.policy : JSON.stringify(r.config.policy ?? null)} is unknown at synth (neither JSON nor an aws_iam_policy_document of this stack), so what it grants cannot be judged`);
    return managed.concat(granted.filter((s) => s.Effect !== 'Deny').flatMap((s) => {
      const actions = blocks(s.Action).map(String);
      const resources = blocks(s.Resource).map(String);
      const out: string[] = [];
      // An Allow with NotAction or NotResource grants everything else: a wildcard by another name.
      if (s.NotAction !== undefined) out.push(`NotAction ${blocks(s.NotAction).join(', ')} (every other action)`);
      if (s.NotResource !== undefined) out.push(`NotResource ${blocks(s.NotResource).join(', ')} (every other resource)`);
      // `*`, `s3:*`, `ec2:Describe*` and `s3:GetObjec?` alike.
      for (const a of actions) if (/[*?]/.test(a)) out.push(`action ${a}`);
      if (resources.includes('*') && !actions.every((a) => RESOURCE_STAR_ONLY.some((re) => re.test(a)))) out.push(`resource * for ${actions.join(', ')}`);
      return out;
    }));
  },
};
