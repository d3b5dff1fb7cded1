import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { judgeEachVariant, propertyValue } from '../../private/key-variants';

/** The longest waiting period KMS allows, and its default. */
const LONGEST_PENDING_WINDOW_DAYS = 30;

/**
 * A key scheduled for deletion waits the longest period (30 days, the default when
 * `PendingWindowInDays` is absent): once deleted, everything encrypted under it is lost. A period known
 * only at deploy time gets the finding `DeployTime::PendingWindowInDays`.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => judgeEachVariant(node, (key) => {
    const days = propertyValue(key, 'PendingWindowInDays');
    if ('deployTime' in days) {
      return ['DeployTime::PendingWindowInDays'];
    }
    return days.known === undefined || Number(days.known) >= LONGEST_PENDING_WINDOW_DAYS
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  }),
  'name',
  { value: 'PendingWindow' },
);
