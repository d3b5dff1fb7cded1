import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * No principal other than the key's account root holds both administrative actions (those that change
 * the key, its policy or its aliases) and cryptographic actions (those that use the key or grant its use,
 * CreateGrant included) outside an AWS service (`kms:ViaService`). The same role named by construct and
 * by ARN is one principal. One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.SEPARATION_OF_DUTIES),
  'name',
  { value: 'SeparationOfDuties' },
);
