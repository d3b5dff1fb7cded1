import { clauseInWords, clausesOf, ConditionClause } from './condition-words';
import { expandActionPattern, ResolvedStatement } from './key-policy-analyzer';
import {
  ASYMMETRIC_ENCRYPT_USE_ACTIONS,
  HMAC_USE_ACTIONS,
  KEY_ADMIN_ACTIONS_EXCEPT_PUT_POLICY,
  KEY_AGREEMENT_USE_ACTIONS,
  SIGN_VERIFY_USE_ACTIONS,
  SYMMETRIC_USE_ACTIONS,
} from './perms';

/**
 * Who may do what with one key, read from its finished key policy: rows of principals, columns of
 * capabilities, each cell allowed, denied or allowed only under conditions. The access report renders it.
 */

/** What a row of the matrix stands for. */
export type RowKind = 'principal' | 'deployer' | 'account-root' | 'accounts' | 'organization' | 'organization-paths' | 'anyone' | 'service';

/** A row: one principal, or a set of principals that a `*` statement is narrowed to. */
export interface AccessRow {
  /** Stable id of the row in the report. */
  readonly id: string;
  readonly kind: RowKind;
  /** The principal as written, intrinsics readable (`${Logical.Arn}`) or resolved where the report can. */
  readonly value: string;
  /** The values behind a narrowed `*` (accounts, organizations, paths). */
  readonly members?: string[];
  /** The account of a principal or root, when the report can tell it. */
  readonly account?: string;
}

/** The decision of a cell. */
export type Verdict = 'allowed' | 'conditional' | 'denied';

/** One cell: a row's capability. */
export interface AccessCell {
  readonly verdict: Verdict;
  /** The actions of the capability the row may call (unconditionally or under conditions). */
  readonly actions: string[];
  /** Alternatives of conditions (any one suffices), each a list of clauses that must all hold. */
  readonly conditions: ConditionClause[][];
  /** Conditions of Deny statements that take the capability away when they hold. */
  readonly deniedWhen: ConditionClause[][];
}

/** A column: a named group of actions. */
export interface Capability {
  readonly id: string;
  readonly title: string;
  readonly actions: readonly string[];
}

/** What a key is for decides which use columns the matrix has. */
export function capabilitiesFor(keySpec: string | undefined, keyUsage: string | undefined, multiRegion: boolean): Capability[] {
  // Administration changes the key; reading its metadata (Describe, Get, List) is left out, and so is
  // revoking grants, which the grant columns cover.
  const admin = KEY_ADMIN_ACTIONS_EXCEPT_PUT_POLICY.filter((a) => !ALIAS_ACTIONS.includes(a) && !/^kms:(Describe|Get|List|RevokeGrant)/.test(a));
  const out: Capability[] = [
    { id: 'administer', title: 'Administer', actions: multiRegion ? [...admin, 'kms:UpdatePrimaryRegion'] : admin },
    { id: 'rewrite-policy', title: 'Rewrite policy', actions: ['kms:PutKeyPolicy'] },
  ];
  if (multiRegion) {
    // ReplicateKey goes with PutKeyPolicy (a replica gets a policy of the caller's choosing), held to regions.
    out.push({ id: 'replicate', title: 'Replicate', actions: ['kms:ReplicateKey'] });
  }
  out.push({ id: 'aliases', title: 'Aliases', actions: ALIAS_ACTIONS });
  out.push(...useCapabilities(keySpec, keyUsage));
  out.push({ id: 'grants-for-aws-resources', title: 'Grants for AWS resources', actions: ['kms:CreateGrant'] });
  out.push({ id: 'any-grant', title: 'Any grant', actions: ['kms:CreateGrant'] });
  return out;
}

const ALIAS_ACTIONS = ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'];

