import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { KEY_TYPE } from '../../private/key-policy-analyzer';
import { judgeEachVariant, propertyValue } from '../../private/key-variants';

/**
 * Symmetric encryption keys with KMS-made material rotate automatically. Replicas have no rotation
 * setting (they follow their primary); asymmetric, HMAC and imported-material keys cannot rotate.
 *
 * Every value a property can take is judged (each branch of an `Fn::If`, a parameter's default or each
 * of its allowed values). A key that may be symmetric and whose rotation is known only at deploy time
 * gets the finding `DeployTime::EnableKeyRotation`; a key that rotates passes whatever its spec.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => judgeEachVariant(node, (key) => {
    if (key.type !== KEY_TYPE) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const rotation = propertyValue(key, 'EnableKeyRotation');
    if ('known' in rotation && (rotation.known === true || rotation.known === 'true')) {
      return NagRuleCompliance.COMPLIANT;
    }
    const spec = propertyValue(key, 'KeySpec');
    const origin = propertyValue(key, 'Origin');
    // Only a symmetric key of KMS-made material can rotate: a spec or origin known to be another is not applicable.
    if (('known' in spec && (spec.known ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT') || ('known' in origin && origin.known === 'EXTERNAL')) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return 'deployTime' in rotation ? ['DeployTime::EnableKeyRotation'] : NagRuleCompliance.NON_COMPLIANT;
  }),
  'name',
  { value: 'KeyRotation' },
);
