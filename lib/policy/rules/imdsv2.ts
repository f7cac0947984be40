import { blocks, PolicyRule } from '../rule';

/** GP1: instances and launch templates require IMDSv2 session tokens. */
export const IMDSV2_REQUIRED: PolicyRule = {
  id: 'GP1',
  level: 'error',
  title: 'IMDSv2 required',
  explanation: 'With IMDSv1 a server-side request forgery in any process reads the instance role\'s credentials from the metadata service.',
  fix: 'set metadata_options { http_tokens = "required" } (HardenedHost does this)',
  check(r) {
    if (r.kind !== 'resource' || (r.type !== 'aws_instance' && r.type !== 'aws_launch_template')) return [];
    const options = blocks(r.config.metadata_options)[0];
    if (options?.http_endpoint === 'disabled') return [];
    return options?.http_tokens === 'required' ? [] : [`http_tokens is ${JSON.stringify(options?.http_tokens ?? 'optional (the default)')}`];
  },
};
