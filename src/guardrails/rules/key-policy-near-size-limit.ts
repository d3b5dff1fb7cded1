import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { judgeEachVariant } from '../../private/key-variants';
import { deployedLength, KEY_POLICY_MAX_BYTES } from '../../private/policy-size';

/** From this share of the limit on, a key policy has little room left for the next principal. */
const WARNING_RATIO = 0.8;

/**
 * The key policy stays under 80% of the KMS limit of 32,768 bytes once deployed. Policies over the limit
 * are the KeyPolicySize rule's finding, not this one's.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => judgeEachVariant(node, (key) => {
    if (key.policyDocument === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const bytes = deployedLength(key.policyDocument);
    return bytes > KEY_POLICY_MAX_BYTES * WARNING_RATIO && bytes <= KEY_POLICY_MAX_BYTES
      ? NagRuleCompliance.NON_COMPLIANT
      : NagRuleCompliance.COMPLIANT;
  }),
  'name',
  { value: 'KeyPolicyNearSizeLimit' },
);
