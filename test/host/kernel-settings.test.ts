/**
 * Every kernel setting a host gets, by value, against the hardening and tuning baseline written out
 * here (GUIDANCE.md's kernel rows, the dev-sec os-hardening sysctl controls that apply). Tests
 * elsewhere check that each key exists on this kernel; this one fails when a value is weakened, a
 * key is dropped or one is added unreviewed. `verify:boot` reads every value back in the guest.
 */
import { describe, expect, it } from 'vitest';
import { hostFiles } from '../helpers/host-files';
import { hostStack, synthJson, userDataParts } from '../helpers/stacks';

const BASELINE: Record<string, string> = {
  'net.core.somaxconn': '65535',
  'net.ipv4.tcp_max_syn_backlog': '65535',
  'net.ipv4.tcp_tw_reuse': '1',
  'net.ipv4.tcp_timestamps': '1',
  'net.ipv4.tcp_fin_timeout': '30',
  'net.ipv4.ip_local_port_range': '10240 65535',
  'fs.file-max': '2097152',
  'vm.swappiness': '1',
  'net.core.default_qdisc': 'fq',
  'net.ipv4.tcp_congestion_control': 'bbr',
  'net.ipv4.tcp_fastopen': '3',
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv4.tcp_rfc1337': '1',
  'net.ipv4.conf.all.rp_filter': '1',
  'net.ipv4.conf.default.rp_filter': '1',
  'net.ipv4.conf.all.accept_redirects': '0',
  'net.ipv4.conf.default.accept_redirects': '0',
  'net.ipv6.conf.all.accept_redirects': '0',
  'net.ipv6.conf.default.accept_redirects': '0',
  'net.ipv4.conf.all.secure_redirects': '0',
  'net.ipv4.conf.default.secure_redirects': '0',
  'net.ipv4.conf.all.send_redirects': '0',
  'net.ipv4.conf.default.send_redirects': '0',
  'net.ipv4.conf.all.accept_source_route': '0',
  'net.ipv4.conf.default.accept_source_route': '0',
  'net.ipv6.conf.all.accept_source_route': '0',
  'net.ipv6.conf.default.accept_source_route': '0',
  'net.ipv4.conf.all.log_martians': '1',
  'net.ipv4.conf.default.log_martians': '1',
  'net.ipv4.icmp_echo_ignore_broadcasts': '1',
  'net.ipv4.icmp_ignore_bogus_error_responses': '1',
  'kernel.kptr_restrict': '2',
  'kernel.dmesg_restrict': '1',
  'kernel.randomize_va_space': '2',
  'kernel.unprivileged_bpf_disabled': '1',
  'net.core.bpf_jit_harden': '2',
  'fs.protected_hardlinks': '1',
  'fs.protected_symlinks': '1',
  'fs.protected_fifos': '2',
  'fs.protected_regular': '2',
  'fs.suid_dumpable': '0',
};

function settings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [key, ...value] = line.split('=');
    expect(out[key.trim()], `${key.trim()} set twice`).toBeUndefined();
    out[key.trim()] = value.join('=').trim();
  }
  return out;
}

describe('kernel settings, by value', () => {
  it('a Go host sets exactly the baseline: every key, every value', () => {
    const { stack } = hostStack();
    expect(settings(hostFiles(userDataParts(synthJson(stack))).file('/etc/sysctl.d/60-gohost.conf'))).toEqual(BASELINE);
  });
});
