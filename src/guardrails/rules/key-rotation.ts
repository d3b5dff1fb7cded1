import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { inspectKey, KEY_TYPE, knownValue } from '../../private/key-policy-analyzer';

/**
 * Symmetric encryption keys with KMS-made material rotate automatically. Replicas have no rotation
 * setting (they follow their primary); asymmetric, HMAC and imported-material keys cannot rotate.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const key = inspectKey(node);
    if (key === undefined || key.type !== KEY_TYPE) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const spec = knownValue(key, 'KeySpec') ?? 'SYMMETRIC_DEFAULT';
    if (spec !== 'SYMMETRIC_DEFAULT' || knownValue(key, 'Origin') === 'EXTERNAL') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const rotation = knownValue(key, 'EnableKeyRotation');
    return rotation === true || rotation === 'true' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: 'KeyRotation' },
);
