import { Arn, ArnFormat, Duration, RemovalPolicy, Resource, Stack, Stage, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { aws_kms as kmsRefs } from 'aws-cdk-lib/interfaces';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { DeploymentUse } from '../deployment/deployment-use';
import { AccountRootAccess, CustomerManagedKey } from '../key/customer-managed-key';
import { withoutCyclicTopicReferences } from '../private/cyclic-references';
import { DeployedKey, KeyDeployment } from '../private/deployment';
import { sameValue } from '../private/environment';
import { grantInIdentityPolicy, grantInKeyPolicy, UseGrant, useGrantActions } from '../private/key-grants';
import { checkKeyPolicy } from '../private/key-policy-checks';
import { checkAlias, checkAliases, checkDescription, checkRemovalPolicy, checkTags, aliasConstructId, claimAlias, normalizeAlias } from '../private/key-properties';
import { checkRegion, checkStackName, isKnownRegion } from '../private/names';
import {
  checkEnumValue, checkPropsShape, describeInput, failInput, InputProblems, isTokenDuration, tokenDays, wholeDaysWithin, withPath,
} from '../private/validation';

/**
 * The settings each replica key has on its own (not shared with its primary).
 */
export interface ReplicaKeyOptions {
  /**
   * A description of the replica, up to 8,192 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Alias names of the replica (`alias/` is added when missing), in the replica's region. Each has 1 to
   * 256 characters of `a-zA-Z0-9/_-` and must not start with `alias/aws/`; a key has at most 50.
   *
   * @default - no alias
   */
  readonly aliases?: string[];

  /**
   * Tags of the replica: keys of 1 to 128 characters that do not start with `aws:`, values of up to
   * 256 characters, at most 50 tags.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Whether the replica is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The waiting period, a whole number of days from 7 to 30, before KMS deletes the replica once it is
   * scheduled for deletion.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the replica when it leaves the stack. `SNAPSHOT` does not apply to keys.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The principals that deploy the replica's stack: named in the replica's policy for CloudFormation's
   * calls, and in the primary's for `kms:ReplicateKey` to this replica's region.
   *
   * @default - the primary's `deployers` of this replica's account and region, else the replica stack's
   * synthesizer's CloudFormation execution role (`cdk-hnb659fds-cfn-exec-role-ACCOUNT-REGION`, the replica's region)
   */
  readonly deployers?: iam.IPrincipal[];
}

/**
 * Properties of a `ReplicaKey`.
 *
 * A replica shares the key spec, key usage, key material and rotation of its primary: it has no such
 * property, and passing one anyway (for example from an untyped object) is an error.
 */
export interface ReplicaKeyProps extends ReplicaKeyOptions {
  /**
   * The multi-Region primary key: a `CustomerManagedKey` with `multiRegion: true`, in the same account
   * and partition and in another region. The replica's key policy is rendered from its access model
   * (account root access, key policy managers, administrators, users, and every part added later) for
   * the replica's own region.
   */
  readonly primaryKey: kms.IKey;

  /**
   * The ARN of the deployed primary key, to use instead of a reference to `primaryKey`.
   *
   * With it, the replica's stack needs no cross-region reference (no custom resources), but the
   * primary must be deployed first and the principals of its key policy that are created in the
   * primary's stack must have physical names (for roles `roleName` or `PhysicalName.GENERATE_IF_NEEDED`).
   *
   * @default - `primaryKey.keyArn`, which the replica's stack reads through a CDK cross-region
   * reference: create that stack with `crossRegionReferences: true`
   */
  readonly primaryKeyArn?: string;
}

/**
 * Options of `ReplicaKey.replicate()`: the regions, and the settings given to every replica.
 */
export interface ReplicateOptions extends ReplicaKeyOptions {
  /**
   * The regions to create a replica in: concrete region names, other than the primary's, each once.
   */
  readonly regions: string[];

  /**
   * The ARN of the deployed primary key, to use instead of a cross-region reference.
   *
   * @default - the replica stacks read the primary's ARN through CDK cross-region references
   * (`crossRegionReferences: true`)
   */
  readonly primaryKeyArn?: string;

  /**
   * The construct id of the replica stacks: `<stackIdPrefix>-<region>`, in the primary stack's app or
   * stage. An existing stack of that id is reused, so several keys of one stack share a replica stack
   * per region.
   *
   * @default - the id of the primary key's stack
   */
  readonly stackIdPrefix?: string;
}

/** Properties that a replica shares with its primary and cannot set. */
const SHARED_WITH_PRIMARY = ['keySpec', 'keyUsage', 'enableKeyRotation', 'rotationPeriod', 'multiRegion'];
const DEFAULT_PENDING_WINDOW_DAYS = 30;

/** Regions that hold a replica, per primary key construct: a region holds at most one replica. */
const REPLICAS_BY_PRIMARY = new WeakMap<IConstruct, Map<string, string>>();

/**
 * A replica of a multi-Region `CustomerManagedKey` (`AWS::KMS::ReplicaKey`), in the region of its stack.
 *
 * Its key policy is rendered from the primary's access model for the replica's own region: the same
 * administrators, users and account root access as the primary, and every part added to the model later
 * (region-specific values such as `kms:ViaService` carry the replica's region). Its own `grant*()` calls
 * are added to its key policy only. The finished policy is checked like the primary's (separation of
 * duties, lockout, size).
 *
 * It is a `kms.IKey` whose `keyArn` is the replica's ARN, in the replica's region.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
 */
export class ReplicaKey extends Resource implements kms.IKey {
  /**
   * A replica key deployed outside this app, by its ARN (`arn:<partition>:kms:<region>:<account>:key/mrk-...`).
   *
   * Its key policy cannot be changed here: its `grant*()` methods write the grantee's own policy only,
   * on the replica's ARN, so the replica's key policy must already let the grantee (or its account's
   * IAM policies) use the key. Its aliases must be created in a stack of the replica's region.
   */
  public static fromReplicaKeyArn(scope: Construct, id: string, replicaKeyArn: string): kms.IKey {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    if (!Token.isUnresolved(replicaKeyArn)) {
      const parts = Arn.split(replicaKeyArn, ArnFormat.SLASH_RESOURCE_NAME);
      if (parts.service !== 'kms' || parts.resource !== 'key' || !parts.resourceName?.startsWith('mrk-')) {
        failInput(path, `replicaKeyArn must be the ARN of a multi-Region key (arn:<partition>:kms:<region>:<account>:key/mrk-...), got '${replicaKeyArn}'`);
      }
    }
    return new ImportedReplicaKey(scope, id, replicaKeyArn);
  }

  /**
   * Creates a replica of a multi-Region primary key in each of the given regions, each in a stack of
   * its own (`<stackIdPrefix>-<region>`) in the primary stack's app or stage. Every replica stack
   * depends on the primary's stack, so the primary is deployed first.
   *
   * Without `primaryKeyArn`, the replica stacks use CDK cross-region references
   * (`crossRegionReferences: true`) for the primary's ARN and for the principals of its key policy.
   */
  public static replicate(primaryKey: kms.IKey, options: ReplicateOptions): ReplicaKey[] {
    const primary = multiRegionPrimary(primaryKey, primaryKey?.node?.path ?? 'ReplicaKey.replicate');
    const primaryStack = Stack.of(primary);
    const problems = new InputProblems(primary.node.path);
    if (!checkPropsShape(problems, options, { regions: "a list of region names such as ['us-east-1']" }, ['regions', 'aliases'])) {
      problems.throwIfAny();
    }
    if (options.regions.length === 0) {
      problems.add("replicate() needs at least one region, got none; allowed: a list of region names such as ['us-east-1']");
    }
    const seen = new Set<string>();
    for (const region of options.regions) {
      if (typeof region === 'string' && Token.isUnresolved(region)) {
        problems.add(`replicate() needs concrete region names, got a token (${region}); allowed: region names such as 'us-east-1', a replica stack is made per region`);
        continue;
      }
      checkRegion(problems, primary, 'replicate(): region', region, true);
      if (seen.has(region)) {
        problems.add(`replicate() got region ${region} twice; a region holds at most one replica of a primary`);
      }
      seen.add(region);
    }
    const prefix = options.stackIdPrefix ?? primaryStack.node.id;
    for (const region of options.regions.filter((r) => typeof r === 'string' && isKnownRegion(r))) {
      checkStackName(problems, `replicate(): stackIdPrefix ${describeInput(prefix)} with the region`, `${prefix}-${region}`);
    }
    problems.throwIfAny();

    const stage = (Stage.of(primaryStack) ?? primaryStack.node.root) as Construct;
    return options.regions.map((region) => {
      const stackId = `${prefix}-${region}`;
      const existing = stage.node.tryFindChild(stackId);
      if (existing !== undefined && !Stack.isStack(existing)) {
        failInput(primary.node.path, `replicate() needs the id ${stackId} for the replica stack of ${region}, but ${existing.node.path} is not a stack`);
      }
      const stack = existing ?? withPath(primary.node.path, () => new Stack(stage, stackId, {
        env: { account: Token.isUnresolved(primaryStack.account) ? undefined : primaryStack.account, region },
        crossRegionReferences: options.primaryKeyArn === undefined,
        description: `Replicas in ${region} of multi-Region keys of ${primaryStack.stackName}`,
      }));
      return new ReplicaKey(stack, primary.node.id, {
        primaryKey: primary,
        primaryKeyArn: options.primaryKeyArn,
        description: options.description,
        aliases: options.aliases,
        tags: options.tags,
        enabled: options.enabled,
        pendingWindow: options.pendingWindow,
        removalPolicy: options.removalPolicy,
        deployers: options.deployers,
      });
    });
  }

  /** Every input problem at once; returns the primary. */
  private static validate(scope: Construct, path: string, props: ReplicaKeyProps): CustomerManagedKey {
    const shape = new InputProblems(path);
    if (!checkPropsShape(shape, props, { primaryKey: 'a multi-Region CustomerManagedKey' }, ['aliases'])) {
      shape.throwIfAny();
    }
    const primary = multiRegionPrimary(props.primaryKey, path);
    const problems = new InputProblems(path);
    checkEnumValue(problems, 'removalPolicy', props.removalPolicy, Object.values(RemovalPolicy));
    for (const name of SHARED_WITH_PRIMARY) {
      const value = (props as unknown as Record<string, unknown>)[name];
      if (value !== undefined) {
        problems.add(`${name} cannot be set on a replica, got ${describeValue(value)}: a replica shares key spec, key usage and rotation with its primary; set them on ${primary.node.path}`);
      }
    }
    checkPlacement(problems, Stack.of(scope), primary, props.primaryKeyArn);
    checkDescription(problems, props.description);
    checkRemovalPolicy(problems, props.removalPolicy);
    checkAliases(problems, props.aliases ?? [], scope);
    checkTags(problems, props.tags ?? {});
    if (props.pendingWindow) {
      wholeDaysWithin(problems, 'pendingWindow', props.pendingWindow, 7, 30);
    }
    problems.throwIfAny();
    return primary;
  }

  /** The ARN of the replica key, in the replica's region. */
  public readonly keyArn: string;

  /** The id of the replica key (`mrk-...`, shared with its primary). */
  public readonly keyId: string;

  /** The ARN of the primary key this is a replica of. */
  public readonly primaryKeyArn: string;

  /** The key spec, shared with the primary. */
  public readonly keySpec: kms.KeySpec;

  /** The key usage, shared with the primary. */
  public readonly keyUsage: kms.KeyUsage;

  private readonly policy = new iam.PolicyDocument();
  private readonly primary: CustomerManagedKey;
  private readonly deployment: KeyDeployment;
  private readonly addedAliases: string[] = [];

  constructor(scope: Construct, id: string, props: ReplicaKeyProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const primary = ReplicaKey.validate(scope, path, props);
    super(scope, id);
    this.primary = primary;
    const stack = Stack.of(this);
    const regions = REPLICAS_BY_PRIMARY.get(primary) ?? new Map<string, string>();
    REPLICAS_BY_PRIMARY.set(primary, regions.set(stack.region, this.node.path));

    this.keySpec = primary.keySpec;
    this.keyUsage = primary.keyUsage;
    this.primaryKeyArn = props.primaryKeyArn ?? primary.keyArn;

    const resource = new kms.CfnReplicaKey(this, 'Resource', {
      primaryKeyArn: this.primaryKeyArn,
      keyPolicy: this.policy,
      description: props.description,
      enabled: props.enabled,
      pendingWindowInDays: pendingWindowDays(props.pendingWindow),
    });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      resource.tags.setTag(key, value);
    }
    this.keyArn = resource.attrArn;
    this.keyId = resource.attrKeyId;

    const primaryStack = Stack.of(primary);
    if (Stage.of(stack) === Stage.of(primaryStack) && stack !== primaryStack) {
      addStackDependency(stack, primaryStack, `replica ${this.node.path} of ${primary.node.path}`);
    }

    primary._policyModel.subscribe((part) => {
      for (const statement of part({ stack, replica: true })) {
        this.requireReachablePrincipals(statement);
        this.policy.addStatements(statement);
      }
    });

    for (const alias of props.aliases ?? []) {
      this.addAlias(alias);
    }

    const deployedKey: DeployedKey = {
      construct: this,
      resource,
      replica: true,
      keySpec: primary.keySpec,
      named: props.deployers ?? primary._namedDeployers,
      rootHolds: (action) => primary._rootHolds(action),
      addStatement: (statement) => this.policy.addStatements(statement),
      replicas: () => [],
      namedHere: props.deployers !== undefined,
      deployersProp: props.deployers !== undefined ? `deployers of ${this.node.path}` : `deployers of ${primary.node.path} (or of the replica ${this.node.path})`,
    };
    this.deployment = new KeyDeployment(deployedKey);
    primary._addReplica(deployedKey);

    // The primary's key policy lets its policy rewriters replicate it into this region, and no other.
    primary._allowReplicationTo(stack.region);

    // The replica carries the primary's access model, full delegation to the account included.
    this.node.addValidation({
      validate: () => [
        ...this.deployment.errors,
        ...checkKeyPolicy(this, this.policy, {
          fullDelegation: primary.accountRootAccess === AccountRootAccess.FULL_DELEGATION,
          deployers: this.deployment.deployerPrincipals,
        }),
      ],
    });
  }

  /**
   * Declares that an AWS service creates resources with this replica (as the deployer of the replica's
   * region) where the synthesized templates cannot show it. Uses by resources of this app are found
   * without declaring them.
   */
  public addDeploymentUse(use: DeploymentUse): void {
    this.deployment.declare(use);
  }

  /** A reference to this key. */
  public get keyRef(): kmsRefs.KeyReference {
    return { keyId: this.keyId, keyArn: this.keyArn };
  }

  /** The alias names added to this replica so far. */
  public get aliasNames(): string[] {
    return [...this.addedAliases];
  }

  /** The administrator actions of the replica: those of its primary. */
  public get adminActions(): string[] {
    return this.primary.adminActions;
  }

  /**
   * Adds an alias to the replica, in the replica's region. The name is validated (`alias/` is added when
   * missing).
   */
  public addAlias(alias: string): kms.Alias {
    const name = normalizeAlias(alias);
    const problems = new InputProblems(this.node.path);
    checkAlias(problems, name, this.addedAliases, this);
    problems.throwIfAny();
    claimAlias(this, name);
    const id = aliasConstructId(name, this.addedAliases);
    this.addedAliases.push(name);
    return new kms.Alias(this, id, { aliasName: name, targetKey: this });
  }

  /**
   * Adds a statement to the replica's key policy (not to the primary's, nor to other replicas').
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    // The replica's key policy always takes the statement: allowNoOp (whether a no-op may pass silently)
    // never applies.
    void allowNoOp;
    const resource = this.node.tryFindChild('Resource');
    if (resource instanceof kms.CfnReplicaKey && !statement.frozen) {
      // A topic encrypted with this replica is named by its literal ARN (see CustomerManagedKey).
      withoutCyclicTopicReferences(this, resource, statement);
    }
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }

  /**
   * Grants the given actions on this replica to a principal, in the replica's key policy and in the
   * principal's own policy. `kms:*` is refused.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return grantInKeyPolicy(this, grantee, actions, this.primary.accountRootAccess === AccountRootAccess.FULL_DELEGATION);
  }

  /** Grants the administrator actions of the replica (never a cryptographic action, never CreateGrant). */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...this.adminActions);
  }

  /** Grants decryption. */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantDecrypt', grantee);
  }

  /** Grants encryption (and, for symmetric keys, data key generation and re-encryption). */
  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantEncrypt', grantee);
  }

  /** Grants encryption and decryption. */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantEncryptDecrypt', grantee);
  }

  /** Grants signing. */
  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantSign', grantee);
  }

  /** Grants signature verification. */
  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantVerify', grantee);
  }

  /** Grants signing and signature verification. */
  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantSignVerify', grantee);
  }

  /** Grants HMAC generation. */
  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantGenerateMac', grantee);
  }

  /** Grants HMAC verification. */
  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantVerifyMac', grantee);
  }

  private useGrant(method: UseGrant, grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...useGrantActions(method, { path: this.node.path, keySpec: this.keySpec, keyUsage: this.keyUsage }));
  }

  /**
   * A principal created in the primary's stack is named in this (other-region) stack through a
   * cross-region reference, or else by its physical name: say so when it has neither.
   */
  private requireReachablePrincipals(statement: iam.PolicyStatement): void {
    const stack = Stack.of(this);
    for (const principal of statement.principals) {
      if (!Construct.isConstruct(principal) || Stack.of(principal) === stack) {
        continue;
      }
      try {
        stack.resolve(principal.policyFragment.principalJson);
      } catch (e) {
        if (!/cross-environment/.test(String(e))) {
          throw e;
        }
        failInput(
          this.node.path,
          `the key policy names ${principal.node.path}, created in stack ${Stack.of(principal).node.path} (${Stack.of(principal).region}), ` +
          `which this replica's stack (${stack.region}) can name only by its physical name: give it one ` +
          '(for a role `roleName`, or `PhysicalName.GENERATE_IF_NEEDED`), or let the replica stack use crossRegionReferences (omit primaryKeyArn)',
        );
      }
    }
  }

}

