import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { distinct, inspectKey, inspectPrincipal, PrincipalKind, principalFinding, renderIntrinsics } from '../../private/key-policy-inspection';
import { holdingsByPrincipal, isCdkExecutionRole, isDeployerUseThroughService } from '../../private/policy-analysis';

/**
 * No principal other than the key's account root holds both administrative actions (those that change
 * the key or its policy) and cryptographic actions (those that use the key or grant its use, CreateGrant
 * included). One finding per principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const key = inspectKey(node);
    if (key === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    // The CDK's CloudFormation execution role creates resources with the key through their service:
    // that is the deployer's part, not use of the key.
    const deployer = (p: string) => isCdkExecutionRole(renderIntrinsics(JSON.parse(p).AWS ?? ''));
    const statements = key.statements.filter((st) => !isDeployerUseThroughService(st, deployer));
    const findings = holdingsByPrincipal(statements)
      .filter((h) => h.management.size > 0 && h.cryptographic.size > 0)
      .map((h) => inspectPrincipal(h.principal, key.account))
      .filter((p) => p.kind !== PrincipalKind.ACCOUNT_ROOT)
      .map(principalFinding);
    return findings.length > 0 ? distinct(findings) : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'SeparationOfDuties' },
);
