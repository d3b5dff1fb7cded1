import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { checkRoleArns, createOrganizationPolicy, exceptRoles } from '../private/organization-policy';
import {
  KEY_DELETION_ACTIONS,
  KMS_CREATE_GRANT,
  KMS_CREATE_KEY,
  LOCKOUT_CHECK_BYPASS_ACTIONS,
} from '../private/perms';
import { childPath } from '../private/sharing-ids';
import { InputProblems } from '../private/validation';

/** The origins of key material that `kms:KeyOrigin` can take. */
const KEY_ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/**
 * Properties of a {@link KmsServiceControlPolicy}. Each statement can be turned on or off on its own.
 */
export interface KmsServiceControlPolicyProps {
  /**
   * The name of the policy in AWS Organizations (1 to 128 characters).
   *
   * @default - a name made from the construct path
   */
  readonly policyName?: string;

  /**
   * The description of the policy.
   *
   * @default 'KMS guardrails (cdk-kms-patterns)'
   */
  readonly description?: string;

  /**
   * Where the policy is attached: the organization's root (`r-...`), organizational units (`ou-...`) or
   * member accounts (12 digits). A service control policy never limits the management account.
   *
   * @default - not attached (attach it yourself)
   */
  readonly targetIds?: string[];

  /**
   * Denies `kms:CreateKey` and `kms:PutKeyPolicy` with `BypassPolicyLockoutSafetyCheck` (condition
   * `Bool kms:BypassPolicyLockoutSafetyCheck true`): nobody of the member accounts can put a key policy
   * that locks the key out.
   *
   * Source: AWS Control Tower preventive control CT.KMS.PV.3; AWS KMS condition key
   * `kms:BypassPolicyLockoutSafetyCheck`.
   *
   * @see https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check
   * @default true
   */
  readonly denyLockoutCheckBypass?: boolean;

  /**
   * Denies `kms:CreateGrant` that is not for an AWS resource (`BoolIfExists kms:GrantIsForAWSResource
   * false`), except for the roles in `grantPlatformRoleArns`. Services that create grants for a principal
   * (EBS, RDS, DynamoDB, Secrets Manager...) keep working; grants created directly do not (a `KeyGrant` or
   * `EbsSharedKeyAccess` with `autoScalingGrant`, whose custom resource calls CreateGrant itself, and EKS,
   * which does not set `kms:GrantIsForAWSResource`): name their roles in `grantPlatformRoleArns`.
   *
   * Source: AWS KMS condition key `kms:GrantIsForAWSResource`; AWS Control Tower proactive control
   * CT.KMS.PR.3 (the same rule, for key policies).
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
   * @default true
   */
  readonly denyGrantsNotForAwsResources?: boolean;

  /**
   * Roles (ARNs, with `*` patterns allowed, such as `arn:aws:iam::*:role/platform-grants-*`) that may
   * create grants that are not for AWS resources.
   *
   * @default - none
   */
  readonly grantPlatformRoleArns?: string[];

  /**
   * Denies `kms:ScheduleKeyDeletion` and `kms:DisableKey` except to the roles in `breakGlassRoleArns`.
   * Keys of this library are retained when their stack is deleted, so CloudFormation does not need these
   * calls; a key whose stack deletes it (`RemovalPolicy.DESTROY`) needs its deployer among the
   * break-glass roles.
   *
   * Source: AWS KMS best practices (deleting keys; Security Hub KMS.3, keys not scheduled for deletion
   * unintentionally).
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-adding-permission.html
   * @default false
   */
  readonly denyKeyDeletion?: boolean;

  /**
   * Roles (ARNs, `*` patterns allowed) that may still schedule key deletion and disable keys when
   * `denyKeyDeletion` is set.
   *
   * @default - none: nobody in the member accounts
   */
  readonly breakGlassRoleArns?: string[];

  /**
   * Tag keys that every new key must carry (`Null aws:RequestTag/<key> true` denies `kms:CreateKey`);
   * one statement per key. Keys of CloudFormation get their tags in the same CreateKey call.
   *
   * Source: AWS Organizations example SCP "require a tag on specified created resources".
   *
   * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_tagging.html
   * @default - no tag is required
   */
  readonly requiredTagKeys?: string[];

  /**
   * The origins of key material that new keys may have (`StringNotEquals kms:KeyOrigin` denies
   * `kms:CreateKey`): `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
   *
   * Source: AWS KMS condition key `kms:KeyOrigin`.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-key-origin
   * @default - any origin
   */
  readonly allowedKeyOrigins?: string[];
}

