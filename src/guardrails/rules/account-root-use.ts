import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * The account root (or `*` narrowed to the key's account) holds no cryptographic action and no
 * CreateGrant beyond AWS resources, unless it holds every action (the classic full delegation to IAM):
 * partial use for the root lets every IAM principal of the account use the key through its own policy.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.ACCOUNT_ROOT_USE),
  'name',
  { value: 'AccountRootUse' },
);
