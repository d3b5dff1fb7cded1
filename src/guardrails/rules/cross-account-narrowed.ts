import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  allowedPrincipals,
  distinct,
  hasNarrowingCondition,
  inspectKey,
  PrincipalKind,
  principalFinding,
} from '../../private/key-policy-inspection';

/**
 * What the key policy allows to another account (or to `*`) is narrowed by `kms:ViaService`,
 * `kms:CallerAccount` or `aws:PrincipalOrgID`. One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const key = inspectKey(node);
    if (key === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const findings: string[] = [];
    for (const st of key.statements) {
      if (hasNarrowingCondition(st.Condition)) {
        continue;
      }
      findings.push(...allowedPrincipals(st, key.account)
        .filter((p) => p.kind === PrincipalKind.OTHER_ACCOUNT || p.kind === PrincipalKind.ANYONE)
        .map(principalFinding));
    }
    return findings.length > 0 ? distinct(findings) : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'CrossAccountNarrowed' },
);
