import { Annotations, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { withLiteralPrincipalArns } from './cross-stack-grants';
import {
  AccessGrant,
  analysisContextOf,
  heldToAutoScalingGrantee,
  heldToAwsResources,
  heldToIdentity,
  heldToService,
  isCdkExecutionRole,
  isCryptographicAction,
  isDeployerUseThroughService,
  isManagementAction,
  KEY_TYPE,
  KeyPolicyAnalysis,
  namesSource,
  parseOperator,
  PolicyPrincipal,
  primaryKeyOf,
  PrincipalHoldings,
  PrincipalKind,
  REPLICA_KEY_TYPE,
  replicaRegionsOf,
  wildcardMatches,
} from './key-policy-analyzer';
import { InspectedKey, judgeEachVariant, propertyValue } from './key-variants';
import { CREATE_GRANT, PUT_KEY_POLICY, REPLICATE_KEY as REPLICATE_KEY_ACTION } from './perms';
import { deployedLength, KEY_POLICY_MAX_BYTES } from './policy-size';

/**
 * The invariants of key policies, read by the analyzer: refused at synth for the library's keys
 * (`checkKeyPolicy`) and reported by the KmsGoldenRules pack for any key (one rule per invariant).
 */
export enum Invariant {
  /** Only the account root holds every action. */
  NO_WILDCARD_ACTIONS = 'NoWildcardActions',
  /** No principal but the account root both administers and uses the key without a service in between. */
  SEPARATION_OF_DUTIES = 'SeparationOfDuties',
  /** Nothing for `*` unless narrowed to accounts or an organization, and use also to a service. */
  PUBLIC_PRINCIPAL = 'PublicPrincipal',
  /** No use, and no CreateGrant beyond AWS resources, for the account root outside full delegation. */
  ACCOUNT_ROOT_USE = 'AccountRootUse',
  /** ReplicateKey only with PutKeyPolicy, held to the replicas' regions. */
  REPLICATE_KEY = 'ReplicateKey',
  /** Another account's use is narrowed to a service, accounts or an organization. */
  CROSS_ACCOUNT_NARROWED = 'CrossAccountNarrowed',
  /** CreateGrant outside the account only for AWS resources. */
  CROSS_ACCOUNT_CREATE_GRANT = 'CrossAccountCreateGrant',
  /** Service principals only with a source condition (confused deputy). */
  SERVICE_PRINCIPAL_SOURCE = 'ServicePrincipalSource',
  /** Someone may still call PutKeyPolicy. */
  LOCKOUT = 'Lockout',
}

/** One broken invariant. */
export interface Violation {
  readonly invariant: Invariant;
  /** The principal it is about, when there is one. */
  readonly principal?: PolicyPrincipal;
  /** What is wrong and what to do instead. */
  readonly message: string;
}

/** What the invariants need to know of the key beyond its policy. */
export interface InvariantOptions {
  /**
   * Whether the account root's use is deliberate (AccountRootAccess.FULL_DELEGATION).
   * @default - whether the root holds every key action without condition
   */
  readonly fullDelegation?: boolean;
  /**
   * The regions of the declared replicas of a multi-Region primary, when they are known.
   * @default - not checked against declared replicas
   */
  readonly replicaRegions?: string[];
  /**
   * The principals that deploy the key and its replicas (CloudFormation execution roles): they write the
   * key policies of the keys they deploy, so they may hold kms:ReplicateKey (held to the replicas'
   * regions) without kms:PutKeyPolicy on this key.
   * @default - the CDK bootstrap's CloudFormation execution roles
   */
  readonly isDeployer?: (principal: PolicyPrincipal) => boolean;
}

const sorted = (actions: Iterable<string>) => [...actions].sort().join(', ');
const isRoot = (p: PolicyPrincipal) => p.kind === PrincipalKind.ACCOUNT_ROOT && p.wholeAccount;
/** Whether a grant comes from a statement for `*` (an Allow with NotPrincipal is for everyone but the principals it names). */
const fromAnyone = (g: AccessGrant) => g.statement.notPrincipal || g.statement.writtenPrincipals.some((p) => p.kind === PrincipalKind.ANYONE);

/** Every broken invariant of an analysed key policy, in the order of `Invariant`. */
export function keyPolicyViolations(analysis: KeyPolicyAnalysis, options: InvariantOptions = {}): Violation[] {
  const fullDelegation = options.fullDelegation ?? analysis.rootHasFullDelegation();
  const isDeployer = options.isDeployer ?? isCdkDeployer;
  const holdings = callersOf(analysis);
  return [
    ...holdings.flatMap(noWildcardActions),
    ...holdings.flatMap((h) => separationOfDuties(h, isDeployer)),
    ...holdings.flatMap(publicPrincipal),
    ...(fullDelegation ? [] : holdings.flatMap(accountRootUse)),
    ...holdings.flatMap((h) => replicateKey(h, fullDelegation, options.replicaRegions, isDeployer)),
    ...holdings.flatMap(crossAccountNarrowed),
    ...holdings.flatMap(crossAccountCreateGrant),
    ...holdings.flatMap(servicePrincipalSource),
    ...lockout(analysis),
  ];
}

/**
 * What the principals that can call KMS hold: federated and canonical-user principals never do (KMS
 * requests come from IAM identities and AWS services), so what a policy gives them counts for nothing.
 */
function callersOf(analysis: KeyPolicyAnalysis): PrincipalHoldings[] {
  return analysis.holdings().filter((h) => h.principal.kind !== PrincipalKind.OTHER);
}

function noWildcardActions(h: PrincipalHoldings): Violation[] {
  if (!h.everyAction || isRoot(h.principal)) {
    return [];
  }
  return [{
    invariant: Invariant.NO_WILDCARD_ACTIONS,
    principal: h.principal,
    message: `the key policy gives kms:* to ${h.principal.display}; only the account root may hold kms:* (name the actions instead)`,
  }];
}

/**
 * Administration and use apart. Each statement counts with its own conditions, never merged without
 * them. Administration through a service (CloudTrail's alias creation through EC2 during setup) is not
 * administration. Use through a service (every grant of it held by `kms:ViaService`) is use, except for
 * the deployer of the key (the CloudFormation execution role): what services call as the creator of the
 * resources it deploys (CreateGrant and DescribeKey through DynamoDB, RDS, EBS, ...), which cannot
 * decrypt outside the service. Any other administrator with use through a service can read what that
 * service stores under the key.
 */
function separationOfDuties(h: PrincipalHoldings, isDeployer: (principal: PolicyPrincipal) => boolean): Violation[] {
  if (isRoot(h.principal)) {
    return [];
  }
  const deployer = isDeployer(h.principal);
  // An alias created through a service is no administration; a decrypt through a service is use but for the deployer.
  const direct = (isSide: (action: string) => boolean, throughServiceCounts: boolean) => [...h.actions.entries()]
    .filter(([action, grants]) => isSide(action) && grants.some((g) => throughServiceCounts || !heldToService(g.statement.allConditions)))
    .map(([action]) => action);
  const management = direct(isManagementAction, false);
  const use = direct(isCryptographicAction, !deployer);
  if (management.length === 0 || use.length === 0) {
    return [];
  }
  return [{
    invariant: Invariant.SEPARATION_OF_DUTIES,
    principal: h.principal,
    message: `the key policy gives ${h.principal.display} both administrative actions (${sorted(management)}) ` +
      `and cryptographic actions (${sorted(use)}); a principal is an administrator or a user, never both ` +
      '(only the deployer may hold use through a service, held by kms:ViaService, next to administration)',
  }];
}

/**
 * `*` narrowed to named accounts or an organization (by its own conditions or by an identity
 * perimeter), and its use also to a service: otherwise every identity of those accounts (or of every
 * account) can use the key directly. `*` narrowed to named principals (`aws:PrincipalArn`) is those
 * principals. `*` narrowed to the key's own account is left to AccountRootUse.
 */
function publicPrincipal(h: PrincipalHoldings): Violation[] {
  if (h.principal.kind === PrincipalKind.ANYONE) {
    return [{
      invariant: Invariant.PUBLIC_PRINCIPAL,
      principal: h.principal,
      message: `the key policy allows '*' (${sorted(h.actions.keys())}) without narrowing it to accounts (kms:CallerAccount) or an organization (aws:PrincipalOrgID); ` +
        'share with shareForSnapshotCopy/shareForAmiLaunch, or name the principals',
    }];
  }
  // `*` narrowed to the key's own account is the account, as its root is: AccountRootUse judges it.
  if ((!h.principal.wholeAccount && h.principal.kind !== PrincipalKind.ORGANIZATION) || h.principal.kind === PrincipalKind.ACCOUNT_ROOT) {
    return [];
  }
  // A grant for AWS resources, or for the caller's Auto Scaling service-linked role, is not direct use.
  const direct = [...h.actions.entries()]
    .filter(([action, grants]) => isCryptographicAction(action) && grants.some((g) => fromAnyone(g) && !heldToService(g.statement.allConditions)
      && !(action === CREATE_GRANT && (heldToAwsResources(g.statement.allConditions) || heldToAutoScalingGrantee(g.statement.allConditions)))))
    .map(([action]) => action);
  if (direct.length === 0) {
    return [];
  }
  return [{
    invariant: Invariant.PUBLIC_PRINCIPAL,
    principal: h.principal,
    message: `the key policy lets every identity of ${h.principal.display} (Principal '*') call ${sorted(direct)} without kms:ViaService; ` +
      'hold the use of a shared key to the service that needs it (kms:ViaService), as shareForSnapshotCopy/shareForAmiLaunch do',
  }];
}

/**
 * The account root (or `*` narrowed to the account) uses the key: every IAM principal of the account
 * could, through its own IAM policy. CreateGrant held to AWS resources is not use by itself.
 */
function accountRootUse(h: PrincipalHoldings): Violation[] {
  if (!isRoot(h.principal)) {
    return [];
  }
  const use = [...h.actions.entries()]
    .filter(([action, grants]) => isCryptographicAction(action)
      && (action !== CREATE_GRANT || grants.some((g) => !heldToAwsResources(g.statement.allConditions))))
    .map(([action]) => action);
  if (use.length === 0) {
    return [];
  }
  return [{
    invariant: Invariant.ACCOUNT_ROOT_USE,
    principal: h.principal,
    message: `the key policy gives the account root cryptographic actions (${sorted(use)}), so any IAM principal ` +
      'of the account could use the key; name the principals as users or grant them with the key\'s grant methods ' +
      '(or choose AccountRootAccess.FULL_DELEGATION deliberately)',
  }];
}

/**
 * `kms:ReplicateKey` creates a replica with a key policy of the caller's choosing: only principals that
 * may rewrite this policy (PutKeyPolicy) hold it, and only to the regions of the declared replicas.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
 */
/** A CDK bootstrap's CloudFormation execution role, as the rule pack recognises deployers. */
function isCdkDeployer(p: PolicyPrincipal): boolean {
  return p.kind !== PrincipalKind.SERVICE && isCdkExecutionRole(p.display);
}

function replicateKey(
  h: PrincipalHoldings,
  fullDelegation: boolean,
  declared: string[] | undefined,
  isDeployer: (principal: PolicyPrincipal) => boolean,
): Violation[] {
  const grants = h.actions.get(REPLICATE_KEY_ACTION);
  if (grants === undefined || (isRoot(h.principal) && fullDelegation)) {
    return [];
  }
  const problems: string[] = [];
  if (!h.actions.has(PUT_KEY_POLICY) && !isDeployer(h.principal)) {
    problems.push('without kms:PutKeyPolicy: a replica gets a key policy of the caller\'s choosing, so ReplicateKey is as strong as rewriting this policy; ' +
      'give it only to the principals that may call PutKeyPolicy (the keyPolicyManagers)');
  }
  const regions = grants.map((g) => replicaRegionsOf(g.statement.allConditions));
  if (regions.some((r) => r === undefined)) {
    problems.push('without a kms:ReplicaRegion condition; hold it to the regions of the replicas');
  } else if (declared !== undefined) {
    const extra = [...new Set(regions.flatMap((r) => r ?? []))].filter((r) => !declared.includes(r));
    if (extra.length > 0) {
      problems.push(`to regions without a declared replica (${extra.sort().join(', ')}; declared: ${declared.join(', ') || 'none'})`);
    }
  }
  return problems.map((problem) => ({
    invariant: Invariant.REPLICATE_KEY,
    principal: h.principal,
    message: `the key policy gives ${h.principal.display} kms:ReplicateKey ${problem}`,
  }));
}

function crossAccountNarrowed(h: PrincipalHoldings): Violation[] {
  if (h.principal.kind !== PrincipalKind.OTHER_ACCOUNT && h.principal.kind !== PrincipalKind.ANYONE) {
    return [];
  }
  const open = [...h.actions.entries()]
    .filter(([, grants]) => grants.some((g) => !heldToService(g.statement.allConditions) && !heldToIdentity(g.statement.allConditions)))
    .map(([action]) => action);
  if (open.length === 0) {
    return [];
  }
  return [{
    invariant: Invariant.CROSS_ACCOUNT_NARROWED,
    principal: h.principal,
    message: `the key policy gives ${h.principal.display} (${sorted(open)}) without kms:ViaService, kms:CallerAccount or aws:PrincipalOrgID`,
  }];
}

/**
 * CreateGrant outside the account only for grants AWS services make: `Bool kms:GrantIsForAWSResource`,
 * or held to a service by `kms:ViaService` (a direct call cannot match it), or for the caller's Auto
 * Scaling service-linked role.
 */
function crossAccountCreateGrant(h: PrincipalHoldings): Violation[] {
  const outside = h.principal.kind === PrincipalKind.OTHER_ACCOUNT || h.principal.kind === PrincipalKind.ANYONE
    || h.principal.kind === PrincipalKind.ORGANIZATION;
  const grants = h.actions.get(CREATE_GRANT);
  if (!outside || grants === undefined) {
    return [];
  }
  const open = grants.some((g) => !heldToAwsResources(g.statement.allConditions) && !heldToService(g.statement.allConditions)
    && !heldToAutoScalingGrantee(g.statement.allConditions));
  return open ? [{
    invariant: Invariant.CROSS_ACCOUNT_CREATE_GRANT,
    principal: h.principal,
    message: `the key policy gives ${h.principal.display} kms:CreateGrant without Bool kms:GrantIsForAWSResource = true`,
  }] : [];
}

/**
 * A service principal given use of the key (a cryptographic action, CreateGrant included) names its
 * source; metadata actions (DescribeKey) need none.
 */
function servicePrincipalSource(h: PrincipalHoldings): Violation[] {
  if (h.principal.kind !== PrincipalKind.SERVICE) {
    return [];
  }
  const statements = [...new Set([...h.actions.entries()]
    .filter(([action]) => isCryptographicAction(action))
    .flatMap(([, grants]) => grants)
    .filter((g) => !namesSource(g.statement.allConditions))
    .map((g) => g.statement))];
  return statements.map((st) => ({
    invariant: Invariant.SERVICE_PRINCIPAL_SOURCE,
    principal: h.principal,
    message: `the key policy statement '${st.sid ?? '(no Sid)'}' gives ${h.principal.display} use of the key without aws:SourceArn, aws:SourceAccount ` +
      'or an encryption context, so resources of any account could have the service use the key (confused deputy)',
  }));
}

function lockout(analysis: KeyPolicyAnalysis): Violation[] {
  const holders = callersOf(analysis).filter((h) => h.actions.has(PUT_KEY_POLICY));
  return holders.length > 0 ? [] : [{
    invariant: Invariant.LOCKOUT,
    message: 'no principal of the key policy may call kms:PutKeyPolicy, so the key could never be changed again and KMS refuses the policy; ' +
      'add admins or keyPolicyManagers, or use AccountRootAccess.ADMINISTRATION',
  }];
}

/** A principal given by a template parameter or an import: it may be whoever deploys. */
const FROM_PARAMETER = /^\$\{(?!AWS::)[^.}]+\}$|^\$\{ImportValue:/;

/**
 * Whether a principal may be the one deploying the key, whom CloudFormation's lockout check asks about:
 * the account root (which delegates to IAM, where the deployer has its rights), `*` (narrowed or not),
 * an organization, the CDK's CloudFormation execution role, or a principal given by a parameter or import.
 */
function mayBeTheDeployer(p: PolicyPrincipal): boolean {
  switch (p.kind) {
    case PrincipalKind.ACCOUNT_ROOT:
    case PrincipalKind.ANYONE:
    case PrincipalKind.ORGANIZATION:
      return true;
    case PrincipalKind.SAME_ACCOUNT:
      return isCdkExecutionRole(p.display) || FROM_PARAMETER.test(p.display);
    default:
      return false;
  }
}

/**
 * Whether a Deny withholds PutKeyPolicy from the principal whatever the request: one whose only
 * conditions except other principals by `aws:PrincipalArn` with a negated operator (a principal that
 * may be the deployer is excepted only by a value that may be the deployer too).
 */
function deniedPutKeyPolicy(analysis: KeyPolicyAnalysis, p: PolicyPrincipal): boolean {
  return analysis.access(p, PUT_KEY_POLICY).denials.some((d) => !d.statement.notPrincipal && d.conditions.length > 0
    && d.conditions.every((c) => c.key.toLowerCase() === 'aws:principalarn' && /not/.test(parseOperator(c.operator).base))
    && !d.conditions.some((c) => c.values.some((v) => wildcardMatches(v, p.display)
      || (p.kind !== PrincipalKind.SAME_ACCOUNT && mayBeTheDeployer(analysis.principal(v))))));
}

/**
 * The rule pack's lockout: someone who may deploy the stack can still rewrite the key policy. When only
 * named principals that cannot be the deployer hold PutKeyPolicy (and the root does not), CloudFormation's
 * lockout check refuses the policy for any other deployer, and losing those principals locks the key.
 */
function deployerLockout(analysis: KeyPolicyAnalysis, isDeployer: (principal: PolicyPrincipal) => boolean): Violation[] {
  const managers = callersOf(analysis)
    .filter((h) => (h.actions.get(PUT_KEY_POLICY) ?? []).some((g) => !heldToService(g.statement.allConditions)))
    .map((h) => h.principal);
  if (managers.length === 0 || managers.some((p) => (mayBeTheDeployer(p) || isDeployer(p)) && !deniedPutKeyPolicy(analysis, p))) {
    return [];
  }
  return [{
    invariant: Invariant.LOCKOUT,
    message: `only ${managers.map((p) => p.display).sort().join(', ')} may call kms:PutKeyPolicy, and the account root may not: ` +
      'CloudFormation\'s lockout check refuses the policy for any other deployer, and losing them locks the key for good; ' +
      'give the account root kms:PutKeyPolicy, or name the deployer among the key policy managers',
  }];
}

const KEY_POLICY_WARNING_RATIO = 0.8;

/** Invariants the library's keys refuse at synth (the others are the rule pack's findings only). */
const REFUSED = new Set([
  Invariant.NO_WILDCARD_ACTIONS,
  Invariant.SEPARATION_OF_DUTIES,
  Invariant.PUBLIC_PRINCIPAL,
  Invariant.ACCOUNT_ROOT_USE,
  Invariant.REPLICATE_KEY,
  Invariant.LOCKOUT,
]);

/** How the library's key checks its finished policy. */
export interface KeyPolicyCheckOptions {
  /** Whether the account root may hold cryptographic actions (AccountRootAccess.FULL_DELEGATION). */
  readonly fullDelegation: boolean;
  /** The regions of the declared replicas (multi-Region primaries). */
  readonly replicaRegions?: string[];
  /**
   * The principals (resolved JSON) that deploy the key: their use through a service (`kms:ViaService`),
   * which services make as the creator of resources, is not use of the key by them.
   */
  readonly deployers?: ReadonlySet<string>;
}

/**
 * Checks of a finished key policy of the library, whoever added its statements: the invariants, and the
 * size. Returns the errors (the CDK reports them with the construct path); adds a warning to the key for
 * service principals without a source (statements that aws-cdk-lib integrations add) and when the
 * policy passes 80% of the size limit.
 */
export function checkKeyPolicy(key: IConstruct, policy: iam.PolicyDocument | undefined, options: KeyPolicyCheckOptions): string[] {
  const stack = Stack.of(key);
  const doc = stack.resolve(policy) as { Statement?: any[] } | undefined;
  const deployers = options.deployers ?? new Set<string>();
  // A role of another stack may be named by a literal ARN and by reference: one spelling per principal.
  const statements = withLiteralPrincipalArns(stack, (doc?.Statement ?? [])
    .filter((st) => !isDeployerUseThroughService(st, (p) => deployers.has(p))));
  const context = analysisContextOf(stack);
  const analysis = KeyPolicyAnalysis.of(statements, context);
  // The deployers (their JSON as principalsOf gives it) read as the analyzer reads principals.
  const deployerIds = new Set([...deployers].flatMap((d) => {
    const principal = JSON.parse(d);
    const [analyzed] = KeyPolicyAnalysis.of([{ Effect: 'Allow', Action: 'kms:DescribeKey', Principal: principal }], context).statements;
    return analyzed.principals.map((p) => p.id);
  }));
  const errors: string[] = [];
  const invariantOptions: InvariantOptions = {
    fullDelegation: options.fullDelegation,
    replicaRegions: options.replicaRegions,
    isDeployer: (p) => deployerIds.has(p.id),
  };
  const resource = key.node.defaultChild;
  if (resource !== undefined && CfnResource.isCfnResource(resource)) {
    DEPLOYERS_OF_LIBRARY_KEYS.set(resource, deployerIds);
  }
  for (const v of keyPolicyViolations(analysis, invariantOptions)) {
    if (REFUSED.has(v.invariant)) {
      errors.push(v.message);
    } else if (v.invariant === Invariant.SERVICE_PRINCIPAL_SOURCE) {
      Annotations.of(key).addWarningV2('cdk-kms-patterns:servicePrincipalWithoutSource', `${v.message}; ` +
        'it is often added by an aws-cdk-lib integration: use a ServicePreset for the service instead, or turn on the integration\'s feature flag');
    }
  }
  const bytes = deployedLength(doc);
  if (bytes > KEY_POLICY_MAX_BYTES) {
    errors.push(
      `the key policy takes up to ${bytes} bytes once deployed, over the KMS limit of ${KEY_POLICY_MAX_BYTES} bytes; ` +
      'list fewer principals, or share with whole accounts or an AWS Organization instead of single principals',
    );
  } else if (bytes > KEY_POLICY_MAX_BYTES * KEY_POLICY_WARNING_RATIO) {
    Annotations.of(key).addWarningV2(
      'cdk-kms-patterns:keyPolicyNearSizeLimit',
      `the key policy takes up to ${bytes} of ${KEY_POLICY_MAX_BYTES} bytes once deployed (over ${KEY_POLICY_WARNING_RATIO * 100}%)`,
    );
  }
  return errors;
}

const violationsByKey = new WeakMap<InspectedKey, Violation[]>();

/**
 * The deployers of the library's keys, as the analyzer names principals, recorded when a key checks its
 * policy: the rule pack then knows a deployer named with `deployers` (not a CDK bootstrap role) by the
 * key's model, not by how its statement is spelled.
 */
const DEPLOYERS_OF_LIBRARY_KEYS = new WeakMap<CfnResource, Set<string>>();

/**
 * The violations of one variant of a key of any origin, as the rule pack sees them: full delegation when
 * the root holds every action; ReplicateKey checked for multi-Region primaries only (and for a key whose
 * MultiRegion is known only at deploy time), against the regions of the replicas of the same app; the
 * lockout judged for the deployer too, and not at all on a policy with parts that cannot be read. The
 * deployers are the CDK bootstrap's execution roles, and for a library key the ones it was given.
 */
export function violationsOfKey(node: CfnResource, key: InspectedKey): Violation[] {
  const known = violationsByKey.get(key);
  if (known) {
    return known;
  }
  const multiRegion = propertyValue(key, 'MultiRegion');
  const mayBeMultiRegion = key.type === KEY_TYPE
    && ('deployTime' in multiRegion || multiRegion.known === true || multiRegion.known === 'true');
  const readable = key.unreadable.length === 0;
  const deployerIds = DEPLOYERS_OF_LIBRARY_KEYS.get(node);
  const isDeployer = (p: PolicyPrincipal) => deployerIds?.has(p.id) === true || isCdkDeployer(p);
  const violations = [
    ...keyPolicyViolations(key.analysis, { replicaRegions: mayBeMultiRegion ? replicaRegionsInApp(node) : undefined, isDeployer })
      .filter((v) => (mayBeMultiRegion || v.invariant !== Invariant.REPLICATE_KEY) && (readable || v.invariant !== Invariant.LOCKOUT)),
    ...(readable ? deployerLockout(key.analysis, isDeployer) : []),
  ];
  violationsByKey.set(key, violations);
  return violations;
}

/** The regions of the replica keys of the app whose primary is the given key; undefined when there is none. */
function replicaRegionsInApp(primary: CfnResource): string[] | undefined {
  const regions = primary.node.root.node.findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === REPLICA_KEY_TYPE && primaryKeyOf(c) === primary)
    .map((c) => Stack.of(c).region)
    .filter((r) => !Token.isUnresolved(r));
  return regions.length > 0 ? regions : undefined;
}

/**
 * The result of a rule that reports one invariant, on every variant of the key: one finding per
 * principal (`Principal::<principal>`), or non-compliant without finding when `perPrincipal` is false
 * or the violation is about no principal.
 */
export function invariantRuleResult(node: CfnResource, invariant: Invariant, perPrincipal = true): NagRuleResult {
  return judgeEachVariant(node, (key) => {
    const violations = violationsOfKey(node, key).filter((v) => v.invariant === invariant);
    if (violations.length === 0) {
      return NagRuleCompliance.COMPLIANT;
    }
    if (!perPrincipal || violations.some((v) => v.principal === undefined)) {
      return NagRuleCompliance.NON_COMPLIANT;
    }
    return [...new Set(violations.map((v) => `Principal::${v.principal!.display}`))].sort();
  });
}
