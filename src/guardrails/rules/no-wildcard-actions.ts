import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { distinct, inspectKey, inspectPrincipal, PrincipalKind, principalFinding } from '../../private/key-policy-inspection';
import { holdingsByPrincipal } from '../../private/policy-analysis';

/**
 * Only the key's own account root holds `kms:*` (or `*`, or an Allow with NotAction): any other
 * principal gets named actions. One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const key = inspectKey(node);
    if (key === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const findings = holdingsByPrincipal(key.statements)
      .filter((h) => h.wildcard)
      .map((h) => inspectPrincipal(h.principal, key.account))
      .filter((p) => p.kind !== PrincipalKind.ACCOUNT_ROOT)
      .map(principalFinding);
    return findings.length > 0 ? distinct(findings) : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'NoWildcardActions' },
);
