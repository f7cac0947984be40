/**
 * The PromQL and alert-template boundary: an expression is parsed at synth with the Prometheus
 * project's own grammar (@prometheus-io/lezer-promql), and an annotation is checked as the Go
 * template Prometheus parses when it loads the rules file (a rule it cannot parse stops
 * Prometheus from starting: no alerting at all). Pure: no cdktf imports.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Why `expr` is not PromQL (where and what), or undefined when the grammar accepts it. */
export function promqlProblem(expr: string): string | undefined {
  const tree = parser.parse(expr);
  let at: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (at === undefined && node.type.isError) at = node.from;
      return at === undefined;
    },
  });
  if (at === undefined) return undefined;
  const rest = expr.slice(at).trim();
  return rest === '' ? 'is not PromQL: it ends where an operand is expected' : `is not PromQL: the parser stops at character ${at + 1} (${JSON.stringify(truncate(rest))})`;
}

const truncate = (s: string) => (s.length > 24 ? `${s.slice(0, 24)}…` : s);

/** The variables Prometheus defines for an alert's annotations and labels. */
const TEMPLATE_VARIABLES = new Set(['$', '$labels', '$value', '$externalLabels', '$externalURL']);

/** Go's template built-ins and Prometheus's template functions (prometheus/template/template.go). */
const TEMPLATE_FUNCTIONS = new Set([
  'and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'call',
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper', 'toLower', 'graphLink', 'tableLink',
  'sortByLabel', 'humanize', 'humanize1024', 'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp', 'toTime', 'toDuration', 'now',
  'pathPrefix', 'externalURL', 'parseDuration', 'stripPort', 'stripDomain', 'tmpl', 'urlQueryEscape',
]);
const TEMPLATE_KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'block', 'template', 'break', 'continue', 'nil', 'true', 'false']);

/**
 * Why `text` is not a template Prometheus loads (an unclosed `{{`, an undefined variable or
 * function), or undefined. Not a whole Go template parser: the errors a rule author makes.
 */
export function alertTemplateProblem(text: string): string | undefined {
  const defined = new Set(TEMPLATE_VARIABLES);
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    // A "}}" outside an action is text to Go's templates.
    const open = text.indexOf('{{', i);
    if (open === -1) break;
    const end = text.indexOf('}}', open + 2);
    if (end === -1) return `has "{{" at character ${open + 1} that is never closed`;
    const action = text.slice(open + 2, end).replace(/^-\s|\s-$/g, '').trim();
    if (action.includes('{{')) return `has "{{" inside the action at character ${open + 1}`;
    // String literals and comments say nothing about names.
    const code = action.startsWith('/*') ? '' : action.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
    for (const m of code.matchAll(/((?:\$[A-Za-z0-9_]*\s*,\s*)?\$[A-Za-z0-9_]*)\s*:=/g)) for (const v of m[1].split(',')) defined.add(v.trim());
    for (const m of code.matchAll(/(^|[^A-Za-z0-9_.$])(\$[A-Za-z0-9_]*)/g)) {
      if (!defined.has(m[2])) return `uses the undefined variable ${m[2]} (Prometheus defines $labels, $value, $externalLabels, $externalURL)`;
    }
    for (const m of code.matchAll(/(^|[^A-Za-z0-9_.$])([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const word = m[2];
      if (!TEMPLATE_FUNCTIONS.has(word) && !TEMPLATE_KEYWORDS.has(word)) return `calls ${word}, which is not a template function Prometheus has`;
    }
    const keyword = /^(if|range|with|define|block)\b/.exec(code)?.[1];
    if (keyword) depth++;
    else if (/^end\b/.test(code) && --depth < 0) return `has an {{ end }} at character ${open + 1} that closes nothing`;
    i = end + 2;
  }
  return depth > 0 ? 'opens an {{ if }}, {{ range }} or {{ with }} that is never ended' : undefined;
}
