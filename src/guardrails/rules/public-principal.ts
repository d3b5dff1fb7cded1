import { CfnResource } from 'aws-cdk-lib';
import { NagRuleResult } from 'cdk-nag';
import { Invariant, invariantRuleResult } from '../../private/key-policy-checks';

/**
 * An Allow to `Principal: *` is narrowed to named accounts or an organization (its own conditions, or an
 * identity perimeter), and its cryptographic actions also to a service (`kms:ViaService`); without them,
 * every identity of every account (or of the named accounts) uses the key directly.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => invariantRuleResult(node, Invariant.PUBLIC_PRINCIPAL, false),
  'name',
  { value: 'PublicPrincipal' },
);
