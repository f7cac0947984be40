import { Construct } from 'constructs';
import { TerraformStack } from '../private/cdktf';
import { CloudinitProvider } from '../private/cloudinit';

/** The cloudinit provider needs no settings, so a host adds it to its stack once if the user has not. */
export function ensureCloudinitProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (!stack.node.findAll().some((c) => c instanceof CloudinitProvider)) {
    new CloudinitProvider(stack, 'cloudinit');
  }
}
