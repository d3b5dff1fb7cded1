import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  AccountRootUse,
  CrossAccountCreateGrant,
  CrossAccountNarrowed,
  KeyPolicyLockout,
  KeyPolicyNearSizeLimit,
  KeyPolicySize,
  KeyRotation,
  NoWildcardActions,
  PendingWindow,
  PublicPrincipal,
  ReplicaPrincipals,
  ReplicateKey,
  RetainPolicy,
  SeparationOfDuties,
  ServicePrincipalSource,
  UnreadablePolicy,
} from './rules';

/**
 * A cdk-nag rule pack for KMS keys: checks every `AWS::KMS::Key` and `AWS::KMS::ReplicaKey` of an app,
 * whoever made it, against the golden rules of key policies (rotation, least privilege, separation of
 * administration from use, cross-account narrowing, size, deletion safety, replica consistency).
 *
 * Rule ids are `KmsGolden-<Rule>`; rules about principals report one finding per principal,
 * `KmsGolden-<Rule>[Principal::<principal>]`.
 *
 * Templates written by hand (loaded with `CfnInclude`) are read as CloudFormation deploys them: each
 * key is expanded into the variants its template can deploy (every branch of an `Fn::If` whose condition
 * the parameter defaults cannot decide, `AWS::NoValue`, parameter defaults), every rule judges each
 * variant through the one key policy analyzer, and a finding is reported when some variant has it. A
 * property known only at deploy time is judged on every value it can take or reported as such; a part of
 * the policy that cannot be read is the UnreadablePolicy finding. Acknowledge a finding with
 * `Validations.of(construct).acknowledge({ id, reason })`.
 *
 * @see https://github.com/cdk-kms-patterns/cdk-kms-patterns/blob/main/docs/RULES.md
 *
 * @example
 * import { App, Validations } from 'aws-cdk-lib';
 * import { KmsGoldenRules } from 'cdk-kms-patterns';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new KmsGoldenRules(app));
 */
export class KmsGoldenRules extends NagPack {
  /** The name of the pack, the prefix of its rule ids. */
  public readonly name: string = 'KmsGolden';