/** The primary as a multi-Region CustomerManagedKey, or a clear error. */
function multiRegionPrimary(key: kms.IKey, path: string): CustomerManagedKey {
  if (!CustomerManagedKey.isCustomerManagedKey(key)) {
    const got = Construct.isConstruct(key) ? key.node.path : describeInput(key);
    failInput(path, `primaryKey must be a CustomerManagedKey of this app with multiRegion: true (the replica's key policy is rendered from its access model), got ${got}`);
  }
  if (!key.multiRegion) {
    failInput(path, `the primary key ${key.node.path} is not a multi-Region key; create it with multiRegion: true (this cannot change on an existing key)`);
  }
  return key;
}

/** Where a replica may be: another concrete region of the primary's partition, the primary's account, once per region. */
function checkPlacement(problems: InputProblems, stack: Stack, primary: CustomerManagedKey, primaryKeyArn: string | undefined): void {
  const primaryStack = Stack.of(primary);
  const region = stack.region;
  const primaryRegion = primaryStack.region;
  if (Token.isUnresolved(region)) {
    problems.add(`the replica's stack ${stack.node.path} has no concrete region (env-agnostic); a replica is created in the region of its stack: give the stack env.region`);
  }
  if (Token.isUnresolved(primaryRegion)) {
    problems.add(`the primary key's stack ${primaryStack.node.path} has no concrete region (env-agnostic); give it env.region so that replicas can be placed in other regions`);
  }
  if (!Token.isUnresolved(region)) {
    checkRegion(problems, stack, "the replica's region (its stack's env.region)", region, true);
  }
  if (!Token.isUnresolved(region) && !Token.isUnresolved(primaryRegion)) {
    if (region === primaryRegion) {
      problems.add(`the replica is in ${region}, the region of its primary ${primary.node.path}; a replica must be in another region`);
    }
    const partition = RegionInfo.get(region).partition;
    const primaryPartition = RegionInfo.get(primaryRegion).partition;
    if (partition !== undefined && primaryPartition !== undefined && partition !== primaryPartition) {
      problems.add(`the replica's region ${region} is in partition ${partition}, its primary's region ${primaryRegion} in partition ${primaryPartition}; a replica must be in the primary's partition`);
    }
    const other = REPLICAS_BY_PRIMARY.get(primary)?.get(region);
    if (other !== undefined) {
      problems.add(`the primary ${primary.node.path} already has a replica in ${region} (${other}); a region holds at most one replica of a primary`);
    }
  }
  if (!sameValue(stack.account, primaryStack.account)) {
    problems.add(`the replica's account (${describeAccount(stack.account)}) is not the primary's account (${describeAccount(primaryStack.account)}); a replica must be in the primary's account`);
  }
  if (primaryKeyArn === undefined) {
    if (stack !== primaryStack && !stack._crossRegionReferences) {
      problems.add(
        `the replica's stack ${stack.node.path} cannot reference the primary key's ARN in another region: create it with crossRegionReferences: true ` +
        '(CDK then carries the ARN through SSM parameters with two custom resources), or pass primaryKeyArn (the deployed primary\'s ARN)',
      );
    }
  } else if (!Token.isUnresolved(primaryKeyArn)) {
    checkPrimaryKeyArn(problems, primaryKeyArn, primaryStack);
  }
}

