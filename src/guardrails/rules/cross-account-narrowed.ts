import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * What the key policy allows to another account (or to `*`) is narrowed by `kms:ViaService`,
 * `kms:CallerAccount`, `aws:PrincipalAccount`, `aws:PrincipalArn` or `aws:PrincipalOrgID`. One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.CROSS_ACCOUNT_NARROWED),
  'name',
  { value: 'CrossAccountNarrowed' },
);
