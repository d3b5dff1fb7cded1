import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { allowedPrincipals, hasNarrowingCondition, inspectKey, PrincipalKind } from '../../private/key-policy-inspection';

/**
 * An Allow to `Principal: *` carries `kms:ViaService`, `kms:CallerAccount` or `aws:PrincipalOrgID`;
 * without one, every identity of every AWS account gets what the statement allows.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const key = inspectKey(node);
    if (key === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const open = key.statements.some((st) => !hasNarrowingCondition(st.Condition)
      && allowedPrincipals(st, key.account).some((p) => p.kind === PrincipalKind.ANYONE));
    return open ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'PublicPrincipal' },
);
