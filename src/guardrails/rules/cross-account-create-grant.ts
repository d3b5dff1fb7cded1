import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * `kms:CreateGrant` to another account, an organization or `*` only with `Bool kms:GrantIsForAWSResource = true`:
 * a grant can give any operation to anyone, so outside the account only AWS services may create them.
 * The one exception is the one AWS documents: grants whose grantee (`kms:GranteePrincipal`) is the
 * caller's EC2 Auto Scaling service-linked role. One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.CROSS_ACCOUNT_CREATE_GRANT),
  'name',
  { value: 'CrossAccountCreateGrant' },
);
