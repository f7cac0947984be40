/**
 * renderYaml's reason to exist is speed: plain words, numbers, booleans, null and multi-line text
 * a literal block holds are printed without the yaml library, and a scalar the library must print
 * is asked once (then remembered). The output equals the library's either way (yaml.test.ts), so
 * only the number of calls shows a fast path that stopped working.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderYaml } from '../../lib/render/yaml';

const calls = vi.hoisted(() => ({ count: 0 }));
vi.mock('yaml', async (importOriginal) => {
  const real = await importOriginal<typeof import('yaml')>();
  return { ...real, stringify: (...args: Parameters<typeof real.stringify>) => { calls.count++; return real.stringify(...args); } };
});

beforeEach(() => {
  calls.count = 0;
});

describe('renderYaml fast paths', () => {
  it('prints plain words, numbers, booleans, null and literal blocks without the yaml library', () => {
    const text = renderYaml({
      runcmd: [['systemctl', 'enable', 'app.service'], 'ufw --force enable'],
      package_upgrade: true, retries: 3, nothing: null,
      write_files: [{ path: '/etc/x', content: 'line one\nline two\n' }, { path: '/etc/y', content: 'no newline\nat end' }],
    });
    expect(text).toContain('retries: 3\n');
    expect(calls.count).toBe(0);
  });

  it('asks the library once for a scalar it must print, however often it repeats, and once per other one', () => {
    const unusual = 'a: b # not plain';
    renderYaml({ a: unusual, b: [unusual, unusual], c: { d: unusual } });
    expect(calls.count).toBe(1);
    renderYaml({ e: '0644', f: '0644', g: 'yes' });
    expect(calls.count).toBe(3);
  });

  it('remembers no long text: a long scalar is asked each time', () => {
    const long = `x: ${'y'.repeat(300)}`;
    renderYaml({ a: long });
    renderYaml({ b: long });
    expect(calls.count).toBe(2);
  });

  it('keys: a plain word key is printed here; any other key goes to the library', () => {
    renderYaml({ plain_key: 1 });
    expect(calls.count).toBe(0);
    expect(renderYaml({ 'a key': 1, 'yes': 2 })).toBe('a key: 1\n"yes": 2\n');
    expect(calls.count).toBe(2);
  });
});
