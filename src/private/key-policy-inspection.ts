import { CfnResource, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { principalsOf, ResolvedStatement } from './policy-analysis';

/** CloudFormation types of KMS keys that carry a key policy. */
export const KEY_TYPE = 'AWS::KMS::Key';
export const REPLICA_KEY_TYPE = 'AWS::KMS::ReplicaKey';

/** A KMS key resource as CloudFormation receives it: intrinsics resolved, overrides applied. */
export interface InspectedKey {
  readonly type: string;
  readonly properties: Record<string, any>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  /** The key policy document, or undefined when absent (KMS then applies its default policy). */
  readonly policyDocument?: unknown;
  /** Statements of the key policy; the default policy's one statement when the policy is absent. */
  readonly statements: ResolvedStatement[];
  /** The account of the key's stack, when it is concrete. */
  readonly account?: string;
}

/**
 * Renders a key resource (AWS::KMS::Key or AWS::KMS::ReplicaKey) as CloudFormation receives it, or
 * returns undefined for any other resource.
 *
 * The rendered resource is read rather than the typed L1 accessors so that property overrides, escape
 * hatches and keys built as plain `CfnResource` are checked too.
 */
export function inspectKey(node: CfnResource): InspectedKey | undefined {
  if (node.cfnResourceType !== KEY_TYPE && node.cfnResourceType !== REPLICA_KEY_TYPE) {
    return undefined;
  }
  const stack = Stack.of(node);
  const rendered = stack.resolve((node as any)._toCloudFormation()) as { Resources: Record<string, any> };
  const resource = Object.values(rendered.Resources)[0] ?? {};
  const properties: Record<string, any> = resource.Properties ?? {};
  const policy = typeof properties.KeyPolicy === 'string' ? JSON.parse(properties.KeyPolicy) : properties.KeyPolicy;
  const statements = policy === undefined ? [DEFAULT_POLICY_STATEMENT] : asArray(policy.Statement);
  return {
    type: node.cfnResourceType,
    properties,
    deletionPolicy: resource.DeletionPolicy,
    updateReplacePolicy: resource.UpdateReplacePolicy,
    policyDocument: policy,
    statements,
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
  };
}

/** What KMS applies when a key has no policy: the account root may do everything. */
const DEFAULT_POLICY_STATEMENT: ResolvedStatement = {
  Effect: 'Allow',
  Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
  Action: 'kms:*',
};

/** Who a principal of a key policy is, seen from the key's account. */
export enum PrincipalKind {
  /** The key's own account (`arn:<partition>:iam::<account>:root` or the 12-digit short form). */
  ACCOUNT_ROOT = 'ACCOUNT_ROOT',
  /** An IAM principal of the key's account, or one whose account cannot be told (treated as local). */
  SAME_ACCOUNT = 'SAME_ACCOUNT',
  /** An IAM principal or the root of another account. */
  OTHER_ACCOUNT = 'OTHER_ACCOUNT',
  /** `*`: every principal of every account. */
  ANYONE = 'ANYONE',
  /** An AWS service principal. */
  SERVICE = 'SERVICE',
  /** Federated or canonical-user principals. */
  OTHER = 'OTHER',
}

/** One principal of a key policy. */
export interface InspectedPrincipal {
  /** The principal's stable JSON key (as `principalsOf` gives it). */
  readonly key: string;
  /** Readable form, intrinsics as `${...}`: used in finding ids. */
  readonly display: string;
  readonly kind: PrincipalKind;
}

const THIS_ACCOUNT = '${AWS::AccountId}';
const ACCOUNT_ID = /^\d{12}$/;

/** Classifies one principal (a key of `principalsOf`) against the key's account. */
export function inspectPrincipal(key: string, account: string | undefined): InspectedPrincipal {
  const principal = JSON.parse(key);
  if (principal === '*') {
    return { key, display: '*', kind: PrincipalKind.ANYONE };
  }
  const [[type, value]] = Object.entries(principal as Record<string, unknown>);
  const display = renderIntrinsics(value);
  if (type === 'Service') {
    return { key, display, kind: PrincipalKind.SERVICE };
  }
  if (type !== 'AWS') {
    return { key, display, kind: PrincipalKind.OTHER };
  }
  if (display === '*') {
    return { key, display, kind: PrincipalKind.ANYONE };
  }
  const { principalAccount, isRoot } = accountOf(display);
  const same = principalAccount === undefined
    || principalAccount === THIS_ACCOUNT
    || (account !== undefined && principalAccount === account);
  if (!same) {
    return { key, display, kind: PrincipalKind.OTHER_ACCOUNT };
  }
  return { key, display, kind: isRoot && principalAccount !== undefined ? PrincipalKind.ACCOUNT_ROOT : PrincipalKind.SAME_ACCOUNT };
}

/** Every principal of an Allow statement. */
export function allowedPrincipals(st: ResolvedStatement, account: string | undefined): InspectedPrincipal[] {
  if (st.Effect !== 'Allow' || st.Principal === undefined) {
    return [];
  }
  return principalsOf(st.Principal).map((p) => inspectPrincipal(p, account));
}

/**
 * The account of a rendered AWS principal: a 12-digit id, `${AWS::AccountId}`, or undefined when it
 * cannot be told (an attribute of a resource, an import); and whether it is the account itself (root).
 */
function accountOf(rendered: string): { principalAccount?: string; isRoot: boolean } {
  if (ACCOUNT_ID.test(rendered) || rendered === THIS_ACCOUNT) {
    return { principalAccount: rendered, isRoot: true };
  }
  // Placeholders hold '::' (`${AWS::Partition}`): neutralize them before splitting the ARN.
  const flat = rendered.split(THIS_ACCOUNT).join('@ACCOUNT@').replace(/\$\{[^}]*\}/g, '@X@');
  const parts = flat.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return { isRoot: false };
  }
  const acct = parts[4] === '@ACCOUNT@' ? THIS_ACCOUNT : parts[4];
  if (!ACCOUNT_ID.test(acct) && acct !== THIS_ACCOUNT) {
    return { isRoot: false };
  }
  return { principalAccount: acct, isRoot: parts[2] === 'iam' && parts.slice(5).join(':') === 'root' };
}

