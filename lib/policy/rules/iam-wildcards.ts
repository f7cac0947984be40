import { blocks, PolicyRule } from '../rule';

/** Actions AWS grants on `*` only (no resource-level permissions): `Resource: "*"` is their narrowest grant. */
const RESOURCE_STAR_ONLY = [/^ec2:Describe[A-Za-z]+$/, /^cloudwatch:PutMetricData$/, /^sts:GetCallerIdentity$/, /^ssmmessages:(Create|Open)(Control|Data)Channel$/, /^secretsmanager:ListSecrets$/, /^autoscaling:Describe[A-Za-z]+$/];

function statements(document: unknown): any[] {
  if (typeof document !== 'string') return [];
  try {
    return blocks(JSON.parse(document).Statement);
  } catch {
    return [];
  }
}

/** GP4: no wildcard actions, and `Resource: "*"` only for actions that have nothing narrower. */
export const NO_IAM_WILDCARDS: PolicyRule = {
  id: 'GP4',
  level: 'error',
  title: 'No IAM wildcards',
  explanation: 'A wildcard grant gives a compromised host every permission the pattern matches, today and whatever AWS adds tomorrow.',
  fix: 'name each action and the one resource it needs',
  check(r) {
    if (r.kind !== 'resource' || !['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'].includes(r.type)) return [];
    return statements(r.config.policy).filter((s) => s.Effect !== 'Deny').flatMap((s) => {
      const actions = blocks(s.Action).map(String);
      const resources = blocks(s.Resource).map(String);
      const out: string[] = [];
      // `*`, `s3:*` and `ec2:Describe*` alike.
      for (const a of actions) if (a.includes('*')) out.push(`action ${a}`);
      if (resources.includes('*') && !actions.every((a) => RESOURCE_STAR_ONLY.some((re) => re.test(a)))) out.push(`resource * for ${actions.join(', ')}`);
      return out;
    });
  },
};
