import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * Only the key's own account root holds every action (`kms:*`, `*`, or an Allow with NotAction): any
 * other principal gets named actions. One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.NO_WILDCARD_ACTIONS),
  'name',
  { value: 'NoWildcardActions' },
);