function useCapabilities(keySpec: string | undefined, keyUsage: string | undefined): Capability[] {
  const spec = keySpec ?? 'SYMMETRIC_DEFAULT';
  if (spec === 'SYMMETRIC_DEFAULT') {
    return [
      { id: 'encrypt', title: 'Encrypt', actions: SYMMETRIC_USE_ACTIONS.filter((a) => /Encrypt$|GenerateDataKey|ReEncryptTo/.test(a)) },
      { id: 'decrypt', title: 'Decrypt', actions: ['kms:Decrypt', 'kms:ReEncryptFrom'] },
    ];
  }
  if (spec.startsWith('HMAC')) {
    return [
      { id: 'generate-mac', title: 'Generate MAC', actions: HMAC_USE_ACTIONS.filter((a) => a === 'kms:GenerateMac') },
      { id: 'verify-mac', title: 'Verify MAC', actions: ['kms:VerifyMac'] },
    ];
  }
  const usage = keyUsage ?? (spec.startsWith('ECC_SECG') || spec.startsWith('ECC_NIST') ? 'SIGN_VERIFY' : 'ENCRYPT_DECRYPT');
  if (usage === 'SIGN_VERIFY') {
    return [
      { id: 'sign', title: 'Sign', actions: ['kms:Sign'] },
      { id: 'verify', title: 'Verify', actions: SIGN_VERIFY_USE_ACTIONS.filter((a) => a === 'kms:Verify' || a === 'kms:GetPublicKey') },
    ];
  }
  if (usage === 'KEY_AGREEMENT') {
    return [{ id: 'derive-shared-secret', title: 'Derive shared secret', actions: KEY_AGREEMENT_USE_ACTIONS.filter((a) => a !== 'kms:DescribeKey') }];
  }
  return [
    { id: 'encrypt', title: 'Encrypt', actions: ASYMMETRIC_ENCRYPT_USE_ACTIONS.filter((a) => a === 'kms:Encrypt' || a === 'kms:GetPublicKey') },
    { id: 'decrypt', title: 'Decrypt', actions: ['kms:Decrypt'] },
  ];
}

/** Whom a statement speaks to. */
interface Audience {
  /** `*` with no narrowing: every principal. */
  readonly everyone: boolean;
  /** The rows it names (principals, roots, services) or the narrowed `*` row. */
  readonly rows: AccessRow[];
  /** For a narrowed `*`: the narrowing clause, kept as a condition for principals not known to satisfy it. */
  readonly narrowing?: ConditionClause;
}

/** A statement read for the matrix: whom it speaks to and the conditions left once that is known. */
interface ReadStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly audience: Audience;
  readonly actions: Set<string>;
  readonly clauses: ConditionClause[];
}

/** How the report renders values of a policy (intrinsics to readable strings). */
export type ValueRenderer = (value: unknown) => string;

/** The matrix of one key. */
export interface AccessMatrix {
  readonly rows: AccessRow[];
  readonly capabilities: Capability[];
  /** Cells by row id, then capability id. */
  readonly cells: Record<string, Record<string, AccessCell>>;
}

/** Builds the matrix of a finished key policy. */
export function accessMatrix(
  statements: ResolvedStatement[],
  capabilities: Capability[],
  render: ValueRenderer,
  account: string | undefined,
): AccessMatrix {
  const read = statements.map((st) => readStatement(st, render, account)).filter((r): r is ReadStatement => r !== undefined);
  const rowsById = new Map<string, AccessRow>();
  for (const r of read) {
    if (r.effect === 'Allow') {
      for (const row of r.audience.rows) rowsById.set(row.id, row);
    }
  }
  const rows = [...rowsById.values()].sort(compareRows);
  const cells: Record<string, Record<string, AccessCell>> = {};
  for (const row of rows) {
    cells[row.id] = {};
    for (const capability of capabilities) {
      cells[row.id][capability.id] = cellOf(read, row, capability, account);
    }
  }
  return { rows, capabilities, cells };
}

const KIND_ORDER: RowKind[] = ['anyone', 'organization', 'organization-paths', 'accounts', 'account-root', 'deployer', 'principal', 'service'];

function compareRows(a: AccessRow, b: AccessRow): number {
  return KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareText(a.id, b.id);
}

/**
 * The extra clauses under which a statement's audience includes a row, or undefined when it never does.
 * `*` includes everyone; a `*` narrowed to accounts includes the principals and roots of those accounts;
 * one narrowed to an organization includes any principal that is in it (the clause stays a condition).
 */
function reaches(audience: Audience, row: AccessRow): ConditionClause[] | undefined {
  if (audience.everyone) {
    return [];
  }
  if (audience.rows.some((r) => r.id === row.id)) {
    return [];
  }
  const narrowed = audience.rows.find((r) => r.members !== undefined);
  if (!narrowed || !audience.narrowing || row.kind === 'service' || row.members !== undefined) {
    return undefined;
  }
  if (narrowed.kind === 'accounts') {
    const acct = row.account;
    if (acct === undefined) return [audience.narrowing];
    return narrowed.members!.includes(acct) ? [] : undefined;
  }
  return [audience.narrowing];
}

