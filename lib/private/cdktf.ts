// The only module that imports the CDK for Terraform core. Moving to CDK Terrain (`cdktn`) means
// changing this import and package.json; nothing else in lib/ names the framework.
export {
  Annotations,
  DefaultTokenResolver,
  StringConcat,
  Tokenization,
  Aspects,
  App,
  Fn,
  Lazy,
  Op,
  TerraformDataSource,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  Testing,
  Token,
} from 'cdktf';
export type { IResolvable } from 'cdktf';
