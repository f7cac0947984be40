import { describe, expect, it } from 'vitest';
import { Port } from '../../lib/network/port';
import { renderMultipart } from '../../lib/render/mime';
import { renderBashScript, renderShellScript, shq } from '../../lib/render/shell';
import { renderUfwCommands } from '../../lib/render/ufw';

describe('renderMultipart (as the cloudinit provider writes it)', () => {
  it('writes one part with sorted headers and CRLF line ends', () => {
    expect(renderMultipart([{ contentType: 'text/cloud-config', filename: 'a.yaml', content: '#cloud-config\n' }])).toBe(
      'Content-Type: multipart/mixed; boundary="MIMEBOUNDARY"\nMIME-Version: 1.0\r\n\r\n' +
        '--MIMEBOUNDARY\r\nContent-Disposition: attachment; filename="a.yaml"\r\nContent-Transfer-Encoding: 7bit\r\n' +
        'Content-Type: text/cloud-config\r\nMime-Version: 1.0\r\n\r\n#cloud-config\n\r\n--MIMEBOUNDARY--\r\n',
    );
  });

  it('separates parts with CRLF before the boundary and adds X-Merge-Type when given', () => {
    const out = renderMultipart([
      { contentType: 'text/plain', content: 'a' },
      { contentType: 'text/x-shellscript', content: 'b', mergeType: 'list(append)' },
    ]);
    expect(out).toBe(
      'Content-Type: multipart/mixed; boundary="MIMEBOUNDARY"\nMIME-Version: 1.0\r\n\r\n' +
        '--MIMEBOUNDARY\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/plain\r\nMime-Version: 1.0\r\n\r\na' +
        '\r\n--MIMEBOUNDARY\r\nContent-Transfer-Encoding: 7bit\r\nContent-Type: text/x-shellscript\r\nMime-Version: 1.0\r\nX-Merge-Type: list(append)\r\n\r\nb' +
        '\r\n--MIMEBOUNDARY--\r\n',
    );
  });
});

describe('renderUfwCommands', () => {
  const DEFAULTS = `sed -i -e 's|^DEFAULT_INPUT_POLICY=.*|DEFAULT_INPUT_POLICY="DROP"|' -e 's|^DEFAULT_OUTPUT_POLICY=.*|DEFAULT_OUTPUT_POLICY="ACCEPT"|' /etc/default/ufw`;

  it('denies inbound by default and enables with --force last', () => {
    expect(renderUfwCommands([])).toEqual([DEFAULTS, 'ufw --force enable']);
  });

  it('allows SSH before any other rule so enabling never cuts an admin session', () => {
    const cmds = renderUfwCommands([
      { port: Port.HTTPS, from: '0.0.0.0/0', comment: 'https' },
      { port: Port.SSH, from: '203.0.113.0/24', comment: 'admin ssh' },
    ]);
    expect(cmds.slice(1, 3)).toEqual([
      "ufw allow proto tcp from 203.0.113.0/24 to any port 22 comment 'admin ssh'",
      "ufw allow proto tcp from 0.0.0.0/0 to any port 443 comment 'https'",
    ]);
  });

  it('writes port ranges with a colon and strips quotes from comments', () => {
    expect(renderUfwCommands([{ port: Port.udp(443), from: '::/0', comment: "it's quic" }])[1]).toBe(
      "ufw allow proto udp from ::/0 to any port 443 comment 'its quic'",
    );
    expect(renderUfwCommands([{ port: Port.tcpRange(9100, 9113), from: '10.0.0.0/8', comment: 'x' }])[1]).toBe(
      "ufw allow proto tcp from 10.0.0.0/8 to any port 9100:9113 comment 'x'",
    );
  });

  it('merges the ports of one protocol and source into one multiport rule, joining their comments', () => {
    expect(
      renderUfwCommands([
        { port: Port.NODE_EXPORTER, from: '10.0.0.0/8', comment: 'node_exporter' },
        { port: Port.udp(53), from: '10.0.0.0/8', comment: 'dns' },
        { port: Port.NGINX_EXPORTER, from: '10.0.0.0/8', comment: 'nginx exporter' },
        { port: Port.NODE_EXPORTER, from: '10.0.0.0/8', comment: 'node_exporter' },
      ]).slice(1, -1),
    ).toEqual([
      "ufw allow proto tcp from 10.0.0.0/8 to any port 9100,9113 comment 'node_exporter, nginx exporter'",
      "ufw allow proto udp from 10.0.0.0/8 to any port 53 comment 'dns'",
    ]);
  });

  it('writes "from any" when IPv4 and IPv6 anywhere admit the same ports', () => {
    expect(
      renderUfwCommands([
        { port: Port.HTTP, from: '0.0.0.0/0', comment: 'http' },
        { port: Port.HTTP, from: '::/0', comment: 'http' },
      ]).slice(1, -1),
    ).toEqual(["ufw allow proto tcp from any to any port 80 comment 'http'"]);
  });

  it('keeps the two anywhere rules apart when their ports differ', () => {
    expect(
      renderUfwCommands([
        { port: Port.HTTP, from: '0.0.0.0/0', comment: 'http' },
        { port: Port.HTTPS, from: '::/0', comment: 'https' },
      ]).slice(1, -1),
    ).toEqual(["ufw allow proto tcp from 0.0.0.0/0 to any port 80 comment 'http'", "ufw allow proto tcp from ::/0 to any port 443 comment 'https'"]);
  });

  it("splits a source's ports into rules of at most 15 multiport slots (a range takes two)", () => {
    const rules = [...Array.from({ length: 14 }, (_, i) => Port.tcp(7000 + i)), Port.tcpRange(8000, 8010)].map((port) => ({ port, from: '10.0.0.0/8', comment: 'x' }));
    expect(renderUfwCommands(rules).slice(1, -1).map((c) => /port (\S+)/.exec(c)![1])).toEqual([
      '7000,7001,7002,7003,7004,7005,7006,7007,7008,7009,7010,7011,7012,7013',
      '8000:8010',
    ]);
  });
});

describe('renderShellScript', () => {
  it('is a strict bash script with logged, named steps', () => {
    expect(renderShellScript({ description: ['what'], preamble: ['log() { :; }'], steps: [{ name: 'one step', lines: ['true'] }] })).toBe(
      "#!/usr/bin/env bash\n# what\nset -euo pipefail\n\nlog() { :; }\n\n# --- one step\nlog 'one step'\ntrue\n",
    );
  });

  it('quotes words for bash only when needed', () => {
    expect(shq('/a/b-c.d')).toBe('/a/b-c.d');
    expect(shq("it's here")).toBe("'it'\\''s here'");
  });
});

describe('renderBashScript (the helpers installed on hosts)', () => {
  it('prints shebang, description, strict mode and body, exactly', () => {
    expect(renderBashScript({ description: ['does a thing.', '', 'in two parts'], body: ['echo one', 'echo "two"'] })).toBe(
      '#!/usr/bin/env bash\n# does a thing.\n#\n# in two parts\nset -euo pipefail\necho one\necho "two"\n',
    );
  });
});
