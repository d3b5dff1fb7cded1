import { CfnResource, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { CRYPTOGRAPHIC_ACTIONS, KMS_ACTIONS, MANAGEMENT_ACTIONS } from './perms';

/**
 * The one reader of key policies: every synth-time check of the library's keys and every KmsGoldenRules
 * rule asks it. It reads a resolved key policy (intrinsics as CloudFormation receives them, after any
 * Fn::If branch has been chosen: the rule pack reads each variant of a template, see key-variants) the
 * way IAM evaluates it:
 *
 * - principals normalised: `*` and `{"AWS": "*"}`; the account as a 12-digit id or a `:root` ARN, literal,
 *   `Fn::Join`, `Fn::Sub` or with pseudo parameters; a role by construct (`Fn::GetAtt`) or by ARN string;
 *   `aws:PrincipalArn`, `kms:CallerAccount`, `aws:PrincipalAccount`, `aws:PrincipalOrgID` and
 *   `aws:PrincipalOrgPaths` conditions narrowing a statement to the principals they name;
 * - actions case-insensitive, wildcards and `NotAction` expanded against every KMS action;
 * - the other conditions kept with each grant (`kms:ViaService`, `kms:GrantIsForAWSResource`, encryption
 *   context, `aws:SourceAccount`/`aws:SourceArn`, `kms:ReplicaRegion`, `kms:GranteePrincipal`, ...);
 * - Deny statements subtracted: an unconditional Deny removes what it covers, an identity perimeter
 *   (Deny unless the principal is of an organization or account) narrows `*` to it.
 *
 * It answers "can principal P do action A, and under which conditions" (`access`), "what does each
 * principal of the policy hold" (`holdings`), and evaluates one concrete request (`evaluate`) the way
 * the IAM policy simulator does.
 */

/** One statement of a resolved policy document. */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: any;
  readonly NotPrincipal?: any;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: any;
  readonly NotResource?: any;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Who a principal of a key policy is, seen from the key's account. */
export enum PrincipalKind {
  /** The key's own account: its root, or every identity of it (`*` narrowed to the account). */
  ACCOUNT_ROOT = 'ACCOUNT_ROOT',
  /** An IAM principal (role, user, session) of the key's account, or one whose account cannot be told. */
  SAME_ACCOUNT = 'SAME_ACCOUNT',
  /** An IAM principal, the root or every identity of another account. */
  OTHER_ACCOUNT = 'OTHER_ACCOUNT',
  /** Every principal of an AWS Organization (or of organizational units). */
  ORGANIZATION = 'ORGANIZATION',
  /** `*`: every principal of every account. */
  ANYONE = 'ANYONE',
  /** An AWS service principal. */
  SERVICE = 'SERVICE',
  /** Federated or canonical-user principals. */
  OTHER = 'OTHER',
}

/** One principal of a key policy, normalised. */
export interface PolicyPrincipal {
  /** Canonical identity: equal for every spelling of the same principal. */
  readonly id: string;
  /** Readable form, intrinsics as `${...}`: used in messages and finding ids. */
  readonly display: string;
  readonly kind: PrincipalKind;
  /** The 12-digit account (or `${AWS::AccountId}`) of an account, role or user, when it can be told. */
  readonly account?: string;
  /** Whether the principal stands for a whole account (its root, or every identity of it). */
  readonly wholeAccount: boolean;
}

/** One condition of a statement: operator and key as written, values rendered. */
export interface ConditionClause {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

/** A statement as the analyzer reads it. */
export interface AnalyzedStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /**
   * The principals the statement applies to, narrowed by principal conditions. An Allow with
   * NotPrincipal applies to `*` (everyone but the principals it names); a Deny with NotPrincipal keeps
   * the principals it names (it applies to every other).
   */
  readonly principals: PolicyPrincipal[];
  /** The principals as written, before any narrowing condition. */
  readonly writtenPrincipals: PolicyPrincipal[];
  /** Whether the statement uses NotPrincipal (it applies to everyone but its principals). */
  readonly notPrincipal: boolean;
  /**
   * Whether its `Resource` (or `NotResource`) surely covers the key (`*`, every key of the account), or
   * only may (a key ARN the analyzer cannot compare, a `NotResource` of other keys). A statement whose
   * resources cannot be a KMS key covers no action.
   */
  readonly coversKey: 'surely' | 'maybe';
  /** The KMS actions it covers (canonical spelling), wildcards and NotAction expanded. */
  readonly actions: ReadonlySet<string>;
  /** Whether it covers every KMS action (`*`, `kms:*`, or an Allow with NotAction). */
  readonly everyAction: boolean;
  /** The conditions that were not used to narrow its principals. */
  readonly conditions: ConditionClause[];
  /** Every condition as written. */
  readonly allConditions: ConditionClause[];
  readonly raw: ResolvedStatement;
}

/** One Allow statement giving an action to a principal, with the conditions it is held by. */
export interface AccessGrant {
  readonly statement: AnalyzedStatement;
  /** The principal of the statement that covers the asking principal. */
  readonly principal: PolicyPrincipal;
  readonly conditions: ConditionClause[];
  /** Whether the principal gets it only through its account's IAM policies (the statement names its account). */
  readonly throughAccount: boolean;
}

/** The answer to "can principal P do action A". */
export interface Access {
  readonly action: string;
  /** Some Allow applies and no unconditional Deny removes it. */
  readonly allowed: boolean;
  /** An applying Allow has no condition and no conditional Deny may apply. */
  readonly unconditional: boolean;
  readonly grants: AccessGrant[];
  /** Deny statements that may apply, with their conditions (empty conditions: always denied). */
  readonly denials: { readonly statement: AnalyzedStatement; readonly conditions: ConditionClause[] }[];
}

/** What one principal named by the key policy holds. */
export interface PrincipalHoldings {
  readonly principal: PolicyPrincipal;
  /** Every action the principal holds, with the grants (and their conditions) that give it. */
  readonly actions: ReadonlyMap<string, AccessGrant[]>;
  /** Whether a statement gives it every action. */
  readonly everyAction: boolean;
}

/** What the analyzer knows of the key whose policy it reads. */
export interface KeyPolicyAnalysisContext {
  /** The concrete account of the key's stack; undefined for an environment-agnostic stack. */
  readonly account?: string;
  /**
   * The ARN of the key, when it is known (an imported key's policy): a `Resource` is then compared to it.
   * @default - `*` and patterns of every key of the account cover the key, other KMS key ARNs may
   */
  readonly keyArn?: string;
  /**
   * The ARN of the resource of a logical id (a role or user of the key's stack), so that the same role
   * named by construct (`Fn::GetAtt`) and by ARN string is one principal.
   */
  readonly arnOf?: (logicalId: string) => string | undefined;
}

/** A concrete request, as IAM would evaluate it. */
export interface PolicyRequest {
  /** An IAM ARN (role, user, assumed-role session, `:root`) or a service principal name. */
  readonly principal: string;
  readonly action: string;
  /** Request context; `aws:PrincipalArn`, `aws:PrincipalAccount` and `kms:CallerAccount` are derived from the principal. */
  readonly context?: Record<string, string | string[]>;
}

/** What IAM decides for a request. */
export type PolicyDecision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

const THIS_ACCOUNT = '${AWS::AccountId}';
const ACCOUNT_ID = /^\d{12}$/;
const ANYONE: PolicyPrincipal = { id: '*', display: '*', kind: PrincipalKind.ANYONE, wholeAccount: false };

/** Positive string operators: with a value list, they hold a key to the values (a missing key fails them). */
const NARROWING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);
/** Negated operators, as identity perimeters write them (Deny unless the key has one of the values). */
const NEGATED_OPERATORS = new Set(['stringnotequals', 'stringnotequalsignorecase', 'stringnotlike', 'arnnotequals', 'arnnotlike']);