/**
 * A resolved CloudFormation value as a readable string: `{Ref: X}` becomes `${X}`, `Fn::GetAtt` becomes
 * `${Logical.Attr}`, `Fn::Join` is joined, `Fn::Sub` keeps its template.
 */
export function renderIntrinsics(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value === null || typeof value !== 'object') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return value.map(renderIntrinsics).join(',');
  }
  const entries = Object.entries(value as Record<string, any>);
  if (entries.length === 1) {
    const [[fn, arg]] = entries;
    switch (fn) {
      case 'Ref':
        return `\${${arg}}`;
      case 'Fn::GetAtt':
        return `\${${Array.isArray(arg) ? arg.join('.') : arg}}`;
      case 'Fn::Join':
        return Array.isArray(arg?.[1]) ? arg[1].map(renderIntrinsics).join(arg[0]) : `\${${fn}}`;
      case 'Fn::Sub':
        return Array.isArray(arg) ? String(arg[0]) : String(arg);
      case 'Fn::ImportValue':
        return `\${ImportValue:${renderIntrinsics(arg)}}`;
      default:
        return `\${${fn}}`;
    }
  }
  return JSON.stringify(value);
}

/** Condition keys that keep other accounts' use of a key to a service, named accounts or an organization (or its units, below). */
const NARROWING_KEYS = ['kms:viaservice', 'kms:calleraccount', 'aws:principalorgid'];
/**
 * Operators that narrow an Allow. Negated and `IfExists` operators do not (a request without the key
 * passes), nor do set operators (`ForAllValues` passes an empty set).
 */
const NARROWING_OPERATORS = ['stringequals', 'stringequalsignorecase', 'stringlike'];

