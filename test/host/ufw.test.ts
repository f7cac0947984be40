/**
 * The firewall step of the user data, run by the real ufw (Debian's ufw + iptables) in private
 * mount and network namespaces: it must end active, deny inbound by default, and hold exactly the
 * port model's rules, merged per source into multiport rules.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Peer, Port } from '../../lib';
import { hostFiles } from '../helpers/host-files';
import { inPrivateRoot } from '../helpers/namespaces';
import { hostStack, synthJson, userDataParts } from '../helpers/stacks';
import { requireTool } from '../helpers/tools';
import { fleetFiles } from '../helpers/observability';
import { frontDoorFiles } from '../helpers/front-door';

/** The lines of one named step of the user-data script. */
function step(script: string, name: string): string {
  const start = script.indexOf(`# --- ${name}\n`);
  if (start < 0) throw new Error(`no step "${name}" in the script`);
  const end = script.indexOf('\n# --- ', start + 1);
  return script.slice(start, end < 0 ? undefined : end + 1).replace(/^log .*$/m, '');
}

interface UfwOutcome {
  readonly status: string;
  /** The kernel's INPUT policy, IPv4 then IPv6. */
  readonly policy: string;
  readonly v4: string[];
  readonly v6: string[];
}

function runFirewallStep(script: string): UfwOutcome {
  const fw = step(script, 'firewall (ufw) from the port model');
  const r = inPrivateRoot(
    [
      // ufw applies IPT_SYSCTL at enable; only net.* keys are per namespace, so the host's file must not exist here.
      'test ! -e /etc/sysctl.d/60-gohost.conf',
      // As the package leaves a fresh host (inside the overlay: whatever this machine's ufw holds stays untouched).
      'cp /usr/share/ufw/iptables/user.rules /usr/share/ufw/iptables/user6.rules /etc/ufw/',
      "sed -i 's/^ENABLED=.*/ENABLED=no/' /etc/ufw/ufw.conf",
      fw,
      'echo "--- status"; ufw status verbose',
      'echo "--- policy"; iptables -S INPUT | head -1; ip6tables -S INPUT | head -1',
      'echo "--- v4"; iptables -S ufw-user-input',
      'echo "--- v6"; ip6tables -S ufw6-user-input',
    ].join('\n'),
  );
  if (r.status !== 0) throw new Error(`firewall step failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const section = (name: string) => r.stdout.split(`--- ${name}\n`)[1].split('\n--- ')[0];
  const rules = (text: string) => text.split('\n').filter((l) => l.startsWith('-A '));
  return { status: section('status'), policy: section('policy'), v4: rules(section('v4')), v6: rules(section('v6')) };
}

let scripts: Record<string, string>;
beforeAll(() => {
  for (const t of ['ufw', 'unshare', 'ip']) requireTool(t);
  const fleet = fleetFiles();
  scripts = {
    'fleet/FrontDoor': fleet.host('FrontDoor').script,
    'fleet/Api': fleet.host('Api').script,
    'fleet/Observability': fleet.host('Observability').script,
    'own-instance front door (defaults)': frontDoorFiles().script,
  };
});

describe('the firewall step under the real ufw', () => {
  it('fleet front door: active, deny inbound, one multiport rule per source', () => {
    const out = runFirewallStep(scripts['fleet/FrontDoor']);
    expect(out.status).toContain('Status: active\n');
    expect(out.status).toContain('Default: deny (incoming), allow (outgoing), disabled (routed)\n');
    expect(out.policy).toBe('-P INPUT DROP\n-P INPUT DROP');
    expect(out.status.split('\n').filter((l) => /ALLOW IN/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      '80,443/tcp ALLOW IN Anywhere # HTTP ACME and redirect, HTTPS',
      // The monitoring host's own address (its network interface's, resolved as Terraform would), not every private range.
      '9100,9113/tcp ALLOW IN 10.0.1.20 # node_exporter from monitoring, nginx exporter from monitoring',
      '80,443/tcp (v6) ALLOW IN Anywhere (v6) # HTTP ACME and redirect, HTTPS',
    ]);
    expect(out.v4).toEqual([
      '-A ufw-user-input -p tcp -m multiport --dports 80,443 -j ACCEPT',
      '-A ufw-user-input -s 10.0.1.20/32 -p tcp -m multiport --dports 9100,9113 -j ACCEPT',
    ]);
    expect(out.v6).toEqual(['-A ufw6-user-input -p tcp -m multiport --dports 80,443 -j ACCEPT']);
  });

  it.each(['fleet/Api', 'fleet/Observability', 'own-instance front door (defaults)'])('%s: active with deny inbound and only its allow rules', (host) => {
    const out = runFirewallStep(scripts[host]);
    expect(out.status).toContain('Status: active\n');
    expect(out.status).toContain('Default: deny (incoming), allow (outgoing)');
    // Two groups of one VPC resolve to the same CIDR: ufw keeps one rule for both (it skips an existing rule).
    const allows = [...new Set(scripts[host].split('\n').filter((l) => l.startsWith('ufw allow')).map((l) => l.replace(/ comment .*/, '')))];
    // IPv4 sources and "any" land in the v4 table; IPv6 sources and "any" in the v6 table.
    expect(out.v4).toHaveLength(allows.filter((l) => !/ from [0-9a-f]*:/.test(l)).length);
    expect(out.v6).toHaveLength(allows.filter((l) => / from (any|[0-9a-f]*:)/.test(l)).length);
  });

  it('admits SSH from the admin CIDR before any other rule, and IPv6-only sources only in the v6 table', () => {
    const { stack, host } = hostStack({ adminSshCidrs: ['203.0.113.0/24'] });
    host.connections.allowFrom(Peer.ipv6('2001:db8::/32'), Port.tcp(8080), 'app from the v6 VPC');
    host.connections.allowFrom(Peer.ipv4('10.1.0.0/16'), Port.tcpRange(9000, 9010), 'debug range');
    const out = runFirewallStep(hostFiles(userDataParts(synthJson(stack))).script);
    expect(out.v4[0]).toBe('-A ufw-user-input -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j ACCEPT');
    expect(out.v4).toContain('-A ufw-user-input -s 10.1.0.0/16 -p tcp -m multiport --dports 9000:9010 -j ACCEPT');
    expect(out.v6).toEqual(['-A ufw6-user-input -s 2001:db8::/32 -p tcp -m tcp --dport 8080 -j ACCEPT']);
  });
});
