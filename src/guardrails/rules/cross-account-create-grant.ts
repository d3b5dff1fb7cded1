import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  allowedPrincipals,
  distinct,
  inspectKey,
  PrincipalKind,
  heldToAutoScalingGrantee,
  principalFinding,
  requiresGrantForAwsResource,
} from '../../private/key-policy-inspection';
import { actionsOf } from '../../private/policy-analysis';

/**
 * `kms:CreateGrant` to another account or to `*` only with `Bool kms:GrantIsForAWSResource = true`:
 * a grant can give any operation to anyone, so outside the account only AWS services may create them.
 * The one exception is the one AWS documents: grants whose grantee (`kms:GranteePrincipal`) is the
 * caller's EC2 Auto Scaling service-linked role.
 * One finding per principal.
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
      if (!actionsOf(st).includes('kms:CreateGrant') || requiresGrantForAwsResource(st.Condition) || heldToAutoScalingGrantee(st.Condition)) {
        continue;
      }
      findings.push(...allowedPrincipals(st, key.account)
        .filter((p) => p.kind === PrincipalKind.OTHER_ACCOUNT || p.kind === PrincipalKind.ANYONE)
        .map(principalFinding));
    }
    return findings.length > 0 ? distinct(findings) : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'CrossAccountCreateGrant' },
);
