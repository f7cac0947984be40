/**
 * References in a host's text: the library's own are bound in one place (bindLibraryReferences),
 * a user's must cross a boundary of their own and stay raw otherwise (synth then fails).
 */
import { Fn, TerraformVariable, Testing, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { LateBoundText, rememberUserTokens } from '../../lib/private/late-bound';

describe('LateBoundText.bindLibraryReferences', () => {
  it("binds the library's references in every string of a settings object, leaves a user's as they are", () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const user = new TerraformVariable(stack, 'domain', { type: 'string' }).stringValue;
    const library = Fn.join('', ['arn:aws:sns:eu-west-1:1:t']);
    rememberUserTokens({ domainNames: [user] });
    const late = new LateBoundText();
    const bound = late.bindLibraryReferences({ topic: library, nested: { url: `http://${library}:3100/push` }, list: [library], user, n: 3 });
    expect(bound.topic).toMatch(/^@@gohost-late-[0-9a-f]+-0@@$/);
    expect(bound.nested.url).toMatch(/^http:\/\/@@gohost-late-[0-9a-f]+-0@@:3100\/push$/);
    expect(bound.list[0]).toBe(bound.topic);
    expect(bound.user).toBe(user);
    expect(bound.n).toBe(3);
    // finish() puts the reference back where the placeholder was.
    expect(late.finish(bound.nested.url)).toBe(`http://${library}:3100/push`);
  });
});
