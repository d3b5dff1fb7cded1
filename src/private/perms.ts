/**
 * KMS action lists of the library, in one place. Wildcards such as `kms:Create*` or
 * `kms:GenerateDataKey*` are spelled out so that no future action slips in and no identity policy
 * carries a wildcard (cdk-nag AwsSolutions-IAM5).
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */

/**
 * The AWS console's administrator split (`kms:Create* Describe* Enable* List* Put* Update* Revoke*
 * Disable* Get* Delete* TagResource UntagResource ScheduleKeyDeletion CancelKeyDeletion`), written out
 * for the actions that apply to a key, WITHOUT `kms:CreateGrant` (hidden inside `kms:Create*`, it lets an
 * administrator grant itself use) and without `kms:GetPublicKey` (a use action of asymmetric keys).
 */
export const KEY_ADMIN_ACTIONS_EXCEPT_PUT_POLICY: readonly string[] = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DeleteImportedKeyMaterial',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:GetParametersForImport',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** Rewrites the key policy: the administrators' ultimate power. */
export const PUT_KEY_POLICY = 'kms:PutKeyPolicy';

/**
 * Administrator actions that exist only for multi-Region keys. `kms:ReplicateKey` is not one of them: it
 * creates a replica with a key policy of the caller's choosing, so it goes with `kms:PutKeyPolicy`
 * (`REPLICATE_KEY`), held to the regions of the declared replicas.
 */
export const MULTI_REGION_ADMIN_ACTIONS: readonly string[] = [
  'kms:UpdatePrimaryRegion',
];

/**
 * Administrator action that only keys with imported key material (origin EXTERNAL) have, outside the
 * console's `kms:Get*`/`kms:Delete*` split: loading (or reloading) the key material.
 */
export const IMPORTED_KEY_MATERIAL_ADMIN_ACTIONS: readonly string[] = [
  'kms:ImportKeyMaterial',
];

/**
 * What rotating imported key material in place takes, on the same key: the wrapping key and import
 * token (`GetParametersForImport`), importing the new material (`ImportKeyMaterial` with ImportType
 * NEW_KEY_MATERIAL), making it current (`RotateKeyOnDemand`), and watching the rotation
 * (`ListKeyRotations`, `GetKeyRotationStatus`, `DescribeKey`). No cryptographic action, no key policy change.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-import-key-material.html
 */
export const IMPORTED_KEY_MATERIAL_ROTATION_ACTIONS: readonly string[] = [
  'kms:DescribeKey',
  'kms:GetKeyRotationStatus',
  'kms:GetParametersForImport',
  'kms:ImportKeyMaterial',
  'kms:ListKeyRotations',
  'kms:RotateKeyOnDemand',
];

/** What a principal that may only rewrite the key policy needs. */
export const KEY_POLICY_MANAGER_ACTIONS: readonly string[] = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  PUT_KEY_POLICY,
];

/** Use actions of a symmetric encryption key (`kms:ReEncrypt*` and `kms:GenerateDataKey*` spelled out). */
export const SYMMETRIC_USE_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** Use actions of an HMAC key. */
export const HMAC_USE_ACTIONS: readonly string[] = [
  'kms:DescribeKey',
  'kms:GenerateMac',
  'kms:VerifyMac',
];

/** Use actions of an asymmetric sign/verify key. */
export const SIGN_VERIFY_USE_ACTIONS: readonly string[] = [
  'kms:DescribeKey',
  'kms:GetPublicKey',
  'kms:Sign',
  'kms:Verify',
];

/** Use actions of an asymmetric encryption key. */
export const ASYMMETRIC_ENCRYPT_USE_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GetPublicKey',
];

/** Use actions of a key-agreement key. */
export const KEY_AGREEMENT_USE_ACTIONS: readonly string[] = [
  'kms:DeriveSharedSecret',
  'kms:DescribeKey',
  'kms:GetPublicKey',
];

/**
 * What users keep on a key that no longer protects new data (an older version of a manually rotated
 * key): reading what it protected, and for symmetric keys moving ciphertext under the new key
 * (`kms:ReEncryptFrom`). No encryption, data key, signature or MAC, and no grant.
 */
export const RETIRED_SYMMETRIC_USE_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:ReEncryptFrom',
];

/** What users keep on a retired asymmetric encryption key: no GetPublicKey, which encrypts offline. */
export const RETIRED_ASYMMETRIC_ENCRYPT_USE_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:DescribeKey',
];

/** What users keep on a retired sign/verify key: verifying old signatures. */
export const RETIRED_SIGN_VERIFY_USE_ACTIONS: readonly string[] = [
  'kms:DescribeKey',
  'kms:GetPublicKey',
  'kms:Verify',
];

/** What users keep on a retired HMAC key: verifying old MACs. */
export const RETIRED_HMAC_USE_ACTIONS: readonly string[] = [
  'kms:DescribeKey',
  'kms:VerifyMac',
];