const PRINCIPAL_ARN = 'aws:principalarn';
const ACCOUNT_KEYS = new Set(['kms:calleraccount', 'aws:principalaccount']);
const ORG_KEYS = new Set(['aws:principalorgid', 'aws:principalorgpaths']);
const VIA_SERVICE = 'kms:viaservice';
const GRANT_FOR_AWS_RESOURCE = 'kms:grantisforawsresource';
const GRANTEE_PRINCIPAL = 'kms:granteeprincipal';
const REPLICA_REGION = 'kms:replicaregion';
/** Condition keys that tie a service principal's request to the resource (or account) it acts for. */
const SOURCE_KEY = /^(aws:sourcearn|aws:sourceaccount|aws:sourceorgid|aws:sourceorgpaths|kms:encryptioncontext:.+)$/;

const ACCOUNT_LEVEL_ACTIONS: readonly string[] = [
  'kms:ConnectCustomKeyStore', 'kms:CreateCustomKeyStore', 'kms:CreateKey', 'kms:DeleteCustomKeyStore',
  'kms:DescribeCustomKeyStores', 'kms:DisconnectCustomKeyStore', 'kms:GenerateRandom', 'kms:ListAliases',
  'kms:ListKeys', 'kms:ListRetirableGrants', 'kms:UpdateCustomKeyStore',
];
const KMS_ACTION_BY_LOWER = new Map(KMS_ACTIONS.map((a) => [a.toLowerCase(), a]));
const MANAGEMENT = new Set(MANAGEMENT_ACTIONS);
const CRYPTOGRAPHIC = new Set(CRYPTOGRAPHIC_ACTIONS);
/** Actions on a key (not account-level ones such as CreateKey or ListKeys, which a key policy cannot give). */
const KEY_ACTIONS = KMS_ACTIONS.filter((a) => !ACCOUNT_LEVEL_ACTIONS.includes(a));

/** Whether an action changes the key or its policy (administration). */
export function isManagementAction(action: string): boolean {
  return MANAGEMENT.has(action);
}

/** Whether an action uses the key material or hands out its use (CreateGrant). */
export function isCryptographicAction(action: string): boolean {
  return CRYPTOGRAPHIC.has(action);
}

const expansionCache = new Map<string, readonly string[]>();

/**
 * The KMS actions an action pattern of a policy names: case-insensitive, `*` and `?` wildcards, `*`
 * alone for every action; patterns of other services name none.
 */
export function expandActionPattern(pattern: string): readonly string[] {
  const cached = expansionCache.get(pattern);
  if (cached) {
    return cached;
  }
  const lower = pattern.toLowerCase();
  let out: readonly string[];
  if (lower === '*') {
    out = KMS_ACTIONS;
  } else if (!lower.includes('*') && !lower.includes('?')) {
    const known = KMS_ACTION_BY_LOWER.get(lower);
    out = known ? [known] : [];
  } else {
    const re = wildcardRegExp(lower, false);
    out = KMS_ACTIONS.filter((a) => re.test(a.toLowerCase()));
  }
  expansionCache.set(pattern, out);
  return out;
}

/** Whether a value matches a policy pattern with `*` and `?` wildcards (case-insensitive, as for ARNs of principals). */
export function wildcardMatches(pattern: string, value: string): boolean {
  return wildcardRegExp(pattern, true).test(value);
}

function wildcardRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

/**
 * A resolved CloudFormation value as a readable string: `{Ref: X}` becomes `${X}`, `Fn::GetAtt` becomes
 * `${Logical.Attr}`, `Fn::Join` is joined, `Fn::Sub` substitutes its variables.
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
      case 'Fn::Sub': {
        if (!Array.isArray(arg)) {
          return String(arg);
        }
        const variables = (arg[1] ?? {}) as Record<string, unknown>;
        return String(arg[0]).replace(/\$\{([^}!]+)\}/g, (whole, name: string) =>
          (name in variables ? renderIntrinsics(variables[name]) : whole));
      }
      case 'Fn::ImportValue':
        return `\${ImportValue:${renderIntrinsics(arg)}}`;
      case 'Fn::GetStackOutput':
        return `\${${renderIntrinsics(arg?.StackName)}.${renderIntrinsics(arg?.OutputName)}}`;
      default:
        return `\${${fn}}`;
    }
  }
  return JSON.stringify(value);
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * A resolved key policy read as IAM reads it. Build it once per policy; every query is answered from
 * the statements analysed in the constructor.
 */
