/**
 * Names a Go service must not take. Its unit would shadow a distribution unit (`ssh`,
 * `systemd-journald`), its user would reuse a system account (`backup`), or it would take a name
 * the library's own hosts use. Debian 12's lists are generated (distribution-names.ts); Ubuntu
 * 24.04's could not be produced here (no Ubuntu mirror is reachable from the build machine), so the
 * names its EC2 image adds over Debian's are listed by hand below.
 */
import { DEBIAN_12_ACCOUNTS, DEBIAN_12_UNITS } from './distribution-names';

/** Units and accounts of Ubuntu 24.04's EC2 image that Debian 12 does not have (by hand, see above). */
const UBUNTU_24_04_EXTRA = [
  'snapd', 'snap', 'multipathd', 'apport', 'ubuntu-advantage', 'ua-timer', 'ua-reboot-cmds', 'motd-news', 'landscape', 'landscape-client',
  'systemd-resolved', 'systemd-resolve', 'systemd-timesyncd', 'systemd-timesync', 'polkit', 'polkitd', 'rsyslog', 'syslog', 'lxd', 'lxd-agent',
  'open-iscsi', 'iscsid', 'udisks2', 'fwupd', 'fwupd-refresh', 'packagekit', 'pollinate', 'apparmor', 'irqbalance', 'tss', 'uuidd', 'tcpdump',
  'usbmux', 'dhcpcd', 'messagebus', 'dbus', 'ec2-instance-connect', 'hibinit-agent', 'amazon-ssm-agent', 'ubuntu', 'cloud',
];

/** Names the library's hosts use themselves (login users of the AMIs, the observability agents). */
const LIBRARY_NAMES = ['admin', 'debian', 'ec2-user', 'alloy', 'loki', 'grafana', 'grafana-server', 'nginx'];

export const RESERVED_SERVICE_NAMES: ReadonlySet<string> = new Set([...DEBIAN_12_UNITS, ...DEBIAN_12_ACCOUNTS, ...UBUNTU_24_04_EXTRA, ...LIBRARY_NAMES]);
