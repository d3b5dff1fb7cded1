import { CRYPTOGRAPHIC_ACTIONS, MANAGEMENT_ACTIONS } from './perms';

/** Hard limit of a key policy document. @see https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html */
export const KEY_POLICY_MAX_BYTES = 32_768;

/** IAM quota: all inline policies of one role together, whitespace not counted. @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const ROLE_INLINE_POLICY_MAX_CHARS = 10_240;

/** IAM quota: one customer managed policy, whitespace not counted. @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const MANAGED_POLICY_MAX_CHARS = 6_144;

/** IAM quota: managed policies attached to one role (the default; it can be raised to 20). */
export const ROLE_MANAGED_POLICIES_MAX = 10;

/** IAM quota: the trust policy of a role (the default; it can be raised). */
export const ROLE_TRUST_POLICY_MAX_CHARS = 2_048;

/**
 * Conservative stand-ins for values that CloudFormation fills in at deploy time, so that the size of a
 * policy holding intrinsics can be bounded at synth time (the longest value each can take).
 */
const PSEUDO_PARAMETER_LENGTH: Record<string, number> = {
  'AWS::Partition': 'aws-iso-b'.length + 1,
  'AWS::AccountId': 12,
  'AWS::Region': 'ap-southeast-5'.length + 2,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
  'AWS::StackName': 128,
  'AWS::StackId': 160,
};
/** An IAM role or user ARN with a 64-character name and a path: arn:<partition>:iam::<account>:role/<path>/<name>. */
const ATTRIBUTE_LENGTH = 160;
const REF_LENGTH = 64;

/**
 * Length in bytes of a resolved CloudFormation value once deployed, with intrinsics replaced by the
 * longest value they can take. Plain strings count as JSON-encoded.
 */
export function deployedLength(value: unknown): number {
  return JSON.stringify(substituteIntrinsics(value)).length;
}

function substituteIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(substituteIntrinsics);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = obj[fn];
    switch (fn) {
      case 'Ref':
        return 'x'.repeat(PSEUDO_PARAMETER_LENGTH[arg as string] ?? REF_LENGTH);
      case 'Fn::GetAtt':
      case 'Fn::ImportValue':
      case 'Fn::GetStackOutput':
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        if (Array.isArray(parts)) {
          return parts.map((p) => flatString(substituteIntrinsics(p))).join(sep);
        }
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      }
      case 'Fn::Sub':
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      case 'Fn::Select':
      case 'Fn::If':
      case 'Fn::FindInMap':
      case 'Fn::Base64':
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      default:
        break;
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    out[k] = substituteIntrinsics(obj[k]);
  }
  return out;
}

function flatString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One statement of a resolved policy document. */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: any;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** What a principal of a key policy holds, for the separation check. */
export interface PrincipalHoldings {
  readonly principal: string;
  readonly management: Set<string>;
  readonly cryptographic: Set<string>;
  readonly wildcard: boolean;
}

/** Expands a (possibly wildcarded) KMS action against the known actions. */
export function expandAction(action: string): string[] {
  if (action === '*' || action === 'kms:*') {
    return [...MANAGEMENT_ACTIONS, ...CRYPTOGRAPHIC_ACTIONS];
  }
  if (!action.includes('*') && !action.includes('?')) {
    return [action];
  }
  const re = new RegExp(
    '^' + action.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$',
    'i',
  );
  return [...MANAGEMENT_ACTIONS, ...CRYPTOGRAPHIC_ACTIONS].filter((a) => re.test(a));
}

/**
 * For every principal named in Allow statements of a resolved key policy: the management and the
 * cryptographic actions it holds. Principals are keyed by their resolved JSON.
 */
export function holdingsByPrincipal(statements: ResolvedStatement[]): PrincipalHoldings[] {
  const byKey = new Map<string, { management: Set<string>; cryptographic: Set<string>; wildcard: boolean }>();
  for (const st of statements) {
    if (st.Effect !== 'Allow' || st.Principal === undefined) {
      continue;
    }
    const actions = actionsOf(st);
    const wildcard = grantsEveryAction(st);
    for (const p of principalsOf(st.Principal)) {
      const entry = byKey.get(p) ?? { management: new Set<string>(), cryptographic: new Set<string>(), wildcard: false };
      for (const a of actions) {
        if (MANAGEMENT_ACTIONS.includes(a)) entry.management.add(a);
        if (CRYPTOGRAPHIC_ACTIONS.includes(a)) entry.cryptographic.add(a);
      }
      entry.wildcard = entry.wildcard || wildcard;
      byKey.set(p, entry);
    }
  }
  return [...byKey.entries()].map(([principal, h]) => ({ principal, ...h }));
}

/** The known KMS actions a statement names, wildcards and NotAction expanded. */
export function actionsOf(st: ResolvedStatement): string[] {
  return st.NotAction !== undefined
    ? [...MANAGEMENT_ACTIONS, ...CRYPTOGRAPHIC_ACTIONS].filter((a) => !asList(st.NotAction).flatMap(expandAction).includes(a))
    : asList(st.Action).flatMap(expandAction);
}

/** Whether a statement names every action (`*`, `kms:*`) or uses NotAction (every action but some). */
export function grantsEveryAction(st: ResolvedStatement): boolean {
  return st.NotAction !== undefined || asList(st.Action).some((a) => a === '*' || a.toLowerCase() === 'kms:*');
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Each principal of a resolved `Principal` element, as a stable JSON string. */
export function principalsOf(principal: unknown): string[] {
  if (principal === '*') {
    return ['"*"'];
  }
  if (principal === null || typeof principal !== 'object') {
    return [JSON.stringify(principal)];
  }
  const out: string[] = [];
  for (const [kind, value] of Object.entries(principal as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      out.push(JSON.stringify({ [kind]: v }));
    }
  }
  return out;
}

/**
 * Whether a statement names only deployers and holds every action to an AWS service (`StringEquals
 * kms:ViaService`, no wildcard): what services call as the creator of the resources the deployer
 * creates, never a direct use of the key by the deployer.
 */
export function isDeployerUseThroughService(statement: ResolvedStatement, isDeployer: (principal: string) => boolean): boolean {
  if (statement.Effect !== 'Allow' || statement.Principal === undefined) {
    return false;
  }
  const via = statement.Condition?.StringEquals?.['kms:ViaService'];
  const viaValues = Array.isArray(via) ? via : [via];
  if (via === undefined || viaValues.some((v) => typeof v !== 'object' && (typeof v !== 'string' || v.includes('*')))) {
    return false;
  }
  const principals = principalsOf(statement.Principal);
  return principals.length > 0 && principals.every(isDeployer);
}

/** Whether a rendered principal ARN is a CDK bootstrap's CloudFormation execution role (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). */
export function isCdkExecutionRole(arn: string): boolean {
  return /:role\/(?:.*\/)?cdk-[^/]+-cfn-exec-role-[^/]+$/.test(arn);
}
