import { Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REPLICATION_DESTINATION_OBJECT_ACTIONS, REPLICATION_OWNER_OVERRIDE_ACTION } from '../private/perms';
import {
  accountOfRoleArn,
  aliasNameOf,
  bucketKeyEnabledOf,
  checkPrefix,
  keySpecOf,
  mergeConditions,
  objectArns,
  principalByArn,
  regionOf,
  replicaKeyActions,
  s3KeyConditions,
  versioningEnabled,
} from '../private/replication-statements';
import { InputProblems } from '../private/validation';

const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * Properties of a {@link SseKmsReplicationDestinationAccess}.
 */
export interface SseKmsReplicationDestinationAccessProps {
  /**
   * The ARN of the source account's replication role (`SseKmsReplication.roleArn`, or the ARN as a
   * string when the source is in another app).
   */
  readonly sourceRoleArn: string;

  /**
   * The destination bucket, in this stack's account.
   */
  readonly bucket: s3.IBucket;

  /**
   * The key that encrypts the replicas, in this stack's account and the bucket's region.
   */
  readonly key: kms.IKey;

  /**
   * The object key prefix that the source replicates into this bucket (the rule's filter).
   *
   * @default - every object
   */
  readonly prefix?: string;

  /**
   * Whether the destination bucket uses S3 Bucket Keys (the encryption context is then the bucket ARN,
   * and the key policy also allows `kms:Decrypt`, with which S3 verifies the Bucket Key).
   *
   * @default - the bucket's own setting when it is an `s3.Bucket` of this app, false otherwise
   */
  readonly bucketKeyEnabled?: boolean;

  /**
   * Whether the source bucket uses S3 Bucket Keys: the replicas' encryption context is then this
   * bucket's ARN and the role needs `kms:Decrypt` on the key, as with a Bucket Key on this bucket.
   *
   * @default false
   */
  readonly sourceBucketKeyEnabled?: boolean;

  /**
   * Whether the source's replication rule changes the replicas' owner to this account: the bucket
   * policy then also allows `s3:ObjectOwnerOverrideToBucketOwner`.
   *
   * @default false
   */
  readonly ownerOverride?: boolean;

  /**
   * Whether unencrypted source objects replicate into this bucket: the key policy then also allows
   * `kms:GenerateDataKey`.
   *
   * @default false
   */
  readonly unencryptedSourceObjects?: boolean;
}

/**
 * The destination account's side of a cross-account {@link SseKmsReplication}: a key policy statement
 * that lets the source's replication role encrypt replicas with the destination key (only through S3
 * in the bucket's region, only for the bucket's objects), and a bucket policy statement that lets it
 * write exactly the replicated objects.
 *
 * Both name the source account with `aws:PrincipalArn` = the role, rather than the role itself: KMS and
 * S3 refuse a policy naming a role that does not exist yet, and the destination deploys first (the source
 * bucket's replication configuration needs the destination bucket).
 *
 * Add it to the destination account's stack. When the key or the bucket is imported, their policies
 * cannot be changed from here: apply `keyPolicyStatement` and `bucketPolicyStatement` yourself.
 */
export class SseKmsReplicationDestinationAccess extends Construct {
  /** The statement the destination key's policy needs. */
  public readonly keyPolicyStatement: iam.PolicyStatement;

  /** The statement the destination bucket's policy needs. */
  public readonly bucketPolicyStatement: iam.PolicyStatement;

  /** Whether the key policy statement was added to the key (false for an imported key). */
  public readonly keyPolicyUpdated: boolean;

  /** Whether the bucket policy statement was added to the bucket (false for an imported bucket). */
  public readonly bucketPolicyUpdated: boolean;

  constructor(scope: Construct, id: string, props: SseKmsReplicationDestinationAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const problems = new InputProblems(this.node.path);
    if (!Token.isUnresolved(props.sourceRoleArn) && !ROLE_ARN_PATTERN.test(props.sourceRoleArn)) {
      problems.add(`sourceRoleArn must be an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>), got '${props.sourceRoleArn}'`);
    }
    checkPrefix(problems, 'prefix', props.prefix);
    if (versioningEnabled(props.bucket) === false) {
      problems.add(`bucket ${props.bucket.node.path} must have versioning enabled for replication (versioned: true), got versioning off`);
    }
    const alias = aliasNameOf(props.key);
    if (alias !== undefined && alias.startsWith('alias/aws/')) {
      problems.add(`key is the AWS managed key ${alias}, which cannot be used by another account; use a customer managed key`);
    } else if (alias !== undefined) {
      problems.add(`key is the alias ${alias}: give the key itself, KMS authorizes against the key, not its alias`);
    }
    const spec = keySpecOf(props.key);
    if (spec !== undefined && spec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
      problems.add(`key ${props.key.node.path} must be a symmetric encryption key (SYMMETRIC_DEFAULT) for SSE-KMS, got ${spec}`);
    }
    if (Token.compareStrings(props.key.env.region, regionOf(props.bucket)) === TokenComparison.DIFFERENT) {
      problems.add(`key ${props.key.node.path} is in region ${props.key.env.region}, but the bucket ${props.bucket.node.path} is in ${regionOf(props.bucket)}; S3 encrypts with a key of the bucket's own region`);
    }
    problems.throwIfAny();

    const sourceAccount = accountOfRoleArn(stack, props.sourceRoleArn);
    const { principal, conditions } = principalByArn(props.sourceRoleArn, sourceAccount);
    const prefix = props.prefix ?? '';

    const bucketKey = props.sourceBucketKeyEnabled === true || (props.bucketKeyEnabled ?? bucketKeyEnabledOf(props.bucket) ?? false);
    this.keyPolicyStatement = new iam.PolicyStatement({
      actions: replicaKeyActions(bucketKey, props.unencryptedSourceObjects === true),
      principals: [principal],
      resources: ['*'],
      conditions: mergeConditions(s3KeyConditions(stack, {
        bucket: props.bucket,
        prefixes: [prefix],
        bucketKeyEnabled: bucketKey,
      }, true), conditions),
    });
    this.bucketPolicyStatement = new iam.PolicyStatement({
      actions: [...REPLICATION_DESTINATION_OBJECT_ACTIONS, ...(props.ownerOverride ? [REPLICATION_OWNER_OVERRIDE_ACTION] : [])],
      principals: [principal],
      resources: objectArns(props.bucket, [prefix]),
      conditions,
    });
    this.keyPolicyUpdated = props.key.addToResourcePolicy(this.keyPolicyStatement, true).statementAdded;
    this.bucketPolicyUpdated = props.bucket.addToResourcePolicy(this.bucketPolicyStatement).statementAdded;
  }
}
