import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * On a multi-Region key, `kms:ReplicateKey` (which creates a replica with a key policy of the caller's
 * choosing) is held only by principals that also hold `kms:PutKeyPolicy`, with `kms:ReplicaRegion`
 * limited to the regions of the key's replicas in the app. The root under full delegation is exempt.
 * One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.REPLICATE_KEY),
  'name',
  { value: 'ReplicateKey' },
);
