/**
 * What every hardened host gets at first boot, with or without a Go service: kernel settings,
 * firewall, time, journal, sshd and updates (GUIDANCE G3, G6–G13, G19, X1). Pure: no cdktf imports.
 */
import { DistroInfo } from './distro';
import { HostProvisioning } from './provisioning';
import { renderIni } from '../render/ini';
import { renderAptConf, renderKeywordFile, renderSysctl, SysctlEntry } from '../render/text';
import { renderUfwCommands, UfwRule } from '../render/ufw';

/** The host hardening an independent audit (dev-sec os/ssh baselines) expects, as data the checks and the boot proof read. */
export const HOST_HARDENING = {
  bannerFile: '/etc/issue.net',
  banner: 'Authorized access only. Activity on this system is logged and may be monitored.\n',
  refusedModules: ['dccp', 'sctp', 'rds', 'tipc', 'usb-storage', 'firewire-core'],
  umask: '027',
  shaCryptRounds: { SHA_CRYPT_MIN_ROUNDS: 5000, SHA_CRYPT_MAX_ROUNDS: 10000 },
  auditRulesFile: '/etc/audit/rules.d/60-gohost.rules',
  /** Watched paths and their audit keys. */
  auditWatches: [
    ['/etc/passwd', 'identity'], ['/etc/group', 'identity'], ['/etc/shadow', 'identity'], ['/etc/gshadow', 'identity'],
    ['/etc/sudoers', 'privileges'], ['/etc/sudoers.d', 'privileges'], ['/etc/ssh/sshd_config', 'sshd'], ['/etc/ssh/sshd_config.d', 'sshd'],
  ],
  needrestartFile: '/etc/needrestart/conf.d/60-gohost.conf',
} as const;

/** H6: the audit rules (changes to accounts, privileges and sshd; kernel modules; clock steps). */
export function auditRules(): string {
  return [
    '# cdktf-gohost (H6): who changed accounts, privileges or sshd, loaded a kernel module or stepped the clock.',
    ...HOST_HARDENING.auditWatches.map(([path, key]) => `-w ${path} -p wa -k ${key}`),
    '-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k modules',
    // adjtimex is left out: chrony calls it every few seconds and would flood the log.
    '-a always,exit -F arch=b64 -S settimeofday,clock_settime -k time-change',
  ].join('\n') + '\n';
}

/** What every hardened host gets, with or without a Go service (kernel, firewall, time, logs, sshd, updates). */
export interface BaseHostSettings {
  readonly distro: DistroInfo;
  readonly somaxconn: number;
  readonly ephemeralPortRange: readonly [number, number];
  readonly tcpCongestionControl: 'bbr' | 'cubic';
  readonly strictOvercommit: boolean;
  readonly sysctlOverrides: Readonly<Record<string, string | number>>;
  readonly journalSystemMaxUse: string;
  readonly ufwRules: readonly UfwRule[];
  readonly ntpServers: readonly string[];
}

