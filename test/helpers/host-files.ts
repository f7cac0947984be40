/** Reads the files a host's user data writes, from its synthesized (or rendered) parts. */
import * as YAML from 'yaml';

export interface HostFiles {
  readonly cloudConfig: string;
  readonly script: string;
  readonly doc: any;
  file(path: string): string;
  /** The permissions cloud-init gives the file (e.g. 0o644). */
  mode(path: string): number;
  paths(): string[];
}

/** Terraform's `$${` / `%%{` escapes undone, as Terraform itself would before handing the text over. */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

export function hostFiles(parts: ReadonlyArray<{ content: string }>): HostFiles {
  const cloudConfig = unescapeTerraform(parts[0].content);
  const script = unescapeTerraform(parts[1].content);
  const doc = YAML.parse(cloudConfig, { version: '1.1' });
  const files = new Map<string, string>(doc.write_files.map((f: any) => [f.path, f.content]));
  return {
    cloudConfig,
    script,
    doc,
    file(path: string) {
      const content = files.get(path);
      if (content === undefined) throw new Error(`user data writes no ${path}; it writes ${[...files.keys()].join(', ')}`);
      return content;
    },
    mode(path: string) {
      return parseInt(doc.write_files.find((f: any) => f.path === path).permissions, 8);
    },
    paths: () => [...files.keys()],
  };
}
