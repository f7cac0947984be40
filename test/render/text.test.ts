import { describe, expect, it } from 'vitest';
import { renderAptConf, renderKeywordFile, renderLimits, renderSysctl } from '../../lib/render/text';

describe('renderSysctl', () => {
  it('prints key = value with the reason above it', () => {
    expect(renderSysctl(['h'], [{ key: 'vm.swappiness', value: 1, why: 'keep the heap in memory' }])).toBe(
      '# h\n# keep the heap in memory\nvm.swappiness = 1\n',
    );
  });

  it('prints a key without a reason on its own', () => {
    expect(renderSysctl([], [{ key: 'a.b', value: '1 2' }])).toBe('a.b = 1 2\n');
  });
});

describe('renderKeywordFile', () => {
  it('prints "Keyword value" lines', () => {
    expect(renderKeywordFile(['h'], [['PermitRootLogin', 'no'], ['MaxAuthTries', 3]])).toBe('# h\nPermitRootLogin no\nMaxAuthTries 3\n');
  });
});

describe('renderLimits', () => {
  it('prints domain, type, item and value', () => {
    expect(renderLimits([], [{ domain: 'svc', type: 'soft', item: 'nofile', value: 65536 }])).toBe('svc soft nofile 65536\n');
  });
});

describe('renderAptConf', () => {
  it('prints quoted values terminated by semicolons', () => {
    expect(renderAptConf([], [['APT::Periodic::Unattended-Upgrade', '1']])).toBe('APT::Periodic::Unattended-Upgrade "1";\n');
  });
});