/** The kernel settings (G7–G13 and dev-sec's network/kernel hardening keys that are safe on EC2). */
export function hostSysctl(s: BaseHostSettings): SysctlEntry[] {
  const [portFrom, portTo] = s.ephemeralPortRange;
  const entries: SysctlEntry[] = [
    { key: 'net.core.somaxconn', value: s.somaxconn, why: 'accept queue; nginx `listen ... backlog=` uses the same figure' },
    { key: 'net.ipv4.tcp_max_syn_backlog', value: s.somaxconn, why: 'SYN queue at least as deep as the accept queue' },
    { key: 'net.ipv4.tcp_tw_reuse', value: 1, why: 'reuse TIME_WAIT sockets for outgoing connections (nginx -> upstream). tcp_tw_recycle is gone since Linux 4.12 and is never set' },
    { key: 'net.ipv4.tcp_timestamps', value: 1, why: 'needed by tcp_tw_reuse' },
    { key: 'net.ipv4.tcp_fin_timeout', value: 30, why: 'FIN_WAIT_2 lifetime (TIME_WAIT itself is fixed at 60 s)' },
    { key: 'net.ipv4.ip_local_port_range', value: `${portFrom} ${portTo}`, why: 'ephemeral ports start above every listening port of this host' },
    { key: 'fs.file-max', value: 2097152, why: 'system-wide open files; the service itself is capped by LimitNOFILE in its unit' },
    { key: 'vm.swappiness', value: 1, why: 'keep the Go heap in memory' },
    { key: 'net.core.default_qdisc', value: 'fq', why: 'fair queueing with pacing for BBR' },
    { key: 'net.ipv4.tcp_congestion_control', value: s.tcpCongestionControl, why: 'mainline BBR is "bbr" (there is no "bbr2" in mainline kernels); tcp_bbr is loaded from modules-load.d' },
    { key: 'net.ipv4.tcp_fastopen', value: 3, why: 'TCP Fast Open for clients and servers' },
    { key: 'net.ipv4.tcp_syncookies', value: 1, why: 'survive SYN floods once the SYN queue is full' },
    { key: 'net.ipv4.tcp_rfc1337', value: 1, why: 'drop RST for sockets in TIME_WAIT (RFC 1337)' },
    { key: 'net.ipv4.conf.all.rp_filter', value: 1, why: 'reverse-path filtering against spoofed sources' },
    { key: 'net.ipv4.conf.default.rp_filter', value: 1 },
    { key: 'net.ipv4.conf.all.accept_redirects', value: 0, why: 'ignore ICMP redirects (route hijacking)' },
    { key: 'net.ipv4.conf.default.accept_redirects', value: 0 },
    { key: 'net.ipv6.conf.all.accept_redirects', value: 0 },
    { key: 'net.ipv6.conf.default.accept_redirects', value: 0 },
    { key: 'net.ipv4.conf.all.secure_redirects', value: 0 },
    { key: 'net.ipv4.conf.default.secure_redirects', value: 0 },
    { key: 'net.ipv4.conf.all.send_redirects', value: 0, why: 'a host is not a router' },
    { key: 'net.ipv4.conf.default.send_redirects', value: 0 },
    { key: 'net.ipv4.conf.all.accept_source_route', value: 0, why: 'no source-routed packets' },
    { key: 'net.ipv4.conf.default.accept_source_route', value: 0 },
    { key: 'net.ipv6.conf.all.accept_source_route', value: 0 },
    { key: 'net.ipv6.conf.default.accept_source_route', value: 0 },
    { key: 'net.ipv4.conf.all.log_martians', value: 1, why: 'log impossible source addresses' },
    { key: 'net.ipv4.conf.default.log_martians', value: 1 },
    { key: 'net.ipv4.icmp_echo_ignore_broadcasts', value: 1, why: 'no smurf amplification' },
    { key: 'net.ipv4.icmp_ignore_bogus_error_responses', value: 1 },
    { key: 'kernel.kptr_restrict', value: 2, why: 'hide kernel addresses from every user' },
    { key: 'kernel.dmesg_restrict', value: 1, why: 'kernel log for root only' },
    { key: 'kernel.randomize_va_space', value: 2, why: 'full ASLR' },
    { key: 'kernel.unprivileged_bpf_disabled', value: 1, why: 'no BPF for unprivileged users' },
    { key: 'net.core.bpf_jit_harden', value: 2, why: 'harden the BPF JIT for every user' },
    { key: 'fs.protected_hardlinks', value: 1 },
    { key: 'fs.protected_symlinks', value: 1 },
    { key: 'fs.protected_fifos', value: 2 },
    { key: 'fs.protected_regular', value: 2 },
    { key: 'fs.suid_dumpable', value: 0, why: 'no core dumps of setuid programs' },
  ];
  if (s.strictOvercommit) {
    entries.push(
      { key: 'vm.overcommit_memory', value: 2, why: 'strict overcommit, opted in with strictOvercommit (Go reservations may fail)' },
      { key: 'vm.overcommit_ratio', value: 80 },
    );
  }
  for (const [key, value] of Object.entries(s.sysctlOverrides).sort(([a], [b]) => a.localeCompare(b))) {
    const i = entries.findIndex((e) => e.key === key);
    const entry = { key, value, why: 'set by sysctlOverrides' };
    if (i >= 0) entries[i] = entry;
    else entries.push(entry);
  }
  return entries;
}