export class KeyPolicyAnalysis {
  /** Reads a resolved policy document (or its statements). */
  public static of(policy: { Statement?: unknown } | ResolvedStatement[] | undefined, context: KeyPolicyAnalysisContext = {}): KeyPolicyAnalysis {
    const statements = Array.isArray(policy) ? policy : asList((policy as any)?.Statement) as ResolvedStatement[];
    return new KeyPolicyAnalysis(statements, context);
  }

  public readonly statements: AnalyzedStatement[];
  public readonly account?: string;
  private readonly context: KeyPolicyAnalysisContext;
  private holdingsCache?: PrincipalHoldings[];

  private constructor(statements: ResolvedStatement[], context: KeyPolicyAnalysisContext) {
    this.context = context;
    this.account = context.account;
    this.statements = statements.map((st, index) => this.analyze(st, index));
  }

  /** Every Allow statement. */
  public get allows(): AnalyzedStatement[] {
    return this.statements.filter((s) => s.effect === 'Allow');
  }

  /** Every Deny statement. */
  public get denies(): AnalyzedStatement[] {
    return this.statements.filter((s) => s.effect === 'Deny');
  }

  /** Normalises one principal as a key policy writes it (`"*"`, `{"AWS": ...}`, `{"Service": ...}`). */
  public principalsOf(element: unknown): PolicyPrincipal[] {
    if (element === undefined) {
      return [];
    }
    if (element === '*') {
      return [ANYONE];
    }
    if (element === null || typeof element !== 'object') {
      return [this.principal(renderIntrinsics(element), 'AWS')];
    }
    const out: PolicyPrincipal[] = [];
    for (const [type, value] of Object.entries(element as Record<string, unknown>)) {
      for (const v of asList(value)) {
        out.push(this.principal(renderIntrinsics(v), type));
      }
    }
    return out;
  }

  /** Normalises one rendered principal of the given type (`AWS`, `Service`, `Federated`, `CanonicalUser`). */
  public principal(rendered: string, type = 'AWS'): PolicyPrincipal {
    if (type === 'Service') {
      return { id: `service:${rendered.toLowerCase()}`, display: rendered, kind: PrincipalKind.SERVICE, wholeAccount: false };
    }
    // An iam.StarPrincipal, before rendering, is the literal string it renders to.
    if (type === 'LiteralString' && rendered === '*') {
      return ANYONE;
    }
    if (type !== 'AWS') {
      return { id: `${type.toLowerCase()}:${rendered}`, display: rendered, kind: PrincipalKind.OTHER, wholeAccount: false };
    }
    if (rendered === '*') {
      return ANYONE;
    }
    return this.awsPrincipal(rendered, rendered);
  }

  /** A principal for a whole account (its root), as `kms:CallerAccount` names it. */
  public accountPrincipal(account: string, display = account): PolicyPrincipal {
    const acct = this.normaliseAccount(account);
    return {
      id: `account:${acct}`,
      display,
      kind: this.isOwnAccount(acct) ? PrincipalKind.ACCOUNT_ROOT : PrincipalKind.OTHER_ACCOUNT,
      account: acct,
      wholeAccount: true,
    };
  }

  /** Whether an account (12 digits or `${AWS::AccountId}`) is the key's own. */
  public isOwnAccount(account: string | undefined): boolean {
    return account === undefined || account === THIS_ACCOUNT || (this.account !== undefined && account === this.account);
  }

  /**
   * What one principal can do with one action: every Allow that covers it (directly, through `*` or
   * through its account), with the conditions each is held by, and the Deny statements that may apply.
   *
   * @param throughAccount whether grants to the principal's account count (they need the principal's own
   * IAM policy too); default true
   */
  public access(principal: PolicyPrincipal, action: string, throughAccount = true): Access {
    const canonical = expandActionPattern(action)[0] ?? action;
    const grants: AccessGrant[] = [];
    for (const st of this.statements) {
      if (st.effect !== 'Allow' || !st.actions.has(canonical)) continue;
      if (st.notPrincipal && st.writtenPrincipals.some((p) => covers(p, principal) !== 'no' && p.kind !== PrincipalKind.ANYONE)) continue;
      for (const p of st.principals) {
        const how = covers(p, principal);
        if (how === 'no' || (how === 'account' && !throughAccount)) continue;
        grants.push({ statement: st, principal: p, conditions: st.conditions, throughAccount: how === 'account' });
      }
    }
    const denials: { statement: AnalyzedStatement; conditions: ConditionClause[] }[] = [];
    for (const st of this.statements) {
      if (st.effect !== 'Deny' || !st.actions.has(canonical)) continue;
      if (st.notPrincipal || st.principals.some((p) => covers(p, principal) !== 'no')) {
        denials.push({ statement: st, conditions: st.allConditions });
      }
    }
    const denied = denials.some((d) => d.conditions.length === 0 && !d.statement.notPrincipal && d.statement.coversKey === 'surely');
    return {
      action: canonical,
      allowed: grants.length > 0 && !denied,
      unconditional: !denied && denials.length === 0 && grants.some((g) => g.conditions.length === 0),
      grants,
      denials,
    };
  }

  /**
   * For every principal the Allow statements name (after narrowing), every action it holds and the
   * grants that give it. Principals are merged by identity: the same role by construct and by ARN is one.
   * Actions removed by an unconditional Deny are left out.
   */
  public holdings(): PrincipalHoldings[] {
    if (this.holdingsCache) {
      return this.holdingsCache;
    }
    const byId = new Map<string, { principal: PolicyPrincipal; actions: Map<string, AccessGrant[]>; everyAction: boolean }>();
    for (const st of this.statements) {
      if (st.effect !== 'Allow') continue;
      for (const written of st.principals) {
        for (const action of st.actions) {
          if (this.deniedOutright(written, action)) continue;
          const p = this.perimeterNarrowed(written, action);
          const entry = byId.get(p.id) ?? { principal: p, actions: new Map<string, AccessGrant[]>(), everyAction: false };
          const list = entry.actions.get(action) ?? [];
          list.push({ statement: st, principal: p, conditions: st.conditions, throughAccount: false });
          entry.actions.set(action, list);
          entry.everyAction = entry.everyAction || st.everyAction;
          byId.set(p.id, entry);
        }
      }
    }
    this.holdingsCache = [...byId.values()];
    return this.holdingsCache;
  }

