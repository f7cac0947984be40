import { PolicyRule } from '../rule';

const LIMIT = 16384;

/** GP5: literal user data fits EC2's 16 KB limit (rendered user data is checked by the hosts themselves). */
export const USER_DATA_SIZE: PolicyRule = {
  id: 'GP5',
  level: 'error',
  title: 'User data under 16 KB',
  explanation: 'EC2 refuses larger user data at launch: the apply fails half-way, after other resources changed.',
  fix: 'gzip it (the cloudinit provider does), or fetch large files from S3 or SSM at boot',
  check(r) {
    if (r.kind !== 'resource' || (r.type !== 'aws_instance' && r.type !== 'aws_launch_template')) return [];
    const plain = r.config.user_data;
    const b64 = r.type === 'aws_launch_template' ? r.config.user_data : r.config.user_data_base64;
    const bytes = typeof plain === 'string' && r.type === 'aws_instance' && !plain.includes('${')
      ? Buffer.byteLength(plain)
      : typeof b64 === 'string' && !b64.includes('${') ? Buffer.from(b64, 'base64').length : 0;
    return bytes > LIMIT ? [`user data is ${bytes} bytes`] : [];
  },
};
