/**
 * cdktf-gohost/testing: what a user's tests need for a stack built with the library — each
 * host's artifacts typed, a readable user-data snapshot, the readiness report without writing
 * files, matchers, and the real tools run on the stack when they are installed.
 */
export { artifactsOf, hostArtifacts, parseUnit, unescapeTemplate, userDataSnapshot } from './artifacts';
export type { HostArtifacts, ParsedUnit, SynthesizedStack, WrittenFile } from './artifacts';
export { gohostMatchers } from './matchers';
export type { GohostMatchers, IngressQuery } from './matchers';
export { readinessOf } from './readiness';
export { checkArtifacts, validateWithTerraform, withUserDataAsLocals } from './tools';
export type { ArtifactCheck, TerraformValidation } from './tools';