  /**
   * Evaluates one concrete request against the key policy alone, as IAM does for a principal whose own
   * IAM policies allow the action: a statement naming the principal's account applies to it.
   */
  public evaluate(request: PolicyRequest): PolicyDecision {
    const action = expandActionPattern(request.action)[0];
    if (action === undefined) {
      return 'ImplicitlyDenied';
    }
    const who = requester(request.principal);
    const context = new Map<string, string[]>();
    if (who.arn) {
      context.set(PRINCIPAL_ARN, [who.arn]);
    }
    if (who.account) {
      context.set('aws:principalaccount', [who.account]);
      context.set('kms:calleraccount', [who.account]);
    }
    for (const [k, v] of Object.entries(request.context ?? {})) {
      context.set(k.toLowerCase(), asList(v));
    }
    let allowed = false;
    for (const st of this.statements) {
      if (!st.actions.has(action)) continue;
      const named = st.writtenPrincipals.some((p) => matchesRequester(p, who));
      if (named === st.notPrincipal) continue;
      if (!st.allConditions.every((c) => conditionHolds(c, context))) continue;
      if (st.effect === 'Deny') {
        return 'ExplicitlyDenied';
      }
      allowed = true;
    }
    return allowed ? 'Allowed' : 'ImplicitlyDenied';
  }

  /** Whether the account root holds every key action without condition: the classic full delegation to IAM. */
  public rootHasFullDelegation(): boolean {
    const root = this.holdings().find((h) => h.principal.kind === PrincipalKind.ACCOUNT_ROOT && h.principal.wholeAccount);
    return root !== undefined && KEY_ACTIONS.every((a) => (root.actions.get(a) ?? []).some((g) => g.conditions.length === 0));
  }

  private analyze(st: ResolvedStatement, index: number): AnalyzedStatement {
    const effect = st.Effect === 'Deny' ? 'Deny' : 'Allow';
    const notPrincipal = st.NotPrincipal !== undefined;
    const writtenPrincipals = this.principalsOf(notPrincipal ? st.NotPrincipal : st.Principal);
    const allConditions = conditionClauses(st.Condition);
    const coversKey = this.coversKey(st);
    let actions: Set<string>;
    if (coversKey === 'no') {
      actions = new Set();
    } else if (st.NotAction !== undefined) {
      const excluded = new Set(asList(st.NotAction).flatMap((a) => expandActionPattern(a)));
      actions = new Set(KMS_ACTIONS.filter((a) => !excluded.has(a)));
    } else {
      actions = new Set(asList(st.Action).flatMap((a) => expandActionPattern(a)));
    }
    // Every action however spelled (`kms:*`, `kms:**`, `kms:?*`, the whole list), or an Allow with NotAction.
    const everyAction = coversKey !== 'no' && ((st.NotAction !== undefined && effect === 'Allow') || actions.size === KMS_ACTIONS.length);
    // An Allow with NotPrincipal applies to everyone but the principals it names: `*`, narrowed as `*` is.
    const applyingTo = !notPrincipal ? writtenPrincipals : writtenPrincipals.some((p) => p.kind === PrincipalKind.ANYONE) ? [] : [ANYONE];
    const { principals, conditions } = effect === 'Deny'
      ? { principals: writtenPrincipals, conditions: allConditions }
      : this.narrow(applyingTo, allConditions);
    return {
      index,
      sid: st.Sid,
      effect,
      principals,
      writtenPrincipals,
      notPrincipal,
      coversKey: coversKey === 'surely' ? 'surely' : 'maybe',
      actions,
      everyAction,
      conditions,
      allConditions,
      raw: st,
    };
  }

