import { describe, expect, it } from 'vitest';
import { renderIni } from '../../lib/render/ini';
import { dailyTimer, environmentAssignment, renderSystemdUnit } from '../../lib/render/systemd';

describe('renderIni', () => {
  it('prints sections with Key=Value lines separated by one blank line', () => {
    expect(
      renderIni({
        sections: [
          { name: 'A', entries: [['One', '1']] },
          { name: 'B', entries: [['Two', 2]] },
        ],
      }),
    ).toBe('[A]\nOne=1\n\n[B]\nTwo=2\n');
  });

  it('repeats a key once per list element', () => {
    expect(renderIni({ sections: [{ name: 'S', entries: [['K', ['a', 'b']]] }] })).toBe('[S]\nK=a\nK=b\n');
  });

  it('prints booleans as yes/no', () => {
    expect(renderIni({ sections: [{ name: 'S', entries: [['On', true], ['Off', false]] }] })).toBe('[S]\nOn=yes\nOff=no\n');
  });

  it('leaves out undefined values and empty sections', () => {
    expect(renderIni({ sections: [{ name: 'E', entries: [['X', undefined]] }, { name: 'S', entries: [['Y', 'y']] }] })).toBe('[S]\nY=y\n');
  });

  it('prints an empty string as an empty assignment (resets a list in systemd)', () => {
    expect(renderIni({ sections: [{ name: 'S', entries: [['CapabilityBoundingSet', '']] }] })).toBe('[S]\nCapabilityBoundingSet=\n');
  });

  it('prints header comments before the first section', () => {
    expect(renderIni({ header: ['why', ''], sections: [{ name: 'S', entries: [['K', 'v']] }] })).toBe('# why\n#\n\n[S]\nK=v\n');
  });
});

describe('renderSystemdUnit', () => {
  it('puts StartLimit* in [Unit], where systemd reads them', () => {
    expect(
      renderSystemdUnit({ unit: { StartLimitIntervalSec: 60, StartLimitBurst: 3 }, service: { Restart: 'on-failure', RestartSec: 5 } }),
    ).toBe('[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=3\n\n[Service]\nRestart=on-failure\nRestartSec=5\n');
  });

  it('prints a drop-in with only the sections it has', () => {
    expect(renderSystemdUnit({ service: { ExecStartPre: ['/usr/sbin/nginx -t -q'] } })).toBe('[Service]\nExecStartPre=/usr/sbin/nginx -t -q\n');
  });

  it('prints [Install] last', () => {
    expect(renderSystemdUnit({ install: { WantedBy: ['multi-user.target'] }, unit: { Description: 'd' } })).toBe(
      '[Unit]\nDescription=d\n\n[Install]\nWantedBy=multi-user.target\n',
    );
  });
});

describe('environmentAssignment', () => {
  it('leaves a plain value unquoted', () => {
    expect(environmentAssignment('APP_ENV', 'production')).toBe('APP_ENV=production');
  });

  it('quotes a value with spaces and escapes quotes and backslashes', () => {
    expect(environmentAssignment('MSG', 'say "hi" \\ now')).toBe('"MSG=say \\"hi\\" \\\\ now"');
  });

  it('doubles % so systemd does not read it as a specifier', () => {
    expect(environmentAssignment('RATE', '50%')).toBe('RATE=50%%');
  });
});

describe('systemd drop-ins and timers through the model', () => {
  it('a drop-in holds only the sections it sets', () => {
    expect(renderSystemdUnit({ service: { Environment: [environmentAssignment('GF_SERVER_HTTP_ADDR', '127.0.0.1')] } })).toBe('[Service]\nEnvironment=GF_SERVER_HTTP_ADDR=127.0.0.1\n');
  });

  it('dailyTimer: once a day, spread over an hour, catching up after downtime', () => {
    expect(dailyTimer('Renew it')).toBe('[Unit]\nDescription=Renew it\n\n[Timer]\nOnCalendar=daily\nRandomizedDelaySec=1h\nPersistent=yes\n\n[Install]\nWantedBy=timers.target\n');
  });
});
