import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  isCdkExecutionRole,
  KeyPolicyAnalysis,
  primaryKeyOf,
  PrincipalKind,
  REPLICA_KEY_TYPE,
} from '../../private/key-policy-analyzer';
import { inspectKey } from '../../private/key-variants';

/**
 * A replica's key policy names the same principals as its primary's: key policies are not synchronized
 * between multi-Region keys, so a principal missing from one region cannot fail over, and an extra one
 * gets access the primary never gave. Checked when `PrimaryKeyArn` is the ARN of a key of the same app;
 * service principals and the CDK's CloudFormation execution roles are left out (they are regional). One finding per differing principal.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== REPLICA_KEY_TYPE) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const primaryNode = primaryKeyOf(node);
    const inspected = inspectKey(node);
    const primary = primaryNode && inspectKey(primaryNode);
    if (inspected === undefined || primary === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    // A replica lives in another region: its principals reach it through cross-region references.
    const replica = KeyPolicyAnalysis.of(dereference(inspected.statements, Stack.of(node)), { account: inspected.account });
    const inReplica = principalNames(replica);
    const inPrimary = principalNames(primary.analysis);
    const findings = [
      ...[...inPrimary].filter((p) => !inReplica.has(p)).map((p) => `MissingPrincipal::${p}`),
      ...[...inReplica].filter((p) => !inPrimary.has(p)).map((p) => `ExtraPrincipal::${p}`),
    ];
    return findings.length > 0 ? [...new Set(findings)].sort() : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'ReplicaPrincipals' },
);

/**
 * The principals a key policy allows, comparable across stacks: the stack's own account placeholder is
 * replaced by its id when the stack's account is known.
 */
function principalNames(analysis: KeyPolicyAnalysis): Set<string> {
  const names = new Set<string>();
  for (const st of analysis.allows) {
    for (const p of st.writtenPrincipals) {
      // Service principals and the CDK's CloudFormation execution roles are regional: each key names its
      // own region's deployer (and a primary the replicas' deployers, for kms:ReplicateKey).
      if (p.kind === PrincipalKind.SERVICE || isCdkExecutionRole(p.display)) {
        continue;
      }
      names.add(analysis.account ? p.display.split('${AWS::AccountId}').join(analysis.account) : p.display);
    }
  }
  return names;
}

/**
 * Replaces the cross-stack references of a resolved value by the values they carry: weak references
 * (`Fn::GetStackOutput`), strong cross-region references (an ExportReader attribute named after the SSM
 * parameter an ExportWriter fills) and same-region exports (`Fn::ImportValue`).
 */
function dereference(value: any, consumer: Stack): any {
  if (Array.isArray(value)) {
    return value.map((v) => dereference(v, consumer));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const output = value['Fn::GetStackOutput'];
  if (output && Object.keys(value).length === 1) {
    const producer = stacksOf(consumer).find((s) => s.stackName === output.StackName);
    const found = producer && outputsOf(producer).find((o) => producer.getLogicalId(o) === output.OutputName);
    return found ? dereference(producer.resolve(found.value), producer) : value;
  }
  const imported = value['Fn::ImportValue'];
  if (typeof imported === 'string' && Object.keys(value).length === 1) {
    for (const producer of stacksOf(consumer)) {
      const found = outputsOf(producer).find((o) => producer.resolve(o.exportName) === imported);
      if (found) return dereference(producer.resolve(found.value), producer);
    }
    return value;
  }
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[1] === 'string' && att[1].startsWith('/cdk/exports/') && Object.keys(value).length === 1) {
    for (const producer of stacksOf(consumer)) {
      for (const writer of producer.node.findAll().filter(isExportWriter)) {
        const props = producer.resolve((writer as any)._toCloudFormation());
        const exported = Object.values<any>(props.Resources ?? {})[0]?.Properties?.WriterProps?.exports?.[att[1]];
        if (exported !== undefined) return dereference(exported, producer);
      }
    }
    return value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dereference(v, consumer)]));
}

function stacksOf(scope: Stack): Stack[] {
  return scope.node.root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

function outputsOf(stack: Stack): CfnOutput[] {
  return stack.node.findAll().filter((c): c is CfnOutput => c instanceof CfnOutput && Stack.of(c) === stack);
}

function isExportWriter(c: IConstruct): boolean {
  return CfnResource.isCfnResource(c) && c.cfnResourceType === 'Custom::CrossRegionExportWriter';
}
