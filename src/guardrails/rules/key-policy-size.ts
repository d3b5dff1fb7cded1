import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { judgeEachVariant } from '../../private/key-variants';
import { deployedLength, KEY_POLICY_MAX_BYTES } from '../../private/policy-size';

/**
 * The key policy fits the KMS limit of 32,768 bytes once deployed (intrinsics counted at the longest
 * value they can take). The limit cannot be raised: CloudFormation would fail at deploy time.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => judgeEachVariant(node, (key) => {
    if (key.policyDocument === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return deployedLength(key.policyDocument) > KEY_POLICY_MAX_BYTES
      ? NagRuleCompliance.NON_COMPLIANT
      : NagRuleCompliance.COMPLIANT;
  }),
  'name',
  { value: 'KeyPolicySize' },
);
