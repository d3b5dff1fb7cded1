import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  analysisContextOf,
  KEY_TYPE,
  KeyPolicyAnalysis,
  renderIntrinsics,
  REPLICA_KEY_TYPE,
  ResolvedStatement,
} from './key-policy-analyzer';
import { templateVariants } from './template-variants';

/**
 * The keys of an app as the KmsGoldenRules pack reads them: each `AWS::KMS::Key` and
 * `AWS::KMS::ReplicaKey` rendered as CloudFormation receives it, expanded into the variants its
 * template can deploy (`Fn::If` branches, `AWS::NoValue`, parameter defaults: see template-variants),
 * each variant's key policy read by the one analyzer. A rule judges every variant and reports the union
 * of their findings: a finding when some deployable branch has it.
 */

/** One way a KMS key resource can be deployed, with its key policy analysed. */
export interface InspectedKey {
  readonly type: string;
  readonly properties: Record<string, any>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  /** The key policy document, or undefined when absent (KMS then applies its default policy). */
  readonly policyDocument?: unknown;
  /** The statements of the key policy that could be read; the default policy's one statement when the policy is absent. */
  readonly statements: ResolvedStatement[];
  /** The account of the key's stack, when it is concrete. */
  readonly account?: string;
  /** The template conditions and parameter values this variant assumes (`Name=value`); empty for CDK-built keys. */
  readonly assumptions: string[];
  /** The parts of the key policy that could not be read (`KeyPolicy.Statement.1::Fn::Transform`). */
  readonly unreadable: string[];
  /** The readable statements, analysed. */
  readonly analysis: KeyPolicyAnalysis;
}

/** What KMS applies when a key has no policy: the account root may do everything. */
const DEFAULT_POLICY_STATEMENT: ResolvedStatement = {
  Effect: 'Allow',
  Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
  Action: 'kms:*',
};

const inspected = new WeakMap<CfnResource, InspectedKey[]>();

/**
 * Every variant of a key resource, or undefined for any other resource. Rules of one pack run on the
 * same finished tree: the variants are kept per resource.
 *
 * The rendered resource is read rather than the typed L1 accessors so that property overrides, escape
 * hatches and keys built as plain `CfnResource` (or loaded with `CfnInclude`) are checked too.
 */
export function inspectKeyVariants(node: CfnResource): InspectedKey[] | undefined {
  if (node.cfnResourceType !== KEY_TYPE && node.cfnResourceType !== REPLICA_KEY_TYPE) {
    return undefined;
  }
  const known = inspected.get(node);
  if (known) {
    return known;
  }
  const stack = Stack.of(node);
  const rendered = stack.resolve((node as any)._toCloudFormation()) as { Resources: Record<string, any> };
  const resource = Object.values(rendered.Resources)[0] ?? {};
  const context = analysisContextOf(stack);
  const condition = typeof resource.Condition === 'string' ? resource.Condition : undefined;
  const variants = templateVariants(node, resource.Properties ?? {}, condition).map(({ assumptions, properties }): InspectedKey => {
    const policy = readPolicy(properties.KeyPolicy);
    return {
      type: node.cfnResourceType,
      properties,
      deletionPolicy: resource.DeletionPolicy,
      updateReplacePolicy: resource.UpdateReplacePolicy,
      policyDocument: policy.document,
      statements: policy.statements,
      account: context.account,
      assumptions,
      unreadable: policy.unreadable,
      analysis: KeyPolicyAnalysis.of(policy.statements, context),
    };
  });
  inspected.set(node, variants);
  return variants;
}

/** The key as deployed with the template's defaults (its first variant), or undefined for any other resource. */
export function inspectKey(node: CfnResource): InspectedKey | undefined {
  return inspectKeyVariants(node)?.[0];
}

/**
 * Judges every variant of a key and combines the results: a finding when some variant has it,
 * non-compliant when some variant is, not applicable when no variant is a key the rule applies to.
 */