/** What users keep on a retired key-agreement key: deriving the secrets of past exchanges, not handing out the public key. */
export const RETIRED_KEY_AGREEMENT_USE_ACTIONS: readonly string[] = [
  'kms:DeriveSharedSecret',
  'kms:DescribeKey',
];

/** Grant management that users get, held to grants for AWS resources. */
export const USER_GRANT_ACTIONS: readonly string[] = [
  'kms:CreateGrant',
  'kms:ListGrants',
  'kms:RevokeGrant',
];

/**
 * Actions that use key material or hand out its use: no administrator may hold any of them.
 * `kms:CreateGrant` is here because a grant can give any operation, including Decrypt.
 */
export const CRYPTOGRAPHIC_ACTIONS: readonly string[] = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeriveSharedSecret',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateMac',
  'kms:GetPublicKey',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:Sign',
  'kms:Verify',
  'kms:VerifyMac',
];

/**
 * Actions that change the key, its policy or its aliases: no user may hold any of them. (Describe, List
 * and Get of metadata are read-only and shared by both sides; RevokeGrant and RetireGrant only take use
 * away.) The alias actions are administration on purpose: re-pointing an alias changes which key the
 * applications that encrypt through it use, and who gets access where policies use `kms:ResourceAliases`
 * or `kms:RequestAlias`.
 */
export const MANAGEMENT_ACTIONS: readonly string[] = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DeleteImportedKeyMaterial',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:ImportKeyMaterial',
  'kms:PutKeyPolicy',
  'kms:ReplicateKey',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
];

/**
 * Every action of the AWS KMS service authorization reference: wildcards (`kms:Create*`, `kms:*`, `*`)
 * and `NotAction` of key policies are expanded against this list, so that a new spelling of an action
 * never slips past the checks. `test/private/key-policy-analyzer.test.ts` compares it with the IAM
 * simulator's copy of the reference.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 */
export const KMS_ACTIONS: readonly string[] = [
  'kms:CancelKeyDeletion',
  'kms:ConnectCustomKeyStore',
  'kms:CreateAlias',
  'kms:CreateCustomKeyStore',
  'kms:CreateGrant',
  'kms:CreateKey',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DeleteCustomKeyStore',
  'kms:DeleteImportedKeyMaterial',
  'kms:DeriveSharedSecret',
  'kms:DescribeCustomKeyStores',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:DisconnectCustomKeyStore',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateMac',
  'kms:GenerateRandom',
  'kms:GetKeyLastUsage',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:GetParametersForImport',
  'kms:GetPublicKey',
  'kms:ImportKeyMaterial',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListKeys',
  'kms:ListResourceTags',
  'kms:ListRetirableGrants',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:ReplicateKey',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:Sign',
  'kms:SynchronizeMultiRegionKey',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateCustomKeyStore',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
  'kms:Verify',
  'kms:VerifyMac',
];

/** Creates a replica of a multi-Region key with a key policy of the caller's choosing: as strong as PutKeyPolicy. */
export const REPLICATE_KEY = 'kms:ReplicateKey';

/** The grant a user (or a service acting for it) creates; held to AWS resources outside full delegation. */
export const CREATE_GRANT = 'kms:CreateGrant';

/**
 * What a target account needs on a shared key to copy an EBS snapshot encrypted with it (through EC2).
 * `kms:CreateGrant` is held to grants for AWS resources wherever it is given.
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/share-kms-key.html
 */
export const EBS_SNAPSHOT_COPY_ACTIONS: readonly string[] = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * What a target account needs on a shared key to launch instances from an AMI whose snapshots it encrypts.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 */
export const EBS_AMI_LAUNCH_ACTIONS: readonly string[] = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * The five use actions (`kms:Encrypt Decrypt ReEncrypt* GenerateDataKey* DescribeKey`, spelled out for EBS)
 * that EC2 Auto Scaling's cross-account setup gives the target account, plus CreateGrant for AWS resources.
 *
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export const EBS_AUTO_SCALING_USE_ACTIONS: readonly string[] = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** The operations of the grant that a target account creates for its `AWSServiceRoleForAutoScaling`. */
export const AUTO_SCALING_GRANT_OPERATIONS: readonly string[] = EBS_AUTO_SCALING_USE_ACTIONS.map((a) => a.replace(/^kms:/, ''));

/** The EC2 Auto Scaling service-linked role of an account, after `arn:<partition>:iam::<account>:role/`. */
export const AUTO_SCALING_SERVICE_LINKED_ROLE = 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';

/**
 * What the key policy gives an account's own `AWSServiceRoleForAutoScaling` to launch instances whose EBS
 * volumes use the key: the guide's `kms:Encrypt Decrypt ReEncrypt* GenerateDataKey* DescribeKey`, spelled
 * out as the operations of the grant the same page gives the role across accounts (no data key pairs,
 * which EBS never asks for). CreateGrant, held to AWS resources, is a statement of its own.
 *
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
export const AUTO_SCALING_SERVICE_LINKED_ROLE_ACTIONS: readonly string[] = EBS_AUTO_SCALING_USE_ACTIONS.filter((a) => a !== CREATE_GRANT);

/** Shares an EBS snapshot (createVolumePermission). */
export const EC2_MODIFY_SNAPSHOT_ATTRIBUTE = 'ec2:ModifySnapshotAttribute';