  /**
   * Whether a statement's resources cover the key: `*` or a pattern of every key of the account surely;
   * a KMS key ARN (or an intrinsic) maybe; ARNs of other services or resource types never. `NotResource`
   * covers the key unless it may name it (`*`, a KMS key pattern).
   */
  private coversKey(st: ResolvedStatement): 'surely' | 'maybe' | 'no' {
    const account = this.account ?? '123456789012';
    const samples = [`arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, `arn:aws:kms:us-east-1:${account}:key/mrk-1234abcd12ab34cd56ef1234567890ab`];
    const scope = (value: unknown): 'surely' | 'maybe' | 'no' => {
      const rendered = renderIntrinsics(value)
        .split('${AWS::Partition}').join('aws').split('${AWS::Region}').join('us-east-1').split(THIS_ACCOUNT).join(account);
      const flat = rendered.replace(/\$\{[^}]*\}/g, '*');
      if (this.context.keyArn !== undefined) {
        return wildcardMatches(rendered, this.context.keyArn) ? 'surely' : wildcardMatches(flat, this.context.keyArn) ? 'maybe' : 'no';
      }
      if (samples.every((arn) => wildcardMatches(rendered, arn))) return 'surely';
      if (flat.startsWith('*')) return 'maybe';
      const parts = flat.split(':');
      if (parts.length < 6 || parts[0] !== 'arn') return 'no';
      const resource = parts.slice(5).join(':');
      return wildcardMatches(parts[2], 'kms') && (resource.toLowerCase().startsWith('key/') || wildcardMatches(resource, 'key/x')) ? 'maybe' : 'no';
    };
    if (st.NotResource !== undefined) {
      const excluded = asList(st.NotResource).map(scope);
      return excluded.includes('surely') ? 'no' : excluded.includes('maybe') ? 'maybe' : 'surely';
    }
    if (st.Resource === undefined) {
      return 'surely';
    }
    const covered = asList(st.Resource).map(scope);
    return covered.includes('surely') ? 'surely' : covered.includes('maybe') ? 'maybe' : 'no';
  }

  /**
   * Narrows the principals of an Allow by its principal conditions: `aws:PrincipalArn` to the principals
   * it names, `kms:CallerAccount`/`aws:PrincipalAccount` to whole accounts, `aws:PrincipalOrgID`/
   * `aws:PrincipalOrgPaths` to an organization. Only positive operators without `IfExists` narrow (a
   * request without the key fails them); `ForAllValues` never does (an empty set passes it).
   */
  private narrow(written: PolicyPrincipal[], clauses: ConditionClause[]): { principals: PolicyPrincipal[]; conditions: ConditionClause[] } {
    const narrowing = (keys: (k: string) => boolean) => clauses.filter((c) => {
      const op = parseOperator(c.operator);
      return keys(c.key.toLowerCase()) && NARROWING_OPERATORS.has(op.base) && !op.ifExists && op.set !== 'forallvalues' && c.values.length > 0
        && c.values.every((v) => namesIdentity(c.key, v));
    });
    const byArn = narrowing((k) => k === PRINCIPAL_ARN);
    const byAccount = narrowing((k) => ACCOUNT_KEYS.has(k));
    const byOrg = narrowing((k) => ORG_KEYS.has(k));
    const used = new Set<ConditionClause>();
    // Every clause must hold: accounts are the values all account clauses allow.
    const accounts = byAccount.length === 0 ? undefined
      : byAccount.map((c) => c.values.map((v) => this.normaliseAccount(v))).reduce((a, b) => a.filter((v) => b.includes(v)));
    byAccount.forEach((c) => used.add(c));
    let principals = written;
    if (byArn.length > 0) {
      const candidates = byArn.reduce((a, b) => (a.values.length <= b.values.length ? a : b)).values
        .filter((v) => byArn.every((c) => c.values.some((p) => wildcardRegExp(p, true).test(v))));
      const named = candidates.map((v) => this.principalOfArnPattern(v))
        .filter((n) => accounts === undefined || n.account === undefined || accounts.includes(n.account));
      principals = written.flatMap((w) => named.filter((n) => covers(w, n) !== 'no'));
      byArn.forEach((c) => used.add(c));
    } else if (accounts !== undefined) {
      const wholeAccounts = accounts.map((v) => this.accountPrincipal(v));
      principals = written.flatMap((w) => {
        if (w.kind === PrincipalKind.ANYONE) return wholeAccounts;
        if (w.kind === PrincipalKind.SERVICE || w.kind === PrincipalKind.OTHER) return [];
        return w.account === undefined || accounts.includes(w.account) ? [w] : [];
      });
    } else if (byOrg.length > 0 && written.every((w) => w.kind === PrincipalKind.ANYONE)) {
      const display = byOrg.map((c) => c.values.join(',')).join(' ');
      principals = [{ id: `organization:${display}`, display, kind: PrincipalKind.ORGANIZATION, wholeAccount: false }];
      byOrg.forEach((c) => used.add(c));
    }
    return { principals, conditions: clauses.filter((c) => !used.has(c)) };
  }

  /**
   * The principal an `aws:PrincipalArn` value names: a pattern of every principal (or every role, user
   * or session) of an account (`arn:aws:iam::<account>:*`, `...:role/*`) is that whole account.
   */
  private principalOfArnPattern(value: string): PolicyPrincipal {
    const p = this.principal(value);
    const [, , service, , account, ...rest] = value.split(THIS_ACCOUNT).join('@ACCOUNT@').replace(/\$\{[^}]*\}/g, '@X@').split(':');
    const resource = rest.join(':').replace(/^(role|user|assumed-role)\//i, '');
    return p.account !== undefined && (service === 'iam' || service === 'sts') && account !== undefined && matchesEverything(resource)
      ? this.accountPrincipal(p.account, p.display)
      : p;
  }

  /** Whether an unconditional Deny removes the action for every principal the Allow's principal stands for. */
  private deniedOutright(principal: PolicyPrincipal, action: string): boolean {
    return this.statements.some((d) => d.effect === 'Deny' && !d.notPrincipal && d.coversKey === 'surely' && d.actions.has(action)
      && d.allConditions.length === 0 && d.principals.some((p) => covers(p, principal) !== 'no'));
  }

  /**
   * `*` under an identity perimeter: a Deny of the action to `*` unless the principal is of the named
   * organization(s) or account(s) (negated operators, optionally `IfExists`, optionally exempting AWS
   * services) leaves the Allow to those principals only.
   */
  private perimeterNarrowed(principal: PolicyPrincipal, action: string): PolicyPrincipal {
    if (principal.kind !== PrincipalKind.ANYONE) {
      return principal;
    }
    for (const d of this.statements) {
      if (d.effect !== 'Deny' || d.notPrincipal || d.coversKey !== 'surely' || !d.actions.has(action) || !d.principals.some((p) => p.kind === PrincipalKind.ANYONE)) {
        continue;
      }
      const identity = d.allConditions.filter((c) => NEGATED_OPERATORS.has(parseOperator(c.operator).base)
        && (ORG_KEYS.has(c.key.toLowerCase()) || ACCOUNT_KEYS.has(c.key.toLowerCase())) && c.values.every((v) => namesIdentity(c.key, v)));
      const rest = d.allConditions.filter((c) => !identity.includes(c));
      // Exemptions of services only (they are not IAM principals of any account).
      const onlyServiceExemptions = rest.every((c) => /^aws:(principalisawsservice|viaawsservice)$/.test(c.key.toLowerCase())
        && c.values.every((v) => v.toLowerCase() === 'false'));
      if (identity.length !== 1 || !onlyServiceExemptions) {
        continue;
      }
      const [c] = identity;
      if (ACCOUNT_KEYS.has(c.key.toLowerCase())) {
        return c.values.length === 1 ? this.accountPrincipal(c.values[0]) : { ...principal, id: `accounts:${c.values.join(',')}`, display: c.values.join(','), kind: PrincipalKind.OTHER_ACCOUNT, wholeAccount: true };
      }
      return { id: `organization:${c.values.join(',')}`, display: c.values.join(','), kind: PrincipalKind.ORGANIZATION, wholeAccount: false };
    }
    return principal;
  }

  private awsPrincipal(rendered: string, display: string, depth = 0): PolicyPrincipal {
    const text = this.account ? rendered.split(THIS_ACCOUNT).join(this.account) : rendered;
    if (ACCOUNT_ID.test(text) || text === THIS_ACCOUNT) {
      return this.accountPrincipal(text, display);
    }
    const attribute = /^\$\{([^.}]+)\.Arn\}$/.exec(text);
    if (attribute && depth === 0) {
      const arn = this.context.arnOf?.(attribute[1]);
      if (arn !== undefined) {
        return this.awsPrincipal(arn, display, depth + 1);
      }
      return { id: `ref:${text}`, display, kind: PrincipalKind.SAME_ACCOUNT, wholeAccount: false };
    }
    // Placeholders hold '::' (`${AWS::Partition}`): neutralise them before splitting the ARN.
    const flat = text.split(THIS_ACCOUNT).join('@ACCOUNT@').replace(/\$\{[^}]*\}/g, '@X@');
    const parts = flat.split(':');
    if (parts.length < 6 || parts[0] !== 'arn') {
      return { id: `ref:${text}`, display, kind: PrincipalKind.SAME_ACCOUNT, wholeAccount: false };
    }
    const account = parts[4] === '@ACCOUNT@' ? this.normaliseAccount(THIS_ACCOUNT) : parts[4];
    const resource = parts.slice(5).join(':');
    if ((parts[2] === 'iam') && resource === 'root' && (ACCOUNT_ID.test(account) || account === THIS_ACCOUNT)) {
      return this.accountPrincipal(account, display);
    }
    const known = ACCOUNT_ID.test(account) || account === THIS_ACCOUNT;
    const own = !known || this.isOwnAccount(account);
    return {
      id: `${parts[2]}:${known ? account : parts[4]}:${resource}`,
      display,
      kind: own ? PrincipalKind.SAME_ACCOUNT : PrincipalKind.OTHER_ACCOUNT,
      account: known ? account : undefined,
      wholeAccount: false,
    };
  }