function checkPrimaryKeyArn(problems: InputProblems, arn: string, primaryStack: Stack): void {
  const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  if (parts.service !== 'kms' || parts.resource !== 'key' || !parts.resourceName?.startsWith('mrk-')) {
    problems.add(`primaryKeyArn must be the ARN of a multi-Region key (arn:<partition>:kms:<region>:<account>:key/mrk-...), got '${arn}'`);
    return;
  }
  if (!Token.isUnresolved(primaryStack.region) && parts.region !== primaryStack.region) {
    problems.add(`primaryKeyArn is in region ${parts.region}, but the primary key's stack is in ${primaryStack.region}`);
  }
  if (!Token.isUnresolved(primaryStack.account) && parts.account !== primaryStack.account) {
    problems.add(`primaryKeyArn is in account ${parts.account}, but the primary key's stack is in ${primaryStack.account}`);
  }
  const partition = parts.region ? RegionInfo.get(parts.region).partition : undefined;
  if (partition !== undefined && parts.partition !== partition) {
    problems.add(`primaryKeyArn names partition ${parts.partition}, but region ${parts.region} is in partition ${partition}`);
  }
}

/** The pending window in days: a token in days (a deploy-time value) is written as it is. */
function pendingWindowDays(pendingWindow: Duration | undefined): number | undefined {
  const window = pendingWindow ?? Duration.days(DEFAULT_PENDING_WINDOW_DAYS);
  return isTokenDuration(window) ? tokenDays(window) : window.toDays();
}

