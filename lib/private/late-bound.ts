/**
 * Text that goes into Terraform strings: literal `${` and `%{` (bash, nginx, templates) must be
 * escaped or Terraform would interpolate them, while late-bound values (Terraform references)
 * must pass through. Renderers see a placeholder for each late-bound value; `finish` escapes
 * the rendered text and puts the references back.
 */
import { Token } from './cdktf';

const PLACEHOLDER = /@@gohost-late-(\d+)@@/g;

export class LateBoundText {
  private readonly values: string[] = [];

  /** The value itself, or a placeholder when it is a Terraform reference. */
  public ref(value: string): string {
    if (!Token.isUnresolved(value)) return value;
    let i = this.values.indexOf(value);
    if (i < 0) i = this.values.push(value) - 1;
    return `@@gohost-late-${i}@@`;
  }

  public get hasLateBound(): boolean {
    return this.values.length > 0;
  }

  public finish(rendered: string): string {
    return escapeTerraformTemplate(rendered).replace(PLACEHOLDER, (_, i: string) => this.values[Number(i)]);
  }
}

/** `${` → `$${` and `%{` → `%%{`: Terraform's escapes for literal template sequences. */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * Escapes literal `${` / `%{` in a string that also holds cdktf tokens (IAM documents, tags,
 * descriptions): the tokens stay references, a user's literal `${path.cwd}` stays text.
 */
export function escapeLiteralTemplates(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, () => '$${').replace(/%\{/g, () => '%%{');
}
