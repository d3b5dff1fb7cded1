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
  InspectedKey,
  inspectKey,
  isCdkExecutionRole,
  isCryptographicAction,
  isDeployerUseThroughService,
  isManagementAction,
  KEY_TYPE,
  KeyPolicyAnalysis,
  namesSource,
  PolicyPrincipal,
  primaryKeyOf,
  PrincipalHoldings,
  PrincipalKind,
  REPLICA_KEY_TYPE,
  replicaRegionsOf,
} from './key-policy-analyzer';
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
const fromAnyone = (g: AccessGrant) => g.statement.writtenPrincipals.some((p) => p.kind === PrincipalKind.ANYONE);

/** Every broken invariant of an analysed key policy, in the order of `Invariant`. */
export function keyPolicyViolations(analysis: KeyPolicyAnalysis, options: InvariantOptions = {}): Violation[] {
  const fullDelegation = options.fullDelegation ?? analysis.rootHasFullDelegation();
  const isDeployer = options.isDeployer ?? isCdkDeployer;
  const holdings = analysis.holdings();
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
 * Administration and use apart. The one exception is the deployer of the key (the CloudFormation
 * execution role): its use only through an AWS service (every grant of it held by `kms:ViaService`) is
 * what services call as the creator of the resources it deploys (CreateGrant and DescribeKey through
 * DynamoDB, RDS, EBS, ...), and it cannot decrypt outside the service. Any other administrator with use
 * through a service can read what that service stores under the key: that is use.
 */
function separationOfDuties(h: PrincipalHoldings, isDeployer: (principal: PolicyPrincipal) => boolean): Violation[] {
  if (isRoot(h.principal)) {
    return [];
  }
  const deployer = isDeployer(h.principal);
  const management = [...h.actions.keys()].filter(isManagementAction);
  const use = [...h.actions.entries()]
    .filter(([action, grants]) => isCryptographicAction(action) && grants.some((g) => !(deployer && heldToService(g.statement.allConditions))))
    .map(([action]) => action);
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
 * principals.
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
  if (!h.principal.wholeAccount && h.principal.kind !== PrincipalKind.ORGANIZATION) {
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

function crossAccountCreateGrant(h: PrincipalHoldings): Violation[] {
  const outside = h.principal.kind === PrincipalKind.OTHER_ACCOUNT || h.principal.kind === PrincipalKind.ANYONE
    || h.principal.kind === PrincipalKind.ORGANIZATION;
  const grants = h.actions.get(CREATE_GRANT);
  if (!outside || grants === undefined) {
    return [];
  }
  const open = grants.some((g) => !heldToAwsResources(g.statement.allConditions) && !heldToAutoScalingGrantee(g.statement.allConditions));
  return open ? [{
    invariant: Invariant.CROSS_ACCOUNT_CREATE_GRANT,
    principal: h.principal,
    message: `the key policy gives ${h.principal.display} kms:CreateGrant without Bool kms:GrantIsForAWSResource = true`,
  }] : [];
}

function servicePrincipalSource(h: PrincipalHoldings): Violation[] {
  if (h.principal.kind !== PrincipalKind.SERVICE) {
    return [];
  }
  const statements = [...new Set([...h.actions.values()].flat().filter((g) => !namesSource(g.statement.allConditions)).map((g) => g.statement))];
  return statements.map((st) => ({
    invariant: Invariant.SERVICE_PRINCIPAL_SOURCE,
    principal: h.principal,
    message: `the key policy statement '${st.sid ?? '(no Sid)'}' gives ${h.principal.display} use of the key without aws:SourceArn, aws:SourceAccount ` +
      'or an encryption context, so resources of any account could have the service use the key (confused deputy)',
  }));
}

function lockout(analysis: KeyPolicyAnalysis): Violation[] {
  const holders = analysis.holdings().filter((h) => h.actions.has(PUT_KEY_POLICY));
  return holders.length > 0 ? [] : [{
    invariant: Invariant.LOCKOUT,
    message: 'no principal of the key policy may call kms:PutKeyPolicy, so the key could never be changed again and KMS refuses the policy; ' +
      'add admins or keyPolicyManagers, or use AccountRootAccess.ADMINISTRATION',
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
 * The violations of a key of any origin, as the rule pack sees them: full delegation when the root
 * holds every action, ReplicateKey checked for multi-Region primaries only, against the regions of the
 * replicas of the same app.
 */
export function violationsOfKey(node: CfnResource, key: InspectedKey): Violation[] {
  const known = violationsByKey.get(key);
  if (known) {
    return known;
  }
  const multiRegion = key.type === KEY_TYPE && (key.properties.MultiRegion === true || key.properties.MultiRegion === 'true');
  const deployerIds = DEPLOYERS_OF_LIBRARY_KEYS.get(node);
  const violations = keyPolicyViolations(key.analysis, {
    replicaRegions: multiRegion ? replicaRegionsInApp(node) : undefined,
    isDeployer: (p) => deployerIds?.has(p.id) === true || isCdkDeployer(p),
  })
    .filter((v) => multiRegion || v.invariant !== Invariant.REPLICATE_KEY);
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
 * The result of a rule that reports one invariant: one finding per principal
 * (`Principal::<principal>`), or non-compliant without finding when `perPrincipal` is false.
 */
export function invariantRuleResult(node: CfnResource, invariant: Invariant, perPrincipal = true): NagRuleResult {
  const key = inspectKey(node);
  if (key === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const violations = violationsOfKey(node, key).filter((v) => v.invariant === invariant);
  if (violations.length === 0) {
    return NagRuleCompliance.COMPLIANT;
  }
  if (!perPrincipal) {
    return NagRuleCompliance.NON_COMPLIANT;
  }
  return [...new Set(violations.map((v) => `Principal::${v.principal?.display ?? '*'}`))].sort();
}