/** Whether a statement's condition holds the use to a service, named accounts or an organization. */
export function hasNarrowingCondition(condition: unknown): boolean {
  return conditionEntries(condition).some(({ operator, key, values }) =>
    (NARROWING_OPERATORS.includes(operator) && NARROWING_KEYS.includes(key)
      // Organizational units: a multivalued key, narrowing with ForAnyValue (an absent key fails it) and
      // a path that starts with an organization id.
      || (ORG_PATH_OPERATORS.includes(operator) && key === 'aws:principalorgpaths' && values.every((v) => v.startsWith('o-'))))
    && values.length > 0
    && values.every((v) => v !== '*' && v !== ''));
}

const ORG_PATH_OPERATORS = ['foranyvalue:stringequals', 'foranyvalue:stringlike'];

/**
 * Whether a statement's condition holds grants to those for AWS resources (`kms:GrantIsForAWSResource`).
 * `BoolIfExists` counts only together with `kms:ViaService`: every CreateGrant that comes through a
 * service carries the key, and a direct call, which might not, fails the ViaService condition.
 */
export function requiresGrantForAwsResource(condition: unknown): boolean {
  const entries = conditionEntries(condition);
  const viaService = entries.some(({ operator, key, values }) =>
    (operator === 'stringequals' || operator === 'stringlike') && key === 'kms:viaservice' && values.length > 0);
  return entries.some(({ operator, key, values }) =>
    (operator === 'bool' || (operator === 'boolifexists' && viaService))
    && key === 'kms:grantisforawsresource'
    && values.length > 0
    && values.every((v) => v === 'true'));
}

/**
 * Whether a statement holds CreateGrant to grants for the caller's EC2 Auto Scaling service-linked role
 * (`kms:GranteePrincipal`), the cross-account exception AWS documents for launching instances from
 * encrypted AMIs with Auto Scaling.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export function heldToAutoScalingGrantee(condition: unknown): boolean {
  const grantees = conditionEntries(condition)
    .filter(({ operator, key }) => /^(string|arn)(equals|like)$/.test(operator) && key === 'kms:granteeprincipal')
    .flatMap(({ values }) => values);
  return grantees.length > 0
    && grantees.every((v) => v.includes(':role/aws-service-role/autoscaling.amazonaws.com/awsserviceroleforautoscaling'));
}

/** Condition operators and keys are case-insensitive in IAM. */
function conditionEntries(condition: unknown): { operator: string; key: string; values: string[] }[] {
  if (condition === null || typeof condition !== 'object') {
    return [];
  }
  const out: { operator: string; key: string; values: string[] }[] = [];
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (block === null || typeof block !== 'object') {
      continue;
    }
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      out.push({
        operator: operator.toLowerCase(),
        key: key.toLowerCase(),
        values: asArray(value).map((v) => renderIntrinsics(v).toLowerCase()),
      });
    }
  }
  return out;
}

/**
 * The AWS::KMS::Key of the same app that a replica's `PrimaryKeyArn` points to, or undefined when it is
 * not the `Arn` attribute of one (an ARN string, an imported key).
 */
export function primaryKeyOf(replica: CfnResource): CfnResource | undefined {
  const arn = (replica as any).primaryKeyArn;
  if (typeof arn !== 'string') {
    return undefined;
  }
  const fragments = Tokenization.reverseString(arn);
  const token = fragments.length === 1 ? fragments.firstToken : undefined;
  if (!(token instanceof Reference) || token.displayName !== 'Arn') {
    return undefined;
  }
  const target = token.target;
  return CfnResource.isCfnResource(target) && target.cfnResourceType === KEY_TYPE ? target : undefined;
}

/** The finding id of a principal, as acknowledgements name it. */
export function principalFinding(p: InspectedPrincipal): string {
  return `Principal::${p.display}`;
}

/** Distinct findings, sorted so the report is stable. */
export function distinct(findings: string[]): string[] {
  return [...new Set(findings)].sort();
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * A property that must be known at synth time to be checked. An intrinsic throws: cdk-nag then
 * reports the rule as failed to validate, which an acknowledgement can clear.
 */
export function knownValue(key: InspectedKey, property: string): string | number | boolean | undefined {
  const value = key.properties[property];
  if (value !== null && typeof value === 'object') {
    throw new Error(`${property} is ${renderIntrinsics(value)}, which is known only at deploy time`);
  }
  return value;
}
