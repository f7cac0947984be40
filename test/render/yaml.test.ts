import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { YamlValue, renderYaml } from '../../lib/render/yaml';

const OPTIONS = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;
const yamlLibrary = (v: YamlValue) => stringify(v, OPTIONS);

// Characters that decide plain, quoted or block: indicators, whitespace, line breaks of every kind, controls, non-ASCII.
const CHARS = ['a', 'Z', '0', '7', ' ', ' ', '\n', '\n', '\t', ':', '#', '-', '|', '>', '"', "'", '{', '[', ',', '*', '&', '!', '%', '@', '`', '~', '?', '=', '.', '/', '_', '+', '\\', '\r', '\x01', '\x7f', '\x85', '\u2028', '\ufeff', 'é', '→', '😀'];
const WORDS = ['y', 'N', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', 'Null', '~', '', '0644', '1:20', '0x1F', '.inf', '1e3', '2001-12-14', '<<', '=', '-', 'a: b', 'a #b',
  'systemctl daemon-reload', '/usr/sbin/nologin', 'line one\nline two\n', 'no newline\nat end', ' lead\nx\n', 'x\n\n', 'x\n  ', '\nx\n', '#!/bin/bash\nset -euo pipefail\n'];
const text = fc.oneof(fc.constantFrom(...WORDS), fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((cs) => cs.join('')));
const scalar: fc.Arbitrary<YamlValue> = fc.oneof({ weight: 6, arbitrary: text }, fc.boolean(), fc.integer(), fc.double(), fc.constant(null), fc.constant(-0));
// Keys as cloud-config has them. Outside that: the yaml library prints a nested key with a leading
// space, `%`, `---` or `...` or a line separator unquoted (renderYaml quotes every key as yaml does
// at the top level, where those mean something), a leading BOM is dropped by readers, and `<<` is
// YAML 1.1's merge key.
const keyText = text.filter((k) => !/^(?:\s|%|---|\.\.\.)|[\x00-\x1f\x7f\x85\u2028\u2029\ufeff]/.test(k) && k !== '<<');
const { value } = fc.letrec<{ value: YamlValue }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keyText, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 4 })),
}));

// Whitespace-only multi-line text, which the yaml library prints as a block that reads back without its spaces.
const WHITESPACE_ONLY_JSON = /"(?:[ \t]|\\[nt])*\\n(?:[ \t]|\\[nt])*"/;

describe('renderYaml', () => {
  it('prints the same text as the yaml library for any plain data', () => {
    fc.assert(fc.property(value, (v) => {
      fc.pre(!JSON.stringify(v).match(WHITESPACE_ONLY_JSON));
      expect(renderYaml(v)).toBe(yamlLibrary(v));
    }), { numRuns: Number(process.env.YAML_RUNS ?? 3000) });
  });

  it('prints text that reads back as the data (YAML 1.1)', () => {
    fc.assert(fc.property(fc.dictionary(keyText, fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.dictionary(keyText, text))), (v) => {
      expect(parse(renderYaml(v), { version: '1.1' })).toEqual(Object.keys(v).length === 0 ? {} : v);
    }), { numRuns: 1000 });
  });

  it('prints words plain, multi-line text as literal blocks, and quotes what YAML 1.1 reads otherwise', () => {
    expect(renderYaml({ runcmd: [['systemctl', 'enable', '--now', 'app'], 'ufw --force enable'], permissions: '0644', lock_passwd: 'yes' })).toBe(
      'runcmd:\n  - - systemctl\n    - enable\n    - --now\n    - app\n  - ufw --force enable\npermissions: "0644"\nlock_passwd: "yes"\n',
    );
    expect(renderYaml({ write_files: [{ path: '/etc/x', content: 'a\n\nb\n' }, { content: 'no newline\nat end' }] })).toBe(
      'write_files:\n  - path: /etc/x\n    content: |\n      a\n\n      b\n  - content: |-\n      no newline\n      at end\n',
    );
    expect(renderYaml({})).toBe('{}\n');
    expect(renderYaml({ content: ' \n', tabs: '\t\n\n' })).toBe('content: " \\n"\ntabs: "\\t\\n\\n"\n');
    expect(renderYaml({ a: [], b: {}, c: undefined })).toBe('a: []\nb: {}\n');
  });
});