/**
 * A service control policy (`AWS::Organizations::Policy`, `SERVICE_CONTROL_POLICY`) with KMS guardrails
 * for the member accounts of an organization, to deploy in the management account (or a delegated
 * administrator for policies). Each statement is optional; the policy is checked at synth to stay within
 * the AWS Organizations limit of 5,120 characters.
 *
 * The statements deny only what they name: the library's own patterns (keys created by the CloudFormation
 * execution role, sharing through EC2, S3 replication, services' grants for AWS resources) keep working.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export class KmsServiceControlPolicy extends Construct {
  /** The AWS Organizations policy. */
  public readonly policy: organizations.CfnPolicy;

  /** The id of the policy (`p-...`). */
  public readonly policyId: string;

  constructor(scope: Construct, id: string, props: KmsServiceControlPolicyProps = {}) {
    super(scope, id);
    const problems = new InputProblems(childPath(scope, id));
    const platformRoles = props.grantPlatformRoleArns ?? [];
    const breakGlass = props.breakGlassRoleArns ?? [];
    const tags = props.requiredTagKeys ?? [];
    const origins = props.allowedKeyOrigins;
    checkRoleArns(problems, 'grantPlatformRoleArns', platformRoles);
    checkRoleArns(problems, 'breakGlassRoleArns', breakGlass);
    const denyGrants = props.denyGrantsNotForAwsResources ?? true;
    if (!denyGrants && platformRoles.length > 0) {
      problems.add('grantPlatformRoleArns are exceptions of denyGrantsNotForAwsResources, which is off; turn it on or leave them out');
    }
    if (!props.denyKeyDeletion && breakGlass.length > 0) {
      problems.add('breakGlassRoleArns are exceptions of denyKeyDeletion, which is off; set denyKeyDeletion: true or leave them out');
    }
    tags.forEach((tag, i) => {
      if (!Token.isUnresolved(tag) && (!TAG_KEY.test(tag) || tag.toLowerCase().startsWith('aws:'))) {
        problems.add(`requiredTagKeys: a tag key has 1 to 128 letters, digits, spaces or _.:/=+-@ and does not start with 'aws:', got '${tag}'`);
      }
      if (tags.indexOf(tag) !== i) {
        problems.add(`requiredTagKeys: '${tag}' is given twice`);
      }
    });
    if (origins !== undefined) {
      if (origins.length === 0) {
        problems.add(`allowedKeyOrigins: an empty list would deny every key creation; give some of ${KEY_ORIGINS.join(', ')} or leave it out`);
      }
      origins.filter((o) => !Token.isUnresolved(o) && !KEY_ORIGINS.includes(o))
        .forEach((o) => problems.add(`allowedKeyOrigins: a key origin is one of ${KEY_ORIGINS.join(', ')}, got '${o}'`));
    }

    const statements: iam.PolicyStatement[] = [];
    if (props.denyLockoutCheckBypass ?? true) {
      statements.push(new iam.PolicyStatement({
        sid: 'DenyKmsLockoutCheckBypass',
        effect: iam.Effect.DENY,
        actions: [...LOCKOUT_CHECK_BYPASS_ACTIONS],
        resources: ['*'],
        conditions: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } },
      }));
    }
    if (denyGrants) {
      statements.push(new iam.PolicyStatement({
        sid: 'DenyKmsGrantsNotForAwsResources',
        effect: iam.Effect.DENY,
        actions: [KMS_CREATE_GRANT],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' },
          ...exceptRoles(platformRoles),
        },
      }));
    }
    if (props.denyKeyDeletion) {
      statements.push(new iam.PolicyStatement({
        sid: 'DenyKmsKeyDeletion',
        effect: iam.Effect.DENY,
        actions: [...KEY_DELETION_ACTIONS],
        resources: ['*'],
        conditions: exceptRoles(breakGlass),
      }));
    }
    // Null conditions in one statement would all have to hold (every tag missing): one statement per tag.
    tags.forEach((tag, i) => statements.push(new iam.PolicyStatement({
      sid: `DenyKmsKeyWithoutTag${i + 1}`,
      effect: iam.Effect.DENY,
      actions: [KMS_CREATE_KEY],
      resources: ['*'],
      conditions: { Null: { [`aws:RequestTag/${tag}`]: 'true' } },
    })));
    if (origins !== undefined && origins.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'DenyKmsUnexpectedKeyOrigin',
        effect: iam.Effect.DENY,
        actions: [KMS_CREATE_KEY],
        resources: ['*'],
        conditions: { StringNotEquals: { 'kms:KeyOrigin': [...origins] } },
      }));
    }

    this.policy = createOrganizationPolicy(this, problems, {
      type: 'SERVICE_CONTROL_POLICY',
      policyName: props.policyName,
      description: props.description ?? 'KMS guardrails (cdk-kms-patterns)',
      targetIds: props.targetIds ?? [],
      statements,
    });
    this.policyId = this.policy.attrId;
  }
}