function cellOf(read: ReadStatement[], row: AccessRow, capability: Capability, account: string | undefined): AccessCell {
  const crossAccount = (row.kind === 'principal' || row.kind === 'deployer') && row.account !== undefined && account !== undefined && row.account !== account;
  const actions = new Set<string>();
  const alternatives: ConditionClause[][] = [];
  const deniedWhen: ConditionClause[][] = [];
  let unconditional = false;
  let denied = false;
  for (const action of capability.actions) {
    const key = action.toLowerCase();
    for (const st of read) {
      if (!st.actions.has(key)) {
        continue;
      }
      const extra = reaches(st.audience, row);
      const needsIdentity = crossAccount && st.effect === 'Allow' && !st.clauses.includes(IDENTITY_POLICY_CLAUSE);
      const clauses = extra === undefined ? undefined
        : forCapability([...(needsIdentity ? [IDENTITY_POLICY_CLAUSE] : []), ...extra, ...st.clauses], capability);
      if (clauses === undefined) {
        continue;
      }
      if (st.effect === 'Deny') {
        if (clauses.length === 0) denied = true;
        else pushDistinct(deniedWhen, clauses);
        continue;
      }
      actions.add(action);
      if (clauses.length === 0) unconditional = true;
      else pushDistinct(alternatives, clauses);
    }
  }
  if (denied || actions.size === 0) {
    return { verdict: 'denied', actions: [], conditions: [], deniedWhen: [] };
  }
  return {
    verdict: unconditional && deniedWhen.length === 0 ? 'allowed' : 'conditional',
    actions: [...actions].sort(),
    conditions: unconditional ? [] : alternatives,
    deniedWhen,
  };
}

/**
 * The clauses of a statement that matter for a capability, or undefined when the statement cannot
 * serve it: a grant not for an AWS resource is never one that `kms:GrantIsForAWSResource = true` allows.
 */
function forCapability(clauses: ConditionClause[], capability: Capability): ConditionClause[] | undefined {
  if (capability.id !== 'grants-for-aws-resources' && capability.id !== 'any-grant') {
    // KMS sets kms:GrantIsForAWSResource on grant operations only: other requests fail a plain Bool
    // test of it and pass an IfExists one.
    const grantOnly = clauses.filter((c) => c.key.toLowerCase() === 'kms:grantisforawsresource');
    if (grantOnly.some((c) => !/IfExists$/i.test(c.operator))) {
      return undefined;
    }
    return clauses.filter((c) => !grantOnly.includes(c));
  }
  const isGrantClause = (c: ConditionClause) => c.key.toLowerCase() === 'kms:grantisforawsresource';
  const grantClauses = clauses.filter(isGrantClause);
  const rest = clauses.filter((c) => !isGrantClause(c));
  const requires = (value: string, ops: RegExp) => grantClauses.some((c) => ops.test(c.operator) && c.values.every((v) => v.toLowerCase() === value));
  const viaService = rest.some((c) => c.key.toLowerCase() === 'kms:viaservice' && /^string(equals|like)$/i.test(c.operator));
  if (capability.id === 'grants-for-aws-resources') {
    return requires('false', /^bool$/i) ? undefined : rest;
  }
  // Any grant: a direct call that names no AWS resource. Through a service, a grant is for a resource.
  if (requires('true', /^bool$/i) || viaService) {
    return undefined;
  }
  return rest.filter((c) => !(c.key.toLowerCase() === 'kms:viaservice' && /^StringNotEquals/i.test(c.operator)));
}

function pushDistinct(list: ConditionClause[][], clauses: ConditionClause[]): void {
  const key = JSON.stringify(clauses);
  if (!list.some((c) => JSON.stringify(c) === key)) {
    list.push(clauses);
  }
}

/**
 * Not an IAM condition: the principal's own identity policy must allow the call too, as for every
 * principal of another account and for principals reached through their account root.
 */
export const IDENTITY_POLICY_CLAUSE: ConditionClause = { operator: 'IdentityPolicyAllows', key: 'iam:IdentityPolicy', values: [] };

const NARROWING_OPERATORS = /^(StringEquals|StringLike|ArnEquals|ArnLike|StringEqualsIgnoreCase)$/i;
const DEPLOYER = /:role\/cdk-[a-z0-9]+-cfn-exec-role-/i;

