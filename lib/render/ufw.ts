/** UFW commands from port rules. Pure: no cdktf imports. */
import { Port } from '../model/port';

export interface UfwRule {
  readonly port: Port;
  /** Source CIDR. */
  readonly from: string;
  readonly comment: string;
}

function clean(comment: string): string {
  return comment.replace(/[^A-Za-z0-9 ._:/-]/g, '').slice(0, 200);
}

function portSpec(port: Port): string {
  return port.fromPort === port.toPort ? `${port.fromPort}` : `${port.fromPort}:${port.toPort}`;
}

/**
 * Default-deny inbound, then one `allow` per rule (SSH rules first, so enabling never cuts an
 * admin session), then `--force enable` (without it ufw prompts and aborts non-interactively).
 */
export function renderUfwCommands(rules: readonly UfwRule[]): string[] {
  const ssh = rules.filter((r) => r.port.protocol === 'tcp' && r.port.includes(22));
  const rest = rules.filter((r) => !ssh.includes(r));
  return [
    'ufw default deny incoming',
    'ufw default allow outgoing',
    ...[...ssh, ...rest].map(
      (r) => `ufw allow proto ${r.port.protocol} from ${r.from} to any port ${portSpec(r.port)} comment '${clean(r.comment)}'`,
    ),
    'ufw --force enable',
  ];
}