  private normaliseAccount(account: string): string {
    return account === THIS_ACCOUNT && this.account ? this.account : account;
  }
}

/**
 * How a statement's principal covers another principal: `self` when it is the same principal or
 * `*`, `account` when it names the other's whole account (the other then needs its own IAM policy),
 * `no` otherwise.
 */
function covers(statementPrincipal: PolicyPrincipal, asking: PolicyPrincipal): 'self' | 'account' | 'no' {
  if (statementPrincipal.kind === PrincipalKind.ANYONE) {
    return 'self';
  }
  if (statementPrincipal.id === asking.id) {
    return 'self';
  }
  if (statementPrincipal.wholeAccount && asking.kind !== PrincipalKind.SERVICE && asking.kind !== PrincipalKind.OTHER
    && (statementPrincipal.account === asking.account
      // A principal whose account cannot be told (an attribute of a resource) counts as the key's own.
      || (asking.account === undefined && statementPrincipal.kind === PrincipalKind.ACCOUNT_ROOT))) {
    return 'account';
  }
  if (statementPrincipal.id.includes('*') || statementPrincipal.id.includes('?')) {
    return wildcardRegExp(statementPrincipal.id, true).test(asking.id) ? 'self' : 'no';
  }
  return 'no';
}

interface Requester {
  readonly arn?: string;
  readonly account?: string;
  readonly service?: string;
  /** The role ARN an assumed-role session comes from (`arn:<p>:iam::<account>:role/<name>`). */
  readonly roleArn?: string;
}

function requester(principal: string): Requester {
  if (!principal.startsWith('arn:')) {
    return { service: principal };
  }
  const parts = principal.split(':');
  const resource = parts.slice(5).join(':');
  const session = /^assumed-role\/([^/]+)\//.exec(resource);
  return {
    arn: principal,
    account: parts[4],
    roleArn: session ? `arn:${parts[1]}:iam::${parts[4]}:role/${session[1]}` : undefined,
  };
}

function matchesRequester(p: PolicyPrincipal, who: Requester): boolean {
  switch (p.kind) {
    case PrincipalKind.ANYONE:
      return true;
    case PrincipalKind.SERVICE:
      return who.service !== undefined && p.display.toLowerCase() === who.service.toLowerCase();
    case PrincipalKind.OTHER:
    case PrincipalKind.ORGANIZATION:
      return false;
    default:
      break;
  }
  if (who.arn === undefined) {
    return false;
  }
  if (p.wholeAccount) {
    return p.account === who.account;
  }
  const [, partition] = who.arn.split(':');
  const arnOf = (id: string) => {
    const [service, account, ...rest] = id.split(':');
    return `arn:${partition}:${service}::${account}:${rest.join(':')}`;
  };
  const arn = arnOf(p.id);
  return arn === who.arn || (who.roleArn !== undefined && arn === who.roleArn);
}

function conditionClauses(condition: unknown): ConditionClause[] {
  if (condition === null || typeof condition !== 'object') {
    return [];
  }
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (block === null || typeof block !== 'object') continue;
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      out.push({ operator, key, values: asList(value).map(renderIntrinsics) });
    }
  }
  return out;
}

interface ParsedOperator {
  readonly base: string;
  readonly ifExists: boolean;
  readonly set?: 'foranyvalue' | 'forallvalues';
}

const operatorCache = new Map<string, ParsedOperator>();

