import { describe, expect, it } from 'vitest';
import { renderCloudConfig } from '../../lib/render/cloud-config';

describe('renderCloudConfig', () => {
  it('starts with the #cloud-config marker', () => {
    expect(renderCloudConfig({})).toBe('#cloud-config\n{}\n');
  });

  it('renders a system user after the default user', () => {
    expect(
      renderCloudConfig({ users: ['default', { name: 'svc', system: true, shell: '/usr/sbin/nologin', lockPasswd: true }] }),
    ).toBe('#cloud-config\nusers:\n  - default\n  - name: svc\n    system: true\n    shell: /usr/sbin/nologin\n    lock_passwd: true\n');
  });

  it('renders permissions as a quoted octal string, as the schema requires', () => {
    expect(renderCloudConfig({ writeFiles: [{ path: '/x', permissions: '0644', content: 'a\n' }] })).toBe(
      '#cloud-config\nwrite_files:\n  - path: /x\n    permissions: "0644"\n    content: |\n      a\n',
    );
  });

  it('marks deferred files with defer: true', () => {
    expect(renderCloudConfig({ writeFiles: [{ path: '/x', permissions: '0640', owner: 'root:svc', defer: true, content: 'a\n' }] })).toBe(
      '#cloud-config\nwrite_files:\n  - path: /x\n    owner: root:svc\n    permissions: "0640"\n    defer: true\n    content: |\n      a\n',
    );
  });

  it('renders the ntp module for chrony', () => {
    expect(renderCloudConfig({ ntp: { ntpClient: 'chrony', servers: ['169.254.169.123'] } })).toBe(
      '#cloud-config\nntp:\n  enabled: true\n  ntp_client: chrony\n  servers:\n    - 169.254.169.123\n',
    );
  });

  it('renders packages after package_update', () => {
    expect(renderCloudConfig({ packageUpdate: true, packages: ['curl'] })).toBe('#cloud-config\npackage_update: true\npackages:\n  - curl\n');
  });

  it('renders apt sources with their keys', () => {
    expect(renderCloudConfig({ aptSources: { grafana: { source: 'deb [signed-by=$KEY_FILE] https://apt.example stable main', key: 'K' } } })).toBe(
      '#cloud-config\napt:\n  sources:\n    grafana:\n      source: deb [signed-by=$KEY_FILE] https://apt.example stable main\n      key: K\n',
    );
  });

  it('quotes strings YAML would otherwise read as another type', () => {
    expect(renderCloudConfig({ runcmd: [['echo', 'yes'], 'true'] })).toBe('#cloud-config\nruncmd:\n  - - echo\n    - "yes"\n  - "true"\n');
  });
});
