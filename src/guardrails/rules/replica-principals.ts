import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  allowedPrincipals,
  distinct,
  InspectedKey,
  inspectKey,
  primaryKeyOf,
  PrincipalKind,
  REPLICA_KEY_TYPE,
} from '../../private/key-policy-inspection';

/**
 * A replica's key policy names the same principals as its primary's: key policies are not synchronized
 * between multi-Region keys, so a principal missing from one region cannot fail over, and an extra one
 * gets access the primary never gave. Checked when `PrimaryKeyArn` is the ARN of a key of the same app;
 * service principals are left out (their names are regional). One finding per differing principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== REPLICA_KEY_TYPE) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const primaryNode = primaryKeyOf(node);
    const replica = inspectKey(node);
    const primary = primaryNode && inspectKey(primaryNode);
    if (replica === undefined || primary === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const inReplica = principalNames(replica);
    const inPrimary = principalNames(primary);
    const findings = [
      ...[...inPrimary].filter((p) => !inReplica.has(p)).map((p) => `MissingPrincipal::${p}`),
      ...[...inReplica].filter((p) => !inPrimary.has(p)).map((p) => `ExtraPrincipal::${p}`),
    ];
    return findings.length > 0 ? distinct(findings) : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'ReplicaPrincipals' },
);

/**
 * The principals a key policy allows, comparable across stacks: the stack's own account placeholder is
 * replaced by its id when the stack's account is known.
 */
function principalNames(key: InspectedKey): Set<string> {
  const names = new Set<string>();
  for (const st of key.statements) {
    for (const p of allowedPrincipals(st, key.account)) {
      if (p.kind === PrincipalKind.SERVICE) {
        continue;
      }
      names.add(key.account ? p.display.split('${AWS::AccountId}').join(key.account) : p.display);
    }
  }
  return names;
}