function readStatement(st: ResolvedStatement, render: ValueRenderer, account: string | undefined): ReadStatement | undefined {
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny') {
    return undefined;
  }
  const effect = st.Effect;
  const actions = new Set(actionsOf(st).map((a) => a.toLowerCase()));
  let clauses = clausesOf(st.Condition, render);
  const principals = principalValues(st, render, account);
  const anyone = principals.some((p) => p.kind === 'anyone');
  const roots = principals.filter((p) => p.kind === 'account-root');
  const narrowing = (key: string) => clauses.find((c) => c.key.toLowerCase() === key
    && NARROWING_OPERATORS.test(c.operator.replace(/^ForAnyValue:/i, '')) && c.values.every((v) => v !== '*'));
  // A `*` or an account root held to named principals with aws:PrincipalArn speaks to those principals.
  const principalArn = effect === 'Allow' && (anyone || roots.length > 0) ? narrowing('aws:principalarn') : undefined;
  if (principalArn && !/Like$/i.test(principalArn.operator)) {
    // Through the account root, a principal of the account also needs its own IAM policy to allow the call.
    clauses = [...(anyone ? [] : [IDENTITY_POLICY_CLAUSE]), ...clauses.filter((c) => c !== principalArn)];
    return { effect, audience: { everyone: false, rows: principalArn.values.map((v) => principalRow(v, account)) }, actions, clauses };
  }
  const rows: AccessRow[] = [];
  let everyone = false;
  let narrowingClause: ConditionClause | undefined;
  if (anyone) {
    const chosen = effect === 'Allow'
      ? narrowing('kms:calleraccount') ?? narrowing('aws:principalaccount') ?? narrowing('aws:principalorgid') ?? narrowing('aws:principalorgpaths')
      : undefined;
    if (chosen) {
      clauses = clauses.filter((c) => c !== chosen);
      const members = [...new Set(chosen.values.map((v) => (v === '${AWS::AccountId}' && account ? account : v)))].sort();
      const key = chosen.key.toLowerCase();
      const kind: RowKind = key === 'aws:principalorgid' ? 'organization' : key === 'aws:principalorgpaths' ? 'organization-paths' : 'accounts';
      rows.push({ id: `${kind}:${members.join(',')}`, kind, value: '*', members });
      narrowingClause = chosen;
    } else {
      rows.push({ id: 'anyone', kind: 'anyone', value: '*' });
      everyone = true;
    }
  }
  for (const p of principals) {
    if (p.kind !== 'anyone') rows.push(p.row);
  }
  return { effect, audience: { everyone, rows, narrowing: narrowingClause }, actions, clauses };
}

function principalRow(value: string, account: string | undefined): AccessRow {
  // A reference to a resource of the app (`${Stack/Logical.Arn}`) is in the key's account: references
  // do not cross accounts.
  const m = /^arn:[^:]+:(?:iam|sts)::(\d{12}|\$\{AWS::AccountId\}):/.exec(value);
  const acct = m === null ? (/^\$\{[^}]+\.Arn\}$/.test(value) ? account : undefined) : m[1] === '${AWS::AccountId}' ? account : m[1];
  if (DEPLOYER.test(value)) {
    return { id: `deployer:${value}`, kind: 'deployer', value, account: acct };
  }
  return { id: `principal:${value}`, kind: 'principal', value, account: acct };
}

interface PrincipalValue {
  readonly kind: 'anyone' | 'account-root' | 'other';
  readonly row: AccessRow;
}

function principalValues(st: ResolvedStatement, render: ValueRenderer, account: string | undefined): PrincipalValue[] {
  const p = st.Principal;
  if (p === undefined) {
    return [];
  }
  const anyone: PrincipalValue = { kind: 'anyone', row: { id: 'anyone', kind: 'anyone', value: '*' } };
  if (p === '*') {
    return [anyone];
  }
  const out: PrincipalValue[] = [];
  for (const [type, value] of Object.entries(p as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const text = render(v);
      if (type === 'Service') {
        out.push({ kind: 'other', row: { id: `service:${text}`, kind: 'service', value: text } });
      } else if (type !== 'AWS') {
        out.push({ kind: 'other', row: { id: `${type}:${text}`, kind: 'principal', value: `${type}:${text}` } });
      } else if (text === '*') {
        out.push(anyone);
      } else {
        const root = rootAccount(text);
        const acct = root === '${AWS::AccountId}' && account ? account : root;
        out.push(acct !== undefined
          ? { kind: 'account-root', row: { id: `account-root:${acct}`, kind: 'account-root', value: acct, account: acct } }
          : { kind: 'other', row: principalRow(text, account) });
      }
    }
  }
  return out;
}

/** The account of a root principal in any spelling (12 digits, `arn:<partition>:iam::<account>:root`). */
export function rootAccount(text: string): string | undefined {
  if (/^\d{12}$/.test(text) || text === '${AWS::AccountId}') {
    return text;
  }
  const m = /^arn:[^:]+:iam::(\d{12}|\$\{AWS::AccountId\}):root$/.exec(text);
  return m?.[1];
}

function actionsOf(st: ResolvedStatement): string[] {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  if (st.NotAction !== undefined) {
    const excluded = new Set(list(st.NotAction).flatMap((a) => [...expandActionPattern(a)]).map((a) => a.toLowerCase()));
    return expandActionPattern('kms:*').filter((a) => !excluded.has(a.toLowerCase()));
  }
  return list(st.Action).flatMap((a) => [...expandActionPattern(a)]);
}

/** Code-point order: the same on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A list of alternatives in words: "through S3 in eu-west-1 and for objects of X; or ...". */
export function conditionsInWords(alternatives: ConditionClause[][]): string {
  return alternatives.map((clauses) => clauses.map(clauseInWords).join(' and ')).join('; or ');
}
