import { describe, expect, it } from 'vitest';
import { Port } from '../../lib/model/port';
import { renderMultipart } from '../../lib/render/mime';
import { renderShellScript, shq } from '../../lib/render/shell';
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
  it('denies inbound by default and enables with --force last', () => {
    expect(renderUfwCommands([])).toEqual(['ufw default deny incoming', 'ufw default allow outgoing', 'ufw --force enable']);
  });

  it('allows SSH before any other rule so enabling never cuts an admin session', () => {
    const cmds = renderUfwCommands([
      { port: Port.HTTPS, from: '0.0.0.0/0', comment: 'https' },
      { port: Port.SSH, from: '203.0.113.0/24', comment: 'admin ssh' },
    ]);
    expect(cmds.slice(2, 4)).toEqual([
      "ufw allow proto tcp from 203.0.113.0/24 to any port 22 comment 'admin ssh'",
      "ufw allow proto tcp from 0.0.0.0/0 to any port 443 comment 'https'",
    ]);
  });

  it('writes port ranges with a colon and strips quotes from comments', () => {
    expect(renderUfwCommands([{ port: Port.udp(443), from: '::/0', comment: "it's quic" }])[2]).toBe(
      "ufw allow proto udp from ::/0 to any port 443 comment 'its quic'",
    );
    expect(renderUfwCommands([{ port: Port.tcpRange(9100, 9113), from: '10.0.0.0/8', comment: 'x' }])[2]).toBe(
      "ufw allow proto tcp from 10.0.0.0/8 to any port 9100:9113 comment 'x'",
    );
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
