import { describe, expect, it } from 'vitest';
import { ref, renderAlloy } from '../../lib/render/alloy';

describe('renderAlloy', () => {
  it('prints a labelled block with aligned attributes', () => {
    expect(renderAlloy([], [{ name: 'loki.write', label: 'default', attributes: [['external_labels', { host: 'a' }], ['x', 1]] }])).toBe(
      'loki.write "default" {\n  external_labels = { "host" = "a" }\n  x               = 1\n}\n',
    );
  });

  it('prints references unquoted and lists in brackets', () => {
    expect(renderAlloy([], [{ name: 'c', attributes: [['forward_to', [ref('loki.write.default.receiver')]]] }])).toBe(
      'c {\n  forward_to = [loki.write.default.receiver]\n}\n',
    );
  });

  it('nests unlabelled blocks with two-space indentation', () => {
    expect(renderAlloy(['why'], [{ name: 'loki.write', label: 'l', blocks: [{ name: 'endpoint', attributes: [['url', 'http://x']] }] }])).toBe(
      '// why\n\nloki.write "l" {\n  endpoint {\n    url = "http://x"\n  }\n}\n',
    );
  });
});
