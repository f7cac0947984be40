/**
 * A block-style YAML 1.1 printer for plain data (maps, sequences, strings, numbers, booleans):
 * the same text as the `yaml` library's `stringify` with `{ version: '1.1', lineWidth: 0 }`,
 * several times cheaper. Scalars that are plainly safe (words, and multi-line text that a literal
 * block holds as it is) are printed here; every other scalar is printed by `yaml` itself, so its
 * quoting rules stay the one authority. Pure: no cdktf.
 */
import { stringify } from 'yaml';

export type YamlValue = string | number | boolean | null | undefined | readonly YamlValue[] | { readonly [key: string]: YamlValue };

const OPTIONS = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

/** Words that a YAML 1.1 reader takes for something other than a string (bool, null). */
const KEYWORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);
/** Space-separated words without indicators, quotes, colons or hashes: plain in any position. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@+=-]*(?: [A-Za-z0-9_./@+=-]+)*$/;
/** Printable characters a literal block holds as they are (no line separators, controls or BOM). */
const BLOCK_SAFE = /^[\x21-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd][\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;

function isPlainWord(s: string): boolean {
  return PLAIN.test(s) && !KEYWORDS.has(s.toLowerCase());
}

/** Text for a literal block `|` / `|-`, or undefined when `yaml` must decide (indicators, `|+`, edge whitespace). */
function literalBlock(s: string, indent: number): string | undefined {
  if (!s.includes('\n') || !BLOCK_SAFE.test(s) || /\n[\t ]*\n$|\n[\t ]+$/.test(s)) return undefined;
  const pad = ' '.repeat(indent);
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  const lines = body.split('\n').map((line) => (line === '' ? '' : pad + line));
  return `${s.endsWith('\n') ? '|' : '|-'}\n${lines.join('\n')}\n`;
}

/** `yaml`'s text for scalars seen before (file modes, addresses repeat on every host); a document per call is its cost. */
const DELEGATED = new Map<string, string>();
const DELEGATED_MAX = 4096;
const DELEGATED_LENGTH_MAX = 256;

/** `yaml`'s own text for one scalar as a map value at `indent`: its header or value, then any block lines. */
function delegated(value: YamlValue, indent: number): string {
  const remembered = typeof value === 'string' && value.length <= DELEGATED_LENGTH_MAX;
  let text = remembered ? DELEGATED.get(value) : undefined;
  if (text === undefined) {
    text = stringify({ k: value }, OPTIONS).slice(3);
    if (remembered) {
      if (DELEGATED.size >= DELEGATED_MAX) DELEGATED.clear();
      DELEGATED.set(value, text);
    }
  }
  if (indent === 0) return text;
  const pad = ' '.repeat(indent);
  return text.replace(/\n(?=.)/g, `\n${pad}`);
}

/** A scalar after `key: ` or `- ` on a line indented by `indent`, with its newline. */
function scalar(value: YamlValue, indent: number): string {
  if (typeof value === 'string') {
    if (isPlainWord(value)) return `${value}\n`;
    // The yaml library prints these as a block that reads back without the spaces; JSON's escapes are YAML's.
    if (/^[\t ]*\n[\t\n ]*$/.test(value)) return `${JSON.stringify(value)}\n`;
    return literalBlock(value, indent + 2) ?? delegated(value, indent);
  }
  if (typeof value === 'boolean') return `${value}\n`;
  if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) return `${value}\n`;
  if (value === null) return 'null\n';
  return delegated(value, indent);
}

function key(k: string): string {
  return isPlainWord(k) && !k.includes(' ') ? k : stringify({ [k]: null }, OPTIONS).slice(0, -': null\n'.length);
}

function isMap(v: YamlValue): v is { readonly [key: string]: YamlValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A value after `key:` (or as the item of `- `), starting on the same line. */
function afterIndicator(value: YamlValue, indent: number, inSequence: boolean): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    return inSequence ? ` ${sequence(value, indent + 2).slice(indent + 2)}` : `\n${sequence(value, indent + 2)}`;
  }
  if (isMap(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return ' {}\n';
    return inSequence ? ` ${map(value, indent + 2).slice(indent + 2)}` : `\n${map(value, indent + 2)}`;
  }
  return ` ${scalar(value, indent)}`;
}

function map(value: { readonly [key: string]: YamlValue }, indent: number): string {
  const pad = ' '.repeat(indent);
  let out = '';
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out += `${pad}${key(k)}:${afterIndicator(v, indent, false)}`;
  }
  return out;
}

function sequence(value: readonly YamlValue[], indent: number): string {
  const pad = ' '.repeat(indent);
  // `yaml` prints a missing item as null.
  return value.map((item) => `${pad}-${afterIndicator(item === undefined ? null : item, indent, true)}`).join('');
}

/** The document: a block map or sequence (an empty one in flow style), or a scalar. */
export function renderYaml(value: YamlValue): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]\n' : sequence(value, 0);
  if (isMap(value)) return Object.values(value).some((v) => v !== undefined) ? map(value, 0) : '{}\n';
  return stringify(value, OPTIONS);
}
