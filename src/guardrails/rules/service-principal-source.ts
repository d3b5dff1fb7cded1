import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * An Allow to an AWS service principal names its source: `aws:SourceArn`, `aws:SourceAccount`,
 * `aws:SourceOrgID`, `aws:SourceOrgPaths` or an encryption context (`kms:EncryptionContext:*`).
 * Without one, resources of any account can have the service use the key (confused deputy).
 * One finding per service principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.SERVICE_PRINCIPAL_SOURCE),
  'name',
  { value: 'ServicePrincipalSource' },
);
