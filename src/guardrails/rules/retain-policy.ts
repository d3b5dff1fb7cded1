import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { judgeEachVariant } from '../../private/key-variants';

/** `RetainExceptOnCreate` deletes a key only when its own creation rolls back, before it held data. */
const RETAINING_DELETION_POLICIES = ['Retain', 'RetainExceptOnCreate'];

/**
 * The key survives its removal from the stack and its replacement: DeletionPolicy and
 * UpdateReplacePolicy are Retain.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => judgeEachVariant(node, (key) => {
    return RETAINING_DELETION_POLICIES.includes(key.deletionPolicy ?? '') && key.updateReplacePolicy === 'Retain'
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  }),
  'name',
  { value: 'RetainPolicy' },
);
