import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { inspectKey, knownValue } from '../../private/key-policy-analyzer';

/** The longest waiting period KMS allows, and its default. */
const LONGEST_PENDING_WINDOW_DAYS = 30;

/**
 * A key scheduled for deletion waits the longest period (30 days, the default when
 * `PendingWindowInDays` is absent): once deleted, everything encrypted under it is lost.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const key = inspectKey(node);
    if (key === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const days = knownValue(key, 'PendingWindowInDays');
    return days === undefined || Number(days) >= LONGEST_PENDING_WINDOW_DAYS
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: 'PendingWindow' },
);
