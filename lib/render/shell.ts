/**
 * Shell script printer: one strict bash script made of named steps. Pure: no cdktf imports.
 */

/** Single-quotes a word for bash. */
export function shq(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface ScriptStep {
  /** Printed in the log line and as a comment. */
  readonly name: string;
  readonly lines: readonly string[];
}

export interface ShellScript {
  readonly description: readonly string[];
  /** Lines before the steps (variables, helper functions). */
  readonly preamble?: readonly string[];
  readonly steps: readonly ScriptStep[];
}

/** A standalone strict bash script (a helper installed on the host, not the first-boot script). */
export interface BashScript {
  /** Comment lines under the shebang: what the script is for. */
  readonly description: readonly string[];
  readonly body: readonly string[];
}

/** Prints a helper script: shebang, description, `set -euo pipefail`, body. */
export function renderBashScript(script: BashScript): string {
  return ['#!/usr/bin/env bash', ...script.description.map((d) => (d ? `# ${d}` : '#')), 'set -euo pipefail', ...script.body].join('\n') + '\n';
}

/**
 * `set -euo pipefail` makes any failing command stop the script: cloud-init then reports the
 * error instead of carrying on with a half-provisioned host (its runcmd has no `set -e`).
 */
export function renderShellScript(script: ShellScript): string {
  const out = ['#!/usr/bin/env bash', ...script.description.map((d) => (d ? `# ${d}` : '#')), 'set -euo pipefail'];
  if (script.preamble?.length) out.push('', ...script.preamble);
  for (const step of script.steps) {
    out.push('', `# --- ${step.name}`, `log ${shq(step.name)}`, ...step.lines);
  }
  return out.join('\n') + '\n';
}