/** The hardening every host gets (GUIDANCE G3, G6–G13, G19, X1). */
export function provisionBaseHost(s: BaseHostSettings): HostProvisioning {
  const h = new HostProvisioning();
  h.addPackages('ca-certificates', 'curl', 'ufw', 'unattended-upgrades', 'auditd', 'needrestart');
  h.allowInstanceMetadata('cloud-final.service', 'first-boot provisioning, as root');
  // G3: chrony with the Amazon Time Sync Service (link-local, needs no egress rule).
  h.useChrony(s.ntpServers);
  h.addFile({
    path: '/etc/sysctl.d/60-gohost.conf',
    permissions: '0644',
    content: renderSysctl(['Kernel settings for a Go service host (cdktf-gohost).'], hostSysctl(s)),
  });
  if (s.tcpCongestionControl === 'bbr') {
    h.addFile({
      path: '/etc/modules-load.d/60-gohost-bbr.conf',
      permissions: '0644',
      content: '# BBR congestion control is a module on Ubuntu and Debian kernels; load it before systemd-sysctl runs.\ntcp_bbr\n',
    });
  }
  h.addFile({
    path: '/etc/systemd/journald.conf.d/60-gohost.conf',
    permissions: '0644',
    content: renderIni({
      header: ['Keep the journal across reboots, capped so logs never fill the disk.'],
      sections: [{ name: 'Journal', entries: [['Storage', 'persistent'], ['SystemMaxUse', s.journalSystemMaxUse], ['Compress', true]] }],
    }),
  });
  h.addFile({
    path: '/etc/ssh/sshd_config.d/10-gohost-hardening.conf',
    permissions: '0644',
    content: renderKeywordFile(
      ["sshd keeps the first value it reads for a keyword; 10- sorts before cloud-init's 50- file."],
      [
        ['PermitRootLogin', 'no'],
        ['PasswordAuthentication', 'no'],
        ['KbdInteractiveAuthentication', 'no'],
        ['PermitEmptyPasswords', 'no'],
        ['X11Forwarding', 'no'],
        ['AllowAgentForwarding', 'no'],
        ['MaxAuthTries', 3],
        ['LoginGraceTime', 30],
        ['ClientAliveInterval', 300],
        ['ClientAliveCountMax', 2],
        // dev-sec ssh-hardening: no tunnels through sshd (SSM port forwarding does not use it), one log line per key.
        ['AllowTcpForwarding', 'no'],
        ['AllowStreamLocalForwarding', 'no'],
        ['PermitTunnel', 'no'],
        ['MaxSessions', 2],
        ['TCPKeepAlive', 'no'],
        ['LogLevel', 'VERBOSE'],
        ['Banner', HOST_HARDENING.bannerFile],
      ],
    ),
  });
  // H2: a legal notice before login (console and SSH).
  for (const path of ['/etc/issue', HOST_HARDENING.bannerFile]) h.addFile({ path, permissions: '0644', content: HOST_HARDENING.banner });
  // H3: network protocols and storage buses a Go service host on EC2 never uses cannot be loaded.
  h.addFile({
    path: '/etc/modprobe.d/60-gohost-blacklist.conf',
    permissions: '0644',
    content: [
      '# Modules a Go service host on EC2 never needs (dev-sec os-hardening): loading them runs /bin/false.',
      ...HOST_HARDENING.refusedModules.map((m) => `install ${m} /bin/false`),
    ].join('\n') + '\n',
  });
  // H4: no core dumps from login sessions (setuid programs are covered by fs.suid_dumpable).
  h.addFile({
    path: '/etc/security/limits.d/60-gohost-core.conf',
    permissions: '0644',
    content: '# No core dumps from PAM sessions: they can hold secrets from memory.\n* hard core 0\n',
  });
  // H6: the audit daemon loads rules.d when the package starts it (augenrules).
  h.addFile({ path: HOST_HARDENING.auditRulesFile, permissions: '0640', content: auditRules() });
  // H7: services still running outdated libraries after an unattended upgrade are restarted.
  h.addFile({
    path: HOST_HARDENING.needrestartFile,
    permissions: '0644',
    content: "# cdktf-gohost (H7): restart services using outdated libraries after upgrades, without asking; no kernel hints.\n$nrconf{restart} = 'a';\n$nrconf{kernelhints} = 0;\n",
  });
  h.addFile({
    path: '/etc/apt/apt.conf.d/20auto-upgrades',
    permissions: '0644',
    // Deferred: the unattended-upgrades package writes this file itself when it is installed.
    defer: true,
    content: renderAptConf(
      ['Security updates every day (the distribution default origins are security-only); no automatic reboot.'],
      [
        ['APT::Periodic::Update-Package-Lists', '1'],
        ['APT::Periodic::Unattended-Upgrade', '1'],
        ['APT::Periodic::AutocleanInterval', '7'],
      ],
    ),
  });
  h.addStep('system', {
    name: 'kernel settings',
    lines: [...(s.tcpCongestionControl === 'bbr' ? ['modprobe tcp_bbr'] : []), 'sysctl --system >/dev/null'],
  });
  h.addStep('system', { name: 'persistent journal', lines: ['systemctl restart systemd-journald.service'] });
  h.addStep('system', {
    name: 'audit rules',
    lines: [
      '# H6: journald turns kernel auditing off when it restarts (the step above); load the rules and turn it on again.',
      'augenrules --load >/dev/null',
      'auditctl -e 1 >/dev/null',
    ],
  });
  h.addStep('system', { name: 'sshd hardening', lines: ['sshd -t', 'systemctl try-reload-or-restart ssh.service'] });
  h.addStep('system', {
    name: 'login defaults',
    lines: [
      '# H5: new files and home directories private to their owner\'s group; more rounds for password hashes.',
      `sed -ri 's/^UMASK[[:space:]].*/UMASK\t\t${HOST_HARDENING.umask}/' /etc/login.defs`,
      // Debian 13's login.defs has no UMASK line to replace.
      `grep -q '^UMASK[[:space:]]' /etc/login.defs || printf 'UMASK\\t\\t${HOST_HARDENING.umask}\\n' >> /etc/login.defs`,
      ...(['SHA_CRYPT_MIN_ROUNDS', 'SHA_CRYPT_MAX_ROUNDS'] as const).map((key) =>
        `grep -q '^${key}' /etc/login.defs || echo '${key} ${HOST_HARDENING.shaCryptRounds[key]}' >> /etc/login.defs`),
    ],
  });
  h.addStep('firewall', {
    name: 'firewall (ufw) from the port model',
    lines: [
      '# ufw would otherwise apply its own sysctl file over ours at every start.',
      "sed -i 's|^IPT_SYSCTL=.*|IPT_SYSCTL=/etc/sysctl.d/60-gohost.conf|' /etc/default/ufw",
      ...renderUfwCommands(s.ufwRules),
    ],
  });
  return h;
}