/** Shares an AMI (launchPermission). */
export const EC2_MODIFY_IMAGE_ATTRIBUTE = 'ec2:ModifyImageAttribute';

/**
 * What a service needs to put messages into an encrypted SNS topic or SQS queue (EventBridge rules,
 * SNS topics): the data key for new messages, and Decrypt to reuse a cached one.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
export const SERVICE_PUBLISH_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:GenerateDataKey',
];

/**
 * CloudTrail's `kms:GenerateDataKey*` for encrypting log files, spelled out.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 */
export const CLOUDTRAIL_ENCRYPT_ACTIONS: readonly string[] = [
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
];

/** What readers of encrypted CloudTrail log files need. */
export const CLOUDTRAIL_READ_ACTIONS: readonly string[] = [
  'kms:Decrypt',
  'kms:ReEncryptFrom',
];

/** Reading one SSM parameter (a published key ARN). */
export const SSM_PARAMETER_READ_ACTIONS: readonly string[] = [
  'ssm:GetParameter',
  'ssm:GetParameters',
];

/**
 * S3 replication role, on the source bucket.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 */
export const REPLICATION_SOURCE_BUCKET_ACTIONS: readonly string[] = [
  's3:GetReplicationConfiguration',
  's3:ListBucket',
];

/** S3 replication role, on the source objects. */
export const REPLICATION_SOURCE_OBJECT_ACTIONS: readonly string[] = [
  's3:GetObjectVersionAcl',
  's3:GetObjectVersionForReplication',
  's3:GetObjectVersionTagging',
];

/** S3 replication role, on the destination objects (and the destination bucket policy of another account). */
export const REPLICATION_DESTINATION_OBJECT_ACTIONS: readonly string[] = [
  's3:ReplicateDelete',
  's3:ReplicateObject',
  's3:ReplicateTags',
];

/** Changes the owner of replicas to the destination bucket's owner (AccessControlTranslation). */
export const REPLICATION_OWNER_OVERRIDE_ACTION = 's3:ObjectOwnerOverrideToBucketOwner';

/**
 * S3 Batch Replication with the same role: starting replication of existing objects, and the
 * S3-generated manifest (an inventory configuration on the source bucket).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-policies.html
 */
export const BATCH_REPLICATION_SOURCE_OBJECT_ACTIONS: readonly string[] = ['s3:InitiateReplication'];

/** S3 Batch Replication, on the source bucket. */
export const BATCH_REPLICATION_SOURCE_BUCKET_ACTIONS: readonly string[] = ['s3:PutInventoryConfiguration'];

/** Calls that take `BypassPolicyLockoutSafetyCheck` (the condition key `kms:BypassPolicyLockoutSafetyCheck`). */
export const LOCKOUT_CHECK_BYPASS_ACTIONS: readonly string[] = ['kms:CreateKey', 'kms:PutKeyPolicy'];

/** Calls that end a key's use: the organization guardrail keeps them to break-glass roles. */
export const KEY_DELETION_ACTIONS: readonly string[] = ['kms:DisableKey', 'kms:ScheduleKeyDeletion'];

/** Key creation, held to required tags and origins by the organization guardrail. */
export const KMS_CREATE_KEY = 'kms:CreateKey';

/** Grant creation, held to grants for AWS resources by the organization guardrail. */
export const KMS_CREATE_GRANT = 'kms:CreateGrant';

/** Every KMS action, as a resource control policy names them. */
export const KMS_ALL_ACTIONS = 'kms:*';

/**
 * What CloudFormation's AWS::KMS::Key handlers call on the key as the deployer (create, read, update,
 * delete; CreateKey itself is authorized by IAM alone), and AWS::KMS::Alias's on the target key. The
 * create handler's lockout safety check needs `kms:PutKeyPolicy` in the new policy.
 * `kms:ScheduleKeyDeletion` is given only to keys that are not retained.
 *
 * @see https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-kms
 */
export const DEPLOYER_KEY_ACTIONS: readonly string[] = [
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** What AWS::KMS::ReplicaKey's handlers call on the replica as the deployer of the replica's stack. */
export const DEPLOYER_REPLICA_ACTIONS: readonly string[] = [
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:EnableKey',
  'kms:GetKeyPolicy',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** Deletion of a key that is not retained. */
export const SCHEDULE_KEY_DELETION = 'kms:ScheduleKeyDeletion';

/** Retiring a grant by its retiring principal (the KeyGrant custom resource's own role). */
export const KMS_RETIRE_GRANT = 'kms:RetireGrant';

/** Revoking a grant whose retiring principal is someone else. */
export const KMS_REVOKE_GRANT = 'kms:RevokeGrant';