  /**
   * @param scope the app or stage the pack checks (used for cdk-nag's CloudFormation metadata option)
   * @param props cdk-nag pack options
   */
  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'KmsGolden';
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      info: 'The symmetric KMS key does not rotate its key material automatically.',
      explanation: 'Rotation limits the data encrypted under one key material and is what AWS and most compliance frameworks expect. Set EnableKeyRotation (enableKeyRotation: true).',
      level: NagMessageLevel.ERROR,
      rule: KeyRotation,
      node,
    });
    this.applyRule({
      info: 'The key policy gives kms:* (or *, or an Allow with NotAction) to a principal other than the account root.',
      explanation: 'Every action includes PutKeyPolicy and CreateGrant: the principal can take the key over and use it. Name the actions (administrators and users separately).',
      level: NagMessageLevel.ERROR,
      rule: NoWildcardActions,
      node,
    });
    this.applyRule({
      info: 'The key policy gives one principal both administrative and cryptographic actions.',
      explanation: 'Whoever manages a key (its policy, its state, its aliases) should not use it, and the other way round (kms:CreateGrant counts as use: a grant can give Decrypt; use held to a service by kms:ViaService does not). Give administrators the admin actions without kms:CreateGrant and users the use actions only.',
      level: NagMessageLevel.ERROR,
      rule: SeparationOfDuties,
      node,
    });
    this.applyRule({
      info: 'The key policy gives kms:CreateGrant to another account or to * without kms:GrantIsForAWSResource.',
      explanation: 'A grant can give any operation on the key to any principal. Outside the account, limit CreateGrant with Bool kms:GrantIsForAWSResource = true so only AWS services acting for the principal create grants, or acknowledge the stated exception.',
      level: NagMessageLevel.ERROR,
      rule: CrossAccountCreateGrant,
      node,
    });
    this.applyRule({
      info: 'The key policy allows another account or * without kms:ViaService, kms:CallerAccount or aws:PrincipalOrgID.',
      explanation: 'Cross-account use should be held to the service that needs it (kms:ViaService), to named accounts (kms:CallerAccount) or to the organization (aws:PrincipalOrgID), with a StringEquals or StringLike condition.',
      level: NagMessageLevel.ERROR,
      rule: CrossAccountNarrowed,
      node,
    });
    this.applyRule({
      info: 'The key policy allows Principal * without narrowing it to accounts or an organization, or lets it use the key without kms:ViaService.',
      explanation: 'Principal * without a condition is every identity of every AWS account; narrowed to accounts (kms:CallerAccount) or an organization (aws:PrincipalOrgID) it is still every identity of those accounts. Narrow it, and hold its use to the service that needs it (kms:ViaService), or name the principals.',
      level: NagMessageLevel.ERROR,
      rule: PublicPrincipal,
      node,
    });
    this.applyRule({
      info: 'The key policy gives the account root cryptographic actions (or CreateGrant beyond AWS resources) without full delegation.',
      explanation: 'Through the root, every IAM principal of the account can use the key with its own IAM policy. Name the users in the key policy instead, or give the root every action deliberately (full delegation to IAM).',
      level: NagMessageLevel.ERROR,
      rule: AccountRootUse,
      node,
    });
    this.applyRule({
      info: 'The key policy gives kms:ReplicateKey to a principal without kms:PutKeyPolicy, or without kms:ReplicaRegion held to the replicas\' regions.',
      explanation: 'ReplicateKey creates a replica with a key policy of the caller\'s choosing: whoever may replicate can give itself use of the key material. Give it only to the principals that may rewrite the key policy, with StringEquals kms:ReplicaRegion = the replicas\' regions.',
      level: NagMessageLevel.ERROR,
      rule: ReplicateKey,
      node,
    });
    this.applyRule({
      info: 'The key policy gives an AWS service principal access without aws:SourceArn, aws:SourceAccount or an encryption context.',
      explanation: 'Without a source condition, resources of any account can have the service use the key (confused deputy). Add aws:SourceAccount and aws:SourceArn (or a kms:EncryptionContext condition naming the resource), as the ServicePreset statements do.',
      level: NagMessageLevel.ERROR,
      rule: ServicePrincipalSource,
      node,
    });
    this.applyRule({
      info: 'No principal that may deploy the stack can rewrite the key policy (kms:PutKeyPolicy), and the account root cannot either.',
      explanation: 'CloudFormation\'s lockout check refuses a key policy that does not let the caller call PutKeyPolicy again, so only the named principals can deploy the key, and losing them locks the key for good. Give the account root kms:PutKeyPolicy (it delegates to IAM), or name the deployer (the CDK\'s cfn-exec-role) among the key policy managers.',
      level: NagMessageLevel.ERROR,
      rule: KeyPolicyLockout,
      node,
    });
    this.applyRule({
      info: 'Part of the key policy cannot be read at synth time; the finding names it.',
      explanation: 'A key policy (or a statement, effect, action, principal or condition) made by Fn::Transform, an import, a parameter without a default or a string that is not JSON is known only at deploy time, so no rule can judge it; the other rules judge the rest. Write the policy in the template, give the parameter a default, or acknowledge with the reason after reviewing the deployed policy.',
      level: NagMessageLevel.ERROR,
      rule: UnreadablePolicy,
      node,
    });
    this.applyRule({
      info: 'The key policy is over the KMS limit of 32,768 bytes once deployed.',
      explanation: 'The limit cannot be raised and the deployment would fail. Share with whole accounts (kms:CallerAccount) or the organization (aws:PrincipalOrgID) instead of listing principals, or merge statements.',
      level: NagMessageLevel.ERROR,
      rule: KeyPolicySize,
      node,
    });
    this.applyRule({
      info: 'The key policy takes over 80% of the KMS limit of 32,768 bytes once deployed.',
      explanation: 'The next principals may not fit. Share with whole accounts or the organization instead of listing principals.',
      level: NagMessageLevel.WARN,
      rule: KeyPolicyNearSizeLimit,
      node,
    });
    this.applyRule({
      info: 'The KMS key waits less than 30 days before deletion.',
      explanation: 'Everything encrypted under a deleted key is lost for good; the longest waiting period gives the most time to notice and cancel. Remove PendingWindowInDays or set it to 30, or acknowledge a stated reason.',
      level: NagMessageLevel.ERROR,
      rule: PendingWindow,
      node,
    });
    this.applyRule({
      info: 'The KMS key is not retained when removed from the stack or replaced.',
      explanation: 'Deleting a key with the stack makes every data encrypted under it unreadable. Set DeletionPolicy and UpdateReplacePolicy to Retain (RemovalPolicy.RETAIN).',
      level: NagMessageLevel.ERROR,
      rule: RetainPolicy,
      node,
    });
    this.applyRule({
      info: 'The replica key policy does not name the same principals as its primary key policy.',
      explanation: 'Key policies of multi-Region keys are not synchronized: a principal missing from the replica cannot use it after a failover, an extra one gets access the primary never gave. Give the replica the primary\'s principals.',
      level: NagMessageLevel.ERROR,
      rule: ReplicaPrincipals,
      node,
    });
  }
}
