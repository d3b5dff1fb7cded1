import { Duration, Lazy, Validations, RemovalPolicy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { KeyAdminPolicy, KeyUserPolicy } from './identity-policies';
import { KeyOrigin } from './key-origin';
import { DeploymentUse } from '../deployment/deployment-use';
import { applyPerimeter } from '../perimeters/apply';
import { KeyPerimeter } from '../perimeters/key-perimeter';
import { applyServicePreset } from '../presets/apply';
import { ServicePreset } from '../presets/service-preset';
import { ServiceVia } from '../presets/service-via';
import { withoutCyclicTopicReferences } from '../private/cyclic-references';
import { DeployedKey, KeyDeployment } from '../private/deployment';
import { grantInKeyPolicy, isOwnAccountRoot, UseGrant, useGrantActions } from '../private/key-grants';
import { checkKeyPolicy } from '../private/key-policy-checks';
import { KeyPolicyModel } from '../private/key-policy-model';
import { checkAlias, checkAliases, checkDescription, checkRemovalPolicy, checkTags, aliasConstructId, claimAlias, normalizeAlias } from '../private/key-properties';
import { canImport, canRotate, knownSpecs, usagesFor, useActionsFor } from '../private/key-specs';
import { checkPrincipal, isPrincipal, warnUnknownStackRegion } from '../private/names';
import {
  IMPORTED_KEY_MATERIAL_ADMIN_ACTIONS,
  IMPORTED_KEY_MATERIAL_ROTATION_ACTIONS,
  KEY_ADMIN_ACTIONS_EXCEPT_PUT_POLICY,
  KEY_POLICY_MANAGER_ACTIONS,
  MULTI_REGION_ADMIN_ACTIONS,
  PUT_KEY_POLICY,
  REPLICATE_KEY,
  USER_GRANT_ACTIONS,
} from '../private/perms';
import { checkEnumValue, checkPropsShape, describeInput, InputProblems, isTokenDuration, tokenDays, wholeDaysWithin } from '../private/validation';
import { AmiLaunchSharingOptions, EbsSharingPurpose } from '../sharing/key-sharing';
import { shareKeyForEbs } from '../sharing/key-sharing-statements';
import { SharingTargets } from '../sharing/targets';

/**
 * What the key policy lets the AWS account that owns the key (its root, and through it the account's IAM
 * policies) do with the key.
 */
export enum AccountRootAccess {
  /**
   * The account root gets the administrator actions and no cryptographic action.
   *
   * IAM policies of the account can then manage the key (so losing every named administrator never
   * locks the key out), but no IAM principal can use the key unless the key policy names it as a user.
   */
  ADMINISTRATION = 'ADMINISTRATION',

  /**
   * The classic default key policy: `kms:*` for the account root, so IAM policies of the account decide
   * everything, use included. Named users and administrators are still listed in the key policy.
   */
  FULL_DELEGATION = 'FULL_DELEGATION',

  /**
   * No statement for the account root: only the principals the key policy names can do anything.
   *
   * An administrator or a key policy manager must keep `kms:PutKeyPolicy`; the principal that deploys the
   * key (see `deployers`) gets what CloudFormation's KMS handlers call.
   */
  NONE = 'NONE',
}

/**
 * Who may use a key through an AWS service (`CustomerManagedKey.allowUseVia`).
 *
 * A struct rather than a plain list so that Java callers can pass a `List<Role>` (jsii renders list
 * parameters of instance methods with exact element types, and struct builders with `? extends`).
 */
export interface AllowUseViaOptions {
  /**
   * The principals that may use the key through the service.
   */
  readonly principals: iam.IPrincipal[];
}

/**
 * Properties of a `CustomerManagedKey`.
 */
export interface CustomerManagedKeyProps {
  /**
   * Principals that administer the key: they get the administrator actions of the AWS console's split,
   * without `kms:CreateGrant` and without any cryptographic action.
   *
   * @default - none; the account root administers the key (see `accountRootAccess`)
   */
  readonly admins?: iam.IPrincipal[];

  /**
   * Principals that use the key: they get the use actions of the key's spec, plus `kms:CreateGrant`,
   * `kms:ListGrants` and `kms:RevokeGrant` for AWS resources only (`kms:GrantIsForAWSResource`).
   *
   * @default - none
   */
  readonly users?: iam.IPrincipal[];

  /**
   * What the account root (and so the account's IAM policies) may do with the key.
   *
   * @default AccountRootAccess.ADMINISTRATION
   */
  readonly accountRootAccess?: AccountRootAccess;

  /**
   * Principals that alone may rewrite the key policy (`kms:PutKeyPolicy`), for example the
   * CloudFormation execution role that deploys the key.
   *
   * Whoever may call `kms:PutKeyPolicy` can give itself any permission on the key: it is the
   * administrators' ultimate power. When this is set, neither the administrators nor the account root
   * hold it. The deploying principal (see `deployers`) keeps it too: CloudFormation calls it on every
   * update of the key policy, and KMS's lockout safety check asks for it when the key is created.
   *
   * @default - the administrators and the account root may rewrite the key policy
   */
  readonly keyPolicyManagers?: iam.IPrincipal[];

  /**
   * The principals that deploy the stacks holding this key's policy: the primary's stack and, unless a
   * replica names its own, each replica's stack (a principal applies to the stacks of its account, and a
   * CDK bootstrap execution role `cdk-<qualifier>-cfn-exec-role-<account>-<region>` to its region's).
   *
   * The deployer gets, in the key policy, what CloudFormation's KMS handlers call that the account root
   * does not already delegate to IAM (see `accountRootAccess`), and the calls that AWS services make as the
   * creator of resources encrypted with the key (through the service only). Name it when the stack
   * synthesizer has no CloudFormation execution role (`CliCredentialsStackSynthesizer`, a pipeline role).
   *
   * @default - each stack's synthesizer's CloudFormation execution role (DefaultStackSynthesizer:
   * `cdk-hnb659fds-cfn-exec-role-ACCOUNT-REGION`, or its custom qualifier or role ARN)
   */
  readonly deployers?: iam.IPrincipal[];

  /**
   * The key spec: symmetric, RSA, ECC, HMAC, SM2 or ML-DSA.
   *
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * The cryptographic operations the key is for; it must be one the key spec allows.
   *
   * @default - the first usage the key spec allows: ENCRYPT_DECRYPT for symmetric, RSA and SM2 keys,
   * GENERATE_VERIFY_MAC for HMAC keys, SIGN_VERIFY for ECC and ML-DSA keys
   */
  readonly keyUsage?: kms.KeyUsage;

  /**
   * Where the key material comes from. A key with imported key material (`KeyOrigin.EXTERNAL`) never
   * rotates automatically, and its administrators also get `kms:ImportKeyMaterial`.
   *
   * @default KeyOrigin.AWS_KMS
   */
  readonly origin?: KeyOrigin;

  /**
   * Whether KMS rotates the key material automatically. Only symmetric encryption keys whose material
   * KMS generates can rotate: asking for rotation on any other key spec or origin is an error.
   *
   * @default - true for symmetric encryption keys of origin AWS_KMS, false for the others
   */
  readonly enableKeyRotation?: boolean;

  /**
   * The time between two automatic rotations, a whole number of days from 90 to 2,560.
   *
   * @default Duration.days(365)
   */
  readonly rotationPeriod?: Duration;

  /**
   * Alias names of the key (`alias/` is added when missing). Each has 1 to 256 characters of
   * `a-zA-Z0-9/_-` and must not start with `alias/aws/`; a key has at most 50.
   *
   * @default - no alias
   */
  readonly aliases?: string[];

  /**
   * A description of the key, up to 8,192 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Whether the key is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Whether the key is a multi-Region primary key. This cannot change after the key is created.
   *
   * @default false
   */
  readonly multiRegion?: boolean;

  /**
   * The waiting period, a whole number of days from 7 to 30, before KMS deletes a key scheduled for
   * deletion.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to the key when it leaves the stack. `SNAPSHOT` does not apply to keys.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether to attach `adminPolicy` and `userPolicy` to the admins and users that are roles, users or
   * groups of this stack and account.
   *
   * @default false - the key policy names them, which is enough in the key's own account
   */
  readonly attachIdentityPolicies?: boolean;

  /**
   * Tags of the key: keys of 1 to 128 characters that do not start with `aws:`, values of up to 256
   * characters, at most 50 tags.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/** The longest pending window KMS allows: the default, because a deleted key loses its data. */
const DEFAULT_PENDING_WINDOW_DAYS = 30;
const DEFAULT_ROTATION_PERIOD_DAYS = 365;

/**
 * A customer-managed KMS key whose key policy separates administrators from users by construction.
 *
 * - administrators manage the key and can never use it: they get the console's administrator actions
 *   without `kms:CreateGrant` (a grant could give them Decrypt) and without any cryptographic action;
 * - users use the key and can never manage it: they get the use actions of the key's spec, plus grant
 *   management held to grants for AWS resources;
 * - the account root gets the administrator actions only (by default), so the key cannot be locked out
 *   and still no IAM principal of the account can use it without being named as a user;
 * - rotation is on for symmetric keys, the pending window is the longest, and the key is retained.
 *
 * It is a `kms.IKey`: it plugs into every construct that takes one. Its `grant*` methods write the
 * grantee into the key policy (and the grantee's own policy), because the account's IAM policies alone
 * cannot give use of the key.
 */
export class CustomerManagedKey extends kms.Key {
  /**
   * Whether the given object is a CustomerManagedKey.
   */
  public static isCustomerManagedKey(x: any): x is CustomerManagedKey {
    return x !== null && typeof x === 'object' && CUSTOMER_MANAGED_KEY_SYMBOL in x;
  }

  /** Validates the props (every problem in one error) and maps them onto `kms.KeyProps`. */
  private static toKeyProps(scope: Construct, id: string, props: CustomerManagedKeyProps): kms.KeyProps {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    const problems = new InputProblems(path);
    const stack = Stack.of(scope);
    if (!checkPropsShape(problems, props, {}, ['admins', 'users', 'keyPolicyManagers', 'aliases'])) {
      problems.throwIfAny();
    }
    checkEnumValue(problems, 'accountRootAccess', props.accountRootAccess, Object.values(AccountRootAccess));
    checkEnumValue(problems, 'origin', props.origin, Object.values(KeyOrigin));
    checkEnumValue(problems, 'removalPolicy', props.removalPolicy, Object.values(RemovalPolicy));
    if (!checkEnumValue(problems, 'keyUsage', props.keyUsage, Object.values(kms.KeyUsage))) {
      problems.throwIfAny();
    }

    const spec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const usages = usagesFor(spec);
    if (usages.length === 0) {
      problems.add(`keySpec must be one of ${knownSpecs().join(', ')}, got '${spec}'`);
    } else if (props.keyUsage !== undefined && !usages.includes(props.keyUsage)) {
      problems.add(`keyUsage ${props.keyUsage} is not valid for keySpec ${spec}; allowed: ${usages.join(', ')}`);
    }
    if (spec === kms.KeySpec.SM2 && !Token.isUnresolved(stack.region) && !stack.region.startsWith('cn-')) {
      problems.add(`keySpec SM2 exists only in the China Regions (cn-*), got region ${stack.region}`);
    }

    const origin = props.origin ?? KeyOrigin.AWS_KMS;
    if (origin === KeyOrigin.EXTERNAL && !canImport(spec)) {
      problems.add(`origin EXTERNAL: keySpec ${spec} cannot hold imported key material`);
    }
    if (!canRotate(spec)) {
      if (props.enableKeyRotation === true) {
        problems.add(`enableKeyRotation: automatic rotation exists only for SYMMETRIC_DEFAULT keys, got keySpec ${spec}`);
      }
      if (props.rotationPeriod !== undefined) {
        problems.add(`rotationPeriod: automatic rotation exists only for SYMMETRIC_DEFAULT keys, got keySpec ${spec}`);
      }
    } else if (origin !== KeyOrigin.AWS_KMS) {
      const hint = 'rotate it in place (ImportKeyMaterial with new material, then RotateKeyOnDemand: grantImportedKeyMaterialRotation) or by alias with ImportedKeyRing';
      if (props.enableKeyRotation === true) {
        problems.add(`enableKeyRotation: a key with origin ${origin} (imported key material) cannot rotate automatically; ${hint}`);
      }
      if (props.rotationPeriod !== undefined) {
        problems.add(`rotationPeriod: a key with origin ${origin} (imported key material) cannot rotate automatically; ${hint}`);
      }
    }
    const rotate = props.enableKeyRotation ?? rotatesByDefault(spec, origin);
    if (!rotate && props.rotationPeriod !== undefined && rotatesByDefault(spec, origin)) {
      problems.add('rotationPeriod is set but enableKeyRotation is false; remove one of them');
    }
    const rotationDays = props.rotationPeriod
      ? wholeDaysWithin(problems, 'rotationPeriod', props.rotationPeriod, 90, 2_560)
      : undefined;
    const rotationFromToken = props.rotationPeriod instanceof Duration && isTokenDuration(props.rotationPeriod);
    if (props.pendingWindow) {
      wholeDaysWithin(problems, 'pendingWindow', props.pendingWindow, 7, 30);
    }
    const pendingFromToken = props.pendingWindow instanceof Duration && isTokenDuration(props.pendingWindow);

    checkDescription(problems, props.description);
    checkRemovalPolicy(problems, props.removalPolicy);
    checkAliases(problems, props.aliases ?? [], stack);
    checkTags(problems, props.tags ?? {});
    validatePrincipals(problems, stack, props);

    if (props.accountRootAccess === AccountRootAccess.NONE
      && (props.admins ?? []).length === 0 && (props.keyPolicyManagers ?? []).length === 0) {
      problems.add('accountRootAccess NONE needs at least one of admins or keyPolicyManagers, or no one could ever change the key policy again');
    }
    problems.throwIfAny();

    return {
      description: props.description,
      enabled: props.enabled,
      keySpec: props.keySpec,
      // CloudFormation assumes ENCRYPT_DECRYPT, which HMAC and ECC specs do not allow: name their usage.
      keyUsage: props.keyUsage ?? (usages[0] === kms.KeyUsage.ENCRYPT_DECRYPT ? undefined : usages[0]),
      multiRegion: props.multiRegion,
      enableKeyRotation: rotate ? true : undefined,
      // kms.Key range-checks the numbers of tokens too: periods from deploy-time values are written on
      // the CfnKey by the constructor instead, never replaced by the default.
      rotationPeriod: rotate && !rotationFromToken ? Duration.days(rotationDays ?? DEFAULT_ROTATION_PERIOD_DAYS) : undefined,
      pendingWindow: pendingFromToken ? undefined : props.pendingWindow ?? Duration.days(DEFAULT_PENDING_WINDOW_DAYS),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument(),
    };
  }

  /** The key spec of the key. */
  public readonly keySpec: kms.KeySpec;

  /** The cryptographic operations the key is for. */
  public readonly keyUsage: kms.KeyUsage;

  /** Whether the key is a multi-Region primary key. */
  public readonly multiRegion: boolean;

  /** What the account root may do with the key. */
  public readonly accountRootAccess: AccountRootAccess;

  /** Whether automatic rotation is on. */
  public readonly rotationEnabled: boolean;

  /** Where the key material comes from. */
  public readonly origin: KeyOrigin;


  /**
   * The access model that this key's policy and its replicas' policies are rendered from.
   * @internal
   */
  public readonly _policyModel = new KeyPolicyModel();

  protected readonly trustAccountIdentities: boolean = false;

  private readonly addedAliases: string[] = [];
  private readonly hasKeyPolicyManagers: boolean;
  /** The principals that hold kms:PutKeyPolicy, and so alone may hold kms:ReplicateKey. */
  private readonly policyRewriters: iam.IPrincipal[];
  /** The regions of the declared replicas of this (multi-Region) key. */
  private readonly replicaRegions: string[] = [];
  private readonly deployment: KeyDeployment;
  private readonly replicaKeys: DeployedKey[] = [];
  private readonly namedDeployers: iam.IPrincipal[];

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps = {}) {
    super(scope, id, CustomerManagedKey.toKeyProps(scope, id, props));
    Object.defineProperty(this, CUSTOMER_MANAGED_KEY_SYMBOL, { value: true });

    this.keySpec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    this.keyUsage = props.keyUsage ?? usagesFor(this.keySpec)[0];
    this.multiRegion = props.multiRegion ?? false;
    this.accountRootAccess = props.accountRootAccess ?? AccountRootAccess.ADMINISTRATION;
    this.origin = props.origin ?? KeyOrigin.AWS_KMS;
    this.rotationEnabled = props.enableKeyRotation ?? rotatesByDefault(this.keySpec, this.origin);
    this.hasKeyPolicyManagers = (props.keyPolicyManagers ?? []).length > 0;
    this.policyRewriters = this.hasKeyPolicyManagers ? [...props.keyPolicyManagers!] : [
      ...(this.accountRootAccess === AccountRootAccess.ADMINISTRATION ? [new iam.AccountRootPrincipal()] : []),
      ...props.admins ?? [],
    ];

    const cfnKey = this.node.defaultChild as kms.CfnKey;
    if (this.rotationEnabled && props.rotationPeriod !== undefined && isTokenDuration(props.rotationPeriod)) {
      cfnKey.rotationPeriodInDays = tokenDays(props.rotationPeriod);
    }
    if (props.pendingWindow !== undefined && isTokenDuration(props.pendingWindow)) {
      cfnKey.pendingWindowInDays = tokenDays(props.pendingWindow);
    }
    warnUnknownStackRegion(this);
    // kms.Key has no origin prop. AWS_KMS is left out, as before, so existing keys' templates stay the same.
    if (this.origin !== KeyOrigin.AWS_KMS) {
      cfnKey.origin = this.origin;
      // The packs' rotation rules do not know that imported key material cannot rotate automatically.
      for (const rule of ROTATION_RULES_OF_COMPLIANCE_PACKS) {
        Validations.of(this).acknowledge({
          id: rule,
          reason: 'Imported key material cannot rotate automatically (KMS refuses it); it rotates on demand in place (symmetric keys) or by alias with ImportedKeyRing',
        });
      }
    }
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      cfnKey.tags.setTag(key, value);
    }

    this._policyModel.subscribe((part) => {
      for (const statement of part({ stack: Stack.of(this), replica: false })) {
        this.addToResourcePolicy(statement);
      }
    });
    this.addKeyPolicyParts(props);

    if (props.attachIdentityPolicies) {
      for (const admin of props.admins ?? []) {
        this.attachIfLocal(this.adminPolicy, admin);
      }
      for (const user of props.users ?? []) {
        this.attachIfLocal(this.userPolicy, user);
      }
    }

    for (const alias of props.aliases ?? []) {
      this.addAlias(alias);
    }

    this.namedDeployers = [...props.deployers ?? []];
    this.deployment = new KeyDeployment({
      construct: this,
      resource: cfnKey,
      replica: false,
      keySpec: this.keySpec,
      named: this.namedDeployers,
      rootHolds: (action) => this._rootHolds(action),
      addStatement: (statement) => this.addToResourcePolicy(statement),
      replicas: () => [...this.replicaKeys],
      deployersProp: `deployers of ${this.node.path}`,
      namedHere: true,
    });

    this.node.addValidation({
      validate: () => [
        ...this.deployment.errors,
        ...checkKeyPolicy(this, this.policy, {
          fullDelegation: this.accountRootAccess === AccountRootAccess.FULL_DELEGATION,
          replicaRegions: this.multiRegion ? [...this.replicaRegions] : undefined,
          deployers: this.deployment.deployerPrincipals,
        }),
      ],
    });
  }

  /**
   * Declares that an AWS service creates resources with this key (as the deployer) where the synthesized
   * templates cannot show it: the deployer gets that service's create-time calls, through the service
   * only. Uses by resources of this app are found without declaring them.
   */
  public addDeploymentUse(use: DeploymentUse): void {
    this.deployment.declare(use);
  }

  /**
   * Whether the key policy lets the account root (and so IAM policies) call the action.
   * @internal
   */
  public _rootHolds(action: string): boolean {
    switch (this.accountRootAccess) {
      case AccountRootAccess.FULL_DELEGATION:
        return true;
      case AccountRootAccess.ADMINISTRATION:
        // ReplicateKey goes with PutKeyPolicy: the root holds it (to the replicas' regions) when it rewrites the policy.
        return this.adminActions.includes(action) || (action === REPLICATE_KEY && !this.hasKeyPolicyManagers);
      case AccountRootAccess.NONE:
        return false;
    }
  }

  /**
   * Registers a replica: its stack's deployer gets kms:ReplicateKey on this key, for its region.
   * @internal
   */
  public _addReplica(replica: DeployedKey): void {
    this.replicaKeys.push(replica);
  }

  /**
   * The deployers the user named for this key and its replicas.
   * @internal
   */
  public get _namedDeployers(): iam.IPrincipal[] {
    return [...this.namedDeployers];
  }

  /**
   * Lets the principals that may rewrite the key policy (PutKeyPolicy) replicate this multi-Region key
   * into a region: `kms:ReplicateKey` held by `kms:ReplicaRegion` to the declared replicas' regions. A
   * replica gets a key policy of the caller's choosing, so ReplicateKey is as strong as PutKeyPolicy.
   * @internal
   */
  public _allowReplicationTo(region: string): void {
    if (this.replicaRegions.includes(region)) {
      return;
    }
    this.replicaRegions.push(region);
    if (this.replicaRegions.length > 1 || this.policyRewriters.length === 0) {
      return;
    }
    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'KeyReplication',
      principals: this.policyRewriters,
      actions: [REPLICATE_KEY],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ReplicaRegion': Lazy.list({ produce: () => [...this.replicaRegions].sort() }) } },
    }));
  }

  /**
   * The administrator actions of this key, as they appear in its key policy and admin policy.
   */
  public get adminActions(): string[] {
    return [
      ...KEY_ADMIN_ACTIONS_EXCEPT_PUT_POLICY,
      ...(this.multiRegion ? MULTI_REGION_ADMIN_ACTIONS : []),
      ...(this.origin === KeyOrigin.EXTERNAL ? IMPORTED_KEY_MATERIAL_ADMIN_ACTIONS : []),
      ...(this.hasKeyPolicyManagers ? [] : [PUT_KEY_POLICY]),
    ].sort();
  }

  /**
   * The use actions of this key's spec and usage.
   */
  public get userActions(): string[] {
    return [...useActionsFor(this.keySpec, this.keyUsage)];
  }

  /**
   * The alias names added to this key so far.
   */
  public get aliasNames(): string[] {
    return [...this.addedAliases];
  }

  /**
   * The identity-side policy of the administrators (a managed policy): the administrator actions on this
   * key, never a cryptographic action. Created in the key's stack when first asked for; attach it to
   * roles, users or groups of the key's account (`attachToRole`, ...). Principals of other accounts get
   * theirs from a `KeyAdminPolicy` in their own account.
   */
  public get adminPolicy(): KeyAdminPolicy {
    const existing = this.node.tryFindChild('AdminPolicy') as KeyAdminPolicy | undefined;
    return existing ?? new KeyAdminPolicy(this, 'AdminPolicy', { key: this });
  }

  /**
   * The identity-side policy of the users (a managed policy): the use actions on this key and grants for
   * AWS resources, never an administrator action. Created in the key's stack when first asked for;
   * attach it to roles, users or groups of the key's account. Principals of other accounts get theirs
   * from a `KeyUserPolicy` in their own account.
   */
  public get userPolicy(): KeyUserPolicy {
    const existing = this.node.tryFindChild('UserPolicy') as KeyUserPolicy | undefined;
    return existing ?? new KeyUserPolicy(this, 'UserPolicy', { key: this });
  }

  /**
   * Adds an alias to the key. The name is validated (`alias/` is added when missing).
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
   * Lets principals use the key only through an AWS service (`kms:ViaService
   * <service>.<region>.amazonaws.com`, for the region of each key that renders the policy, replicas
   * included). Principals of other accounts also need an identity policy in their own account.
   */
  public allowUseVia(service: ServiceVia, options: AllowUseViaOptions): void {
    this.addServicePreset(ServicePreset.useVia(service, options.principals));
  }

  /**
   * Lets an AWS service use the key with the statements and conditions AWS documents for it.
   * A preset for a service that cannot use this key's spec is an error.
   */
  public addServicePreset(preset: ServicePreset): void {
    applyServicePreset(this, preset);
  }

  /**
   * Adds a perimeter (organization or network) around the use of the key. It denies cryptographic
   * actions only: deployments can always update the key policy.
   */
  public addPerimeter(perimeter: KeyPerimeter): void {
    applyPerimeter(this, perimeter);
  }

  /**
   * Adds a statement to the key policy. A condition value that references an SNS topic encrypted with
   * this key (the `aws:SourceArn` of an `SqsSubscription`, for example) is written as the topic's literal
   * ARN: a reference would make the key and the topic depend on each other.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    const resource = this.node.tryFindChild('Resource');
    if (resource instanceof kms.CfnKey && !statement.frozen) {
      withoutCyclicTopicReferences(this, resource, statement);
    }
    return super.addToResourcePolicy(statement, allowNoOp);
  }

  /**
   * Grants the given actions on this key to a principal, in the key policy and in the principal's own
   * policy. `kms:*` is refused: give administration with `grantAdmin` and use with the other `grant*`.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return grantInKeyPolicy(this, grantee, actions, this.accountRootAccess === AccountRootAccess.FULL_DELEGATION);
  }

  /** Grants the administrator actions of this key (never a cryptographic action, never CreateGrant). */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...this.adminActions);
  }

  /**
   * Lets a principal rotate the imported key material of this key in place, without administering or
   * using the key: `kms:GetParametersForImport`, `kms:ImportKeyMaterial` (ImportType NEW_KEY_MATERIAL),
   * `kms:RotateKeyOnDemand`, `kms:ListKeyRotations`, `kms:GetKeyRotationStatus`, `kms:DescribeKey`, in
   * the key policy of this key and of each of its replicas (a multi-Region key takes the new material in
   * the primary first, then in every replica, before the rotation), and in the principal's own policy.
   * The administrators of a key with imported material hold these actions already.
   *
   * Only symmetric encryption keys with imported key material (`KeyOrigin.EXTERNAL`) rotate in place;
   * other keys with imported material rotate by alias (`ImportedKeyRing`).
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-import-key-material.html
   */
  public grantImportedKeyMaterialRotation(grantee: iam.IGrantable): iam.Grant {
    const problems = new InputProblems(this.node.path);
    if (this.origin !== KeyOrigin.EXTERNAL) {
      problems.add(`grantImportedKeyMaterialRotation() needs a key with origin EXTERNAL (imported key material), got origin ${this.origin}; KMS rotates its own material with enableKeyRotation or RotateKeyOnDemand`);
    }
    if (this.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
      problems.add(`grantImportedKeyMaterialRotation(): imported key material rotates in place only in SYMMETRIC_DEFAULT keys, got keySpec ${this.keySpec}; rotate it by alias with ImportedKeyRing`);
    }
    problems.throwIfAny();
    const actions = [...IMPORTED_KEY_MATERIAL_ROTATION_ACTIONS];
    if (this.multiRegion) {
      // Replicas render the access model: the rotator imports the same material into each of them.
      const principal = grantee.grantPrincipal;
      this._policyModel.add((context) => context.replica ? [new iam.PolicyStatement({
        sid: 'ImportedKeyMaterialRotation',
        principals: [principal],
        actions,
        resources: ['*'],
      })] : []);
    }
    return this.grant(grantee, ...actions);
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

  /**
   * Shares the key with other accounts for copying EBS snapshots that it encrypts, through EC2 only
   * (`kms:ViaService ec2.<region>.amazonaws.com`, for this key's region and each replica's own).
   * The target accounts also need an identity policy on the key: `EbsSharedKeyAccess` in their stacks.
   *
   * @see https://docs.aws.amazon.com/ebs/latest/userguide/share-kms-key.html
   */
  public shareForSnapshotCopy(targets: SharingTargets): void {
    shareKeyForEbs(this, EbsSharingPurpose.SNAPSHOT_COPY, targets, {});
  }

  /**
   * Shares the key with other accounts for launching instances from AMIs whose snapshots it encrypts,
   * through EC2 only (`kms:ViaService ec2.<region>.amazonaws.com`).
   * The target accounts also need an identity policy on the key: `EbsSharedKeyAccess` in their stacks.
   *
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
   */
  public shareForAmiLaunch(targets: SharingTargets, options: AmiLaunchSharingOptions = {}): void {
    shareKeyForEbs(this, EbsSharingPurpose.AMI_LAUNCH, targets, options);
  }

  private useGrant(method: UseGrant, grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...useGrantActions(method, { path: this.node.path, keySpec: this.keySpec, keyUsage: this.keyUsage }));
  }

  private addKeyPolicyParts(props: CustomerManagedKeyProps): void {
    const adminActions = this.adminActions;
    const userActions = this.userActions;
    switch (this.accountRootAccess) {
      case AccountRootAccess.FULL_DELEGATION:
        this._policyModel.add(() => [new iam.PolicyStatement({
          sid: 'AccountRootFullDelegation',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:*'],
          resources: ['*'],
        })]);
        break;
      case AccountRootAccess.ADMINISTRATION:
      case AccountRootAccess.NONE:
        break;
    }
    const managers = props.keyPolicyManagers ?? [];
    if (managers.length > 0) {
      this._policyModel.add(() => [new iam.PolicyStatement({
        sid: 'KeyPolicyManagement',
        principals: managers,
        actions: [...KEY_POLICY_MANAGER_ACTIONS],
        resources: ['*'],
      })]);
    }
    // The account root administers in one statement with the admins: the same actions, written once,
    // leave more of the 32 KB key policy for sharing.
    const admins = [
      ...(this.accountRootAccess === AccountRootAccess.ADMINISTRATION ? [new iam.AccountRootPrincipal()] : []),
      ...props.admins ?? [],
    ];
    if (admins.length > 0) {
      this._policyModel.add(() => [new iam.PolicyStatement({
        sid: 'KeyAdministration',
        principals: admins,
        actions: adminActions,
        resources: ['*'],
      })]);
    }
    const users = props.users ?? [];
    if (users.length > 0) {
      this._policyModel.add(() => [
        new iam.PolicyStatement({
          sid: 'KeyUse',
          principals: users,
          actions: userActions,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'KeyUseGrantsForAwsResources',
          principals: users,
          actions: [...USER_GRANT_ACTIONS],
          resources: ['*'],
          conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      ]);
    }
  }

  private attachIfLocal(policy: iam.ManagedPolicy, principal: iam.IPrincipal): void {
    if (!isConstruct(principal) || Stack.of(principal) !== Stack.of(this)) {
      return;
    }
    if (Token.compareStrings((principal as any).env?.account ?? '', Stack.of(this).account) !== TokenComparison.SAME) {
      return;
    }
    if (principal instanceof iam.Role || isImported(principal, 'roleName')) {
      policy.attachToRole(principal as unknown as iam.IRole);
    } else if (principal instanceof iam.User || isImported(principal, 'userName')) {
      policy.attachToUser(principal as unknown as iam.IUser);
    } else if (principal instanceof iam.Group || isImported(principal, 'groupName')) {
      policy.attachToGroup(principal as unknown as iam.IGroup);
    }
  }
}

const CUSTOMER_MANAGED_KEY_SYMBOL = Symbol.for('cdk-kms-patterns.CustomerManagedKey');

/** The cdk-nag rules that ask for automatic rotation, as `<pack>::<rule>` acknowledgement ids. */
const ROTATION_RULES_OF_COMPLIANCE_PACKS = [
  'AwsSolutions::AwsSolutions-KMS5',
  'NIST.800.53.R5::NIST.800.53.R5-KMSBackingKeyRotationEnabled',
  'PCI.DSS.321::PCI.DSS.321-KMSBackingKeyRotationEnabled',
];

/** Only symmetric keys whose material KMS generates rotate automatically. */
function rotatesByDefault(spec: kms.KeySpec, origin: KeyOrigin): boolean {
  return canRotate(spec) && origin === KeyOrigin.AWS_KMS;
}

/** Admins, users and policy managers are named principals of IAM, never the account, a service or anyone. */
function validatePrincipals(problems: InputProblems, stack: Stack, props: CustomerManagedKeyProps): void {
  const check = (role: string, principals: iam.IPrincipal[]) => {
    for (const p of principals) {
      if (!isPrincipal(p)) {
        problems.add(`${role} must be IAM principals (iam.IPrincipal: a role, user or iam.ArnPrincipal), got ${describeInput(p)}`);
        continue;
      }
      checkPrincipal(problems, role, p);
      const json = p.policyFragment.principalJson;
      const desc = describePrincipal(stack, p);
      if (json.AWS?.includes('*') || p instanceof iam.AnyPrincipal || p instanceof iam.StarPrincipal) {
        problems.add(`${role} must be named IAM principals, got '*' (anyone); share the key with accounts or an organization instead`);
      } else if (json.Service || json.Federated || json.CanonicalUser) {
        problems.add(`${role} must be IAM principals (roles, users, accounts), got ${desc}`);
      } else if (isOwnAccountRoot(stack, p)) {
        problems.add(`${role} must not be this key's own account root (${desc}): the account root's access is set by accountRootAccess`);
      }
    }
  };
  check('admins', props.admins ?? []);
  check('users', props.users ?? []);
  check('keyPolicyManagers', props.keyPolicyManagers ?? []);

  const adminKeys = new Map((props.admins ?? []).filter(isPrincipal).map((p) => [principalKey(p), p]));
  for (const user of (props.users ?? []).filter(isPrincipal)) {
    if (adminKeys.has(principalKey(user))) {
      problems.add(`${describePrincipal(stack, user)} is both an admin and a user; a principal is one or the other`);
    }
  }
}

/** A principal as its key policy JSON; tokens stay tokens, which are stable for the same attribute. */
function principalKey(p: iam.IPrincipal): string {
  return JSON.stringify(p.policyFragment.principalJson);
}

function describePrincipal(stack: Stack, p: iam.IPrincipal): string {
  if (isConstruct(p)) {
    return p.node.path;
  }
  return JSON.stringify(stack.resolve(p.policyFragment.principalJson));
}

function isConstruct(x: unknown): x is IConstruct {
  return Construct.isConstruct(x);
}

function isImported(p: unknown, nameProperty: string): boolean {
  return typeof p === 'object' && p !== null && nameProperty in p && isConstruct(p);
}

