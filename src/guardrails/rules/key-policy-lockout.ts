import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * Someone who may deploy the stack can still rewrite the key policy (`kms:PutKeyPolicy`): the account
 * root (which delegates to IAM, where the deployer has its rights), `*` or an organization, the CDK's
 * CloudFormation execution role, or a principal given by a template parameter or an import. Otherwise
 * CloudFormation's lockout check refuses the policy for any other deployer, and losing the named
 * principals locks the key for good; a policy where nobody holds PutKeyPolicy is refused by KMS itself.
 * Grants held to a service (`kms:ViaService`) do not count; Deny statements that withhold PutKeyPolicy
 * from everyone, or from everyone but named principals (a negated `aws:PrincipalArn` condition), are
 * taken into account. A policy with parts that cannot be read is not judged (UnreadablePolicy reports it).
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.LOCKOUT, false),
  'name',
  { value: 'KeyPolicyLockout' },
);