export function judgeEachVariant(node: CfnResource, judge: (key: InspectedKey) => NagRuleResult): NagRuleResult {
  const variants = inspectKeyVariants(node);
  if (variants === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  let nonCompliant = false;
  let applicable = false;
  for (const key of variants) {
    const result = judge(key);
    if (Array.isArray(result)) {
      result.forEach((f) => findings.add(f));
      applicable = true;
    } else if (result === NagRuleCompliance.NON_COMPLIANT) {
      nonCompliant = true;
    } else if (result === NagRuleCompliance.COMPLIANT) {
      applicable = true;
    }
  }
  if (nonCompliant) return NagRuleCompliance.NON_COMPLIANT;
  if (findings.size > 0) return [...findings].sort();
  return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
}

/** A scalar property of a key variant: its value, or its rendering when it is known only at deploy time. */
export type PropertyValue = { readonly known: string | number | boolean | undefined } | { readonly deployTime: string };

/** Reads a scalar property of a key variant without throwing on an intrinsic. */
export function propertyValue(key: InspectedKey, property: string): PropertyValue {
  const value = key.properties[property];
  if (value !== null && typeof value === 'object') {
    return { deployTime: renderIntrinsics(value) };
  }
  return { known: value };
}

const EFFECTS = ['Allow', 'Deny'];
const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

/**
 * The statements of a key policy that can be read, and what cannot: an intrinsic where the policy, its
 * statement list, a statement, its effect, its actions, its principal's type or its condition should be
 * (`Fn::Transform`, an import, a parameter without a default). What cannot be read is left out of the
 * statements and named.
 */
function readPolicy(keyPolicy: unknown): { document?: unknown; statements: ResolvedStatement[]; unreadable: string[] } {
  if (keyPolicy === undefined) {
    return { statements: [DEFAULT_POLICY_STATEMENT], unreadable: [] };
  }
  let document = keyPolicy;
  if (typeof keyPolicy === 'string') {
    try {
      document = JSON.parse(keyPolicy);
    } catch {
      return { document: keyPolicy, statements: [], unreadable: ['KeyPolicy::not JSON'] };
    }
  }
  if (isIntrinsic(document)) {
    return { document, statements: [], unreadable: [`KeyPolicy::${intrinsicName(document)}`] };
  }
  const list = (document as Record<string, unknown>)?.Statement;
  if (isIntrinsic(list)) {
    return { document, statements: [], unreadable: [`KeyPolicy.Statement::${intrinsicName(list)}`] };
  }
  const statements: ResolvedStatement[] = [];
  const unreadable: string[] = [];
  (Array.isArray(list) ? list : list === undefined ? [] : [list]).forEach((st, i) => {
    const problem = unreadablePart(st);
    if (problem === undefined) {
      statements.push(st as ResolvedStatement);
    } else {
      unreadable.push(`KeyPolicy.Statement.${i}${problem}`);
    }
  });
  return { document, statements, unreadable };
}

/** The part of one statement that cannot be read, as `.<element>::<what>`, or undefined. */
function unreadablePart(st: unknown): string | undefined {
  if (st === null || typeof st !== 'object' || Array.isArray(st)) {
    return `::${JSON.stringify(st)}`;
  }
  if (isIntrinsic(st)) {
    return `::${intrinsicName(st)}`;
  }
  const s = st as Record<string, unknown>;
  if (typeof s.Effect !== 'string' || !EFFECTS.includes(s.Effect)) {
    return `.Effect::${describe(s.Effect)}`;
  }
  for (const element of ['Action', 'NotAction']) {
    const actions = s[element];
    if (actions === undefined) continue;
    if (isIntrinsic(actions) || (Array.isArray(actions) && actions.some((a) => typeof a !== 'string')) || (!Array.isArray(actions) && typeof actions !== 'string')) {
      return `.${element}::${describe(Array.isArray(actions) ? actions.find((a) => typeof a !== 'string') : actions)}`;
    }
  }
  const principal = s.Principal ?? s.NotPrincipal;
  if (principal !== undefined && principal !== '*') {
    if (isIntrinsic(principal) || typeof principal !== 'object' || Array.isArray(principal)) {
      return `.Principal::${describe(principal)}`;
    }
    const type = Object.keys(principal as object).find((t) => !PRINCIPAL_TYPES.includes(t));
    if (type !== undefined) {
      return `.Principal::${type}`;
    }
  }
  if (s.Condition !== undefined && (isIntrinsic(s.Condition) || typeof s.Condition !== 'object'
    || Object.values(s.Condition as object).some((block) => block === null || typeof block !== 'object' || isIntrinsic(block)))) {
    return `.Condition::${describe(s.Condition)}`;
  }
  return undefined;
}

function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function intrinsicName(value: unknown): string {
  const [[fn, arg]] = Object.entries(value as Record<string, unknown>);
  return fn === 'Ref' ? `Ref ${String(arg)}` : fn;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  return isIntrinsic(value) ? intrinsicName(value) : JSON.stringify(value);
}
