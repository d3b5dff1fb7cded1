import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { judgeEachVariant } from '../../private/key-variants';

/**
 * Every part of the key policy can be read at synth time. A policy, a statement list, a statement or
 * its effect, actions, principal or condition that is an intrinsic the pack cannot resolve
 * (`Fn::Transform`, `Fn::ImportValue`, a parameter without a default, a string that is not JSON) is
 * known only at deploy time: the other rules judge the rest of the policy, and this finding names what
 * was left out, `<path>::<intrinsic>` (for example `KeyPolicy.Statement.1::Fn::Transform`).
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => judgeEachVariant(node, (key) =>
    (key.unreadable.length > 0 ? [...key.unreadable] : NagRuleCompliance.COMPLIANT)),
  'name',
  { value: 'UnreadablePolicy' },
);