/** A condition operator, case-insensitive: `ForAnyValue:StringLikeIfExists` → set, base, IfExists. */
export function parseOperator(operator: string): ParsedOperator {
  const cached = operatorCache.get(operator);
  if (cached) return cached;
  let rest = operator.toLowerCase();
  let set: ParsedOperator['set'];
  const qualifier = /^(foranyvalue|forallvalues):/.exec(rest);
  if (qualifier) {
    set = qualifier[1] as ParsedOperator['set'];
    rest = rest.slice(qualifier[0].length);
  }
  const ifExists = rest.endsWith('ifexists');
  const parsed = { base: ifExists ? rest.slice(0, -'ifexists'.length) : rest, ifExists, set };
  operatorCache.set(operator, parsed);
  return parsed;
}

/** Whether one condition holds for a request context (keys lower-case). */
function conditionHolds(clause: ConditionClause, context: Map<string, string[]>): boolean {
  const op = parseOperator(clause.operator);
  const present = context.get(clause.key.toLowerCase());
  if (op.base === 'null') {
    const wantsAbsent = clause.values.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent === (present === undefined);
  }
  if (present === undefined || present.length === 0) {
    if (op.set === 'forallvalues') return true;
    if (op.set === 'foranyvalue') return false;
    if (op.ifExists) return true;
    return NEGATED_OPERATORS.has(op.base);
  }
  const negated = NEGATED_OPERATORS.has(op.base) || op.base === 'numericnotequals';
  const positiveBase = negated ? op.base.replace('not', '') : op.base;
  const matchesOne = (value: string) => clause.values.some((p) => compare(positiveBase, value, p));
  if (op.set === 'forallvalues') {
    return present.every((v) => (negated ? !matchesOne(v) : matchesOne(v)));
  }
  if (op.set === 'foranyvalue') {
    return present.some((v) => (negated ? !matchesOne(v) : matchesOne(v)));
  }
  const any = present.some(matchesOne);
  return negated ? !any : any;
}

function compare(base: string, value: string, pattern: string): boolean {
  switch (base) {
    case 'stringequals':
      return value === pattern;
    case 'stringequalsignorecase':
      return value.toLowerCase() === pattern.toLowerCase();
    case 'stringlike':
    case 'arnequals':
    case 'arnlike':
      return wildcardRegExp(pattern, false).test(value);
    case 'bool':
      return value.toLowerCase() === pattern.toLowerCase();
    case 'numericequals':
      return Number(value) === Number(pattern);
    case 'numericlessthan':
      return Number(value) < Number(pattern);
    case 'numericlessthanequals':
      return Number(value) <= Number(pattern);
    case 'numericgreaterthan':
      return Number(value) > Number(pattern);
    case 'numericgreaterthanequals':
      return Number(value) >= Number(pattern);
    default:
      // Operators the analyzer does not model (dates, IP addresses, binary) never match: an Allow under
      // them is not counted as given, a Deny under them is not counted as removing.
      return false;
  }
}

/** Positive clauses of one condition key, lower-case, that a request must satisfy (no IfExists, no ForAllValues). */
function requiredClauses(conditions: ConditionClause[], key: string | RegExp): ConditionClause[] {
  return conditions.filter((c) => {
    const op = parseOperator(c.operator);
    const k = c.key.toLowerCase();
    const keyMatches = typeof key === 'string' ? k === key : key.test(k);
    return keyMatches && (NARROWING_OPERATORS.has(op.base) || op.base === 'bool') && !op.ifExists && op.set !== 'forallvalues'
      && c.values.length > 0 && c.values.every((v) => !matchesEverything(v));
  });
}

/** Whether a condition value matches every value of a key (`*`, `**`, `?*`: a present key is never empty). */
function matchesEverything(value: string): boolean {
  return value === '' || (/^[*?]+$/.test(value) && value.includes('*'));
}

/**
 * Whether a value of a principal condition names definite identities: an account or organization
 * without wildcards, organization paths under a named organization, principal ARNs of named accounts
 * (`arn:aws:iam::*:role/*` or `arn:*` names every account).
 */
function namesIdentity(key: string, value: string): boolean {
  const k = key.toLowerCase();
  const flat = value.replace(/\$\{[^}]*\}/g, '@X@');
  if (ACCOUNT_KEYS.has(k) || k === 'aws:principalorgid') {
    return !/[*?]/.test(flat);
  }
  if (k === 'aws:principalorgpaths') {
    return !/[*?]/.test(flat.split('/')[0]);
  }
  if (k === PRINCIPAL_ARN) {
    if (flat === '@X@') return true;
    const parts = flat.split(':');
    return parts.length >= 6 && parts[0] === 'arn' && parts[4] !== '' && !/[*?]/.test(parts[4]);
  }
  return true;
}

/** Whether a grant is held to requests through a named AWS service (`kms:ViaService`). */
export function heldToService(conditions: ConditionClause[]): boolean {
  // A value names a service by its endpoint prefix: `*.amazonaws.com` or `*.eu-west-1.amazonaws.com` name none.
  return requiredClauses(conditions, VIA_SERVICE).some((c) => c.values.every((v) => !/[*?]/.test(v.split('.')[0])));
}

/** Whether a grant is held to named accounts, an organization or named principals by its own conditions. */
export function heldToIdentity(conditions: ConditionClause[]): boolean {
  return requiredClauses(conditions, /^(aws:principalarn|kms:calleraccount|aws:principalaccount|aws:principalorgid|aws:principalorgpaths)$/)
    .some((c) => c.values.every((v) => namesIdentity(c.key, v)));
}

/**
 * Whether CreateGrant is held to grants for AWS resources (`Bool kms:GrantIsForAWSResource true`), or
 * `BoolIfExists` together with `kms:ViaService`: every CreateGrant that comes through a service carries
 * the key, and a direct call, which might not, fails the ViaService condition.
 */
export function heldToAwsResources(conditions: ConditionClause[]): boolean {
  return conditions.some((c) => {
    const op = parseOperator(c.operator);
    return c.key.toLowerCase() === GRANT_FOR_AWS_RESOURCE && op.base === 'bool' && !op.set
      && (!op.ifExists || heldToService(conditions))
      && c.values.length > 0 && c.values.every((v) => v.toLowerCase() === 'true');
  });
}