function describeAccount(account: string): string {
  return Token.isUnresolved(account) ? 'not concrete: env-agnostic' : account;
}

function describeValue(value: unknown): string {
  if (value instanceof Duration) {
    return value.toHumanString();
  }
  return JSON.stringify(value);
}

/**
 * `addStackDependency` replaces `addDependency` in recent aws-cdk-lib releases (which mark the old name
 * deprecated); the supported floor, 2.257, has only `addDependency`.
 */
function addStackDependency(source: Stack, target: Stack, reason: string): void {
  const recent = source as unknown as { addStackDependency?: (t: Stack, r?: string) => void };
  if (typeof recent.addStackDependency === 'function') {
    recent.addStackDependency(target, reason);
  } else {
    source.addDependency(target, reason);
  }
}

/** A replica deployed elsewhere: its key policy cannot change, so grants write the grantee's policy only. */
class ImportedReplicaKey extends Resource implements kms.IKey {
  public readonly keyArn: string;
  public readonly keyId: string;
  private readonly addedAliases: string[] = [];

  constructor(scope: Construct, id: string, keyArn: string) {
    super(scope, id, { environmentFromArn: keyArn });
    this.keyArn = keyArn;
    this.keyId = Arn.split(keyArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
  }

  public get keyRef(): kmsRefs.KeyReference {
    return { keyId: this.keyId, keyArn: this.keyArn };
  }

  public addAlias(alias: string): kms.Alias {
    const stack = Stack.of(this);
    if (Token.compareStrings(stack.region, this.env.region) === TokenComparison.DIFFERENT) {
      failInput(this.node.path, `an alias of the replica in ${this.env.region} must be created in a stack of that region, got a stack in ${stack.region}`);
    }
    const name = normalizeAlias(alias);
    const problems = new InputProblems(this.node.path);
    checkAlias(problems, name, this.addedAliases, this);
    problems.throwIfAny();
    claimAlias(this, name);
    const id = aliasConstructId(name, this.addedAliases);
    this.addedAliases.push(name);
    return new kms.Alias(this, id, { aliasName: name, targetKey: this });
  }

  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    // A replica deployed elsewhere: its key policy cannot change here, whatever the statement.
    void statement;
    void allowNoOp;
    return { statementAdded: false };
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return grantInIdentityPolicy(this, grantee, actions);
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantDecrypt', grantee);
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantEncrypt', grantee);
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantEncryptDecrypt', grantee);
  }

  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantSign', grantee);
  }

  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantVerify', grantee);
  }

  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantSignVerify', grantee);
  }

  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantGenerateMac', grantee);
  }

  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.useGrant('grantVerifyMac', grantee);
  }

  private useGrant(method: UseGrant, grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...useGrantActions(method, { path: this.node.path }));
  }
}