/**
 * Whether CreateGrant is held to grants for the caller's EC2 Auto Scaling service-linked role
 * (`kms:GranteePrincipal`), the cross-account exception AWS documents for launching instances from
 * encrypted AMIs with Auto Scaling.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export function heldToAutoScalingGrantee(conditions: ConditionClause[]): boolean {
  const grantees = requiredClauses(conditions, GRANTEE_PRINCIPAL).flatMap((c) => c.values);
  return grantees.length > 0
    && grantees.every((v) => v.toLowerCase().includes(':role/aws-service-role/autoscaling.amazonaws.com/awsserviceroleforautoscaling'));
}

/** The regions a grant of ReplicateKey is held to (`kms:ReplicaRegion`), or undefined when it is not. */
export function replicaRegionsOf(conditions: ConditionClause[]): string[] | undefined {
  const clauses = requiredClauses(conditions, REPLICA_REGION);
  if (clauses.length === 0) return undefined;
  return clauses.reduce((a, b) => (a.values.length <= b.values.length ? a : b)).values;
}

/**
 * Whether a service principal's grant names its source (confused-deputy protection): a positive
 * condition (not negated, not `IfExists`, not `ForAllValues`, not a `Null` check) on `aws:SourceArn`,
 * `aws:SourceAccount`, `aws:SourceOrgID`, `aws:SourceOrgPaths` or an encryption context key, with a
 * value other than `*`: a request without the key fails it.
 */
export function namesSource(conditions: ConditionClause[]): boolean {
  return requiredClauses(conditions, SOURCE_KEY).some((c) => c.values.every((v) => namesSourceValue(c.key, v)));
}

/**
 * Whether a value of a source condition names a source: an account or organization without wildcards;
 * an ARN of a named account, or of a resource of global name (no account field: an S3 bucket) other
 * than `*`. An ARN of any account (`arn:aws:logs:*:*:log-group:x`) names none: any account may create
 * a resource of that name.
 */
function namesSourceValue(key: string, value: string): boolean {
  const k = key.toLowerCase();
  if (k === 'aws:sourceaccount') return namesIdentity('kms:calleraccount', value);
  if (k === 'aws:sourceorgid') return namesIdentity('aws:principalorgid', value);
  if (k === 'aws:sourceorgpaths') return namesIdentity('aws:principalorgpaths', value);
  // An encryption context value that is an ARN (`kms:EncryptionContext:aws:logs:arn`) is read as aws:SourceArn is.
  if (k !== 'aws:sourcearn' && !value.startsWith('arn:')) return true;
  const flat = value.replace(/\$\{[^}]*\}/g, '@X@');
  if (flat === '@X@') return true;
  const parts = flat.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || /[*?]/.test(parts[4])) return false;
  return parts[4] !== '' || !/^[*?]*$/.test(parts.slice(5).join(':'));
}

// ---------------------------------------------------------------------------------------------------
// Keys as CloudFormation receives them
// ---------------------------------------------------------------------------------------------------

/** CloudFormation types of KMS keys that carry a key policy. */
export const KEY_TYPE = 'AWS::KMS::Key';
export const REPLICA_KEY_TYPE = 'AWS::KMS::ReplicaKey';

/**
 * The analysis context of a key in a stack: its account, and the ARNs of the stack's roles and users
 * that have a physical name (so that a role named by construct and by ARN string is one principal).
 */
export function analysisContextOf(stack: Stack): KeyPolicyAnalysisContext {
  const arns = new Map<string, string | undefined>();
  return {
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
    arnOf: (logicalId) => {
      if (!arns.has(logicalId)) {
        arns.set(logicalId, namedPrincipalArn(stack, logicalId));
      }
      return arns.get(logicalId);
    },
  };
}

const IAM_NAME_PROPERTIES: Record<string, [string, string]> = {
  'AWS::IAM::Role': ['role', 'RoleName'],
  'AWS::IAM::User': ['user', 'UserName'],
};

/**
 * The roles and users of each stack by logical id. Built again when a logical id is not in it (the
 * stack grew, or an id was overridden), so that a key checked in its constructor and again at synth
 * sees the stack as it is; only the resource asked about is resolved.
 */
const IAM_PRINCIPALS_BY_LOGICAL_ID = new WeakMap<Stack, Map<string, CfnResource>>();

function iamPrincipalResource(stack: Stack, logicalId: string): CfnResource | undefined {
  let index = IAM_PRINCIPALS_BY_LOGICAL_ID.get(stack);
  if (index === undefined || !index.has(logicalId)) {
    index = new Map();
    for (const c of stack.node.findAll()) {
      if (CfnResource.isCfnResource(c) && IAM_NAME_PROPERTIES[c.cfnResourceType] && Stack.of(c) === stack) {
        index.set(stack.resolve(c.logicalId), c);
      }
    }
    IAM_PRINCIPALS_BY_LOGICAL_ID.set(stack, index);
  }
  const resource = index.get(logicalId);
  // An index of an earlier moment may name a resource whose logical id was overridden since.
  return resource !== undefined && stack.resolve(resource.logicalId) === logicalId ? resource : undefined;
}

/** The ARN of the stack's role or user of that logical id when it has a physical name. */
function namedPrincipalArn(stack: Stack, logicalId: string): string | undefined {
  const resource = iamPrincipalResource(stack, logicalId);
  if (resource === undefined) {
    return undefined;
  }
  const kind = IAM_NAME_PROPERTIES[resource.cfnResourceType];
  const props = stack.resolve((resource as any)._toCloudFormation())?.Resources?.[logicalId]?.Properties ?? {};
  const name = props[kind[1]];
  if (typeof name !== 'string') {
    return undefined;
  }
  const path = typeof props.Path === 'string' ? props.Path : '/';
  return `arn:\${AWS::Partition}:iam::${THIS_ACCOUNT}:${kind[0]}${path}${name}`;
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

/** Each principal of a resolved `Principal` element, as a stable JSON string (`{"AWS": ...}`). */
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
