/**
 * What a key is shared for: the EC2 operations that the target accounts run with it.
 */
export enum EbsSharingPurpose {
  /**
   * Copying EBS snapshots encrypted with the key (and creating volumes from them):
   * `kms:DescribeKey CreateGrant GenerateDataKey GenerateDataKeyWithoutPlaintext ReEncrypt* Decrypt`.
   */
  SNAPSHOT_COPY = 'SNAPSHOT_COPY',

  /**
   * Launching instances from AMIs whose snapshots the key encrypts:
   * `kms:CreateGrant Decrypt DescribeKey GenerateDataKeyWithoutPlaintext ReEncrypt*`.
   */
  AMI_LAUNCH = 'AMI_LAUNCH',
}

/**
 * Options of `CustomerManagedKey.shareForAmiLaunch()`.
 */
export interface AmiLaunchSharingOptions {
  /**
   * Whether EC2 Auto Scaling groups of the target accounts may launch from the AMIs.
   *
   * Auto Scaling launches with its service-linked role, which the key policy cannot name across
   * accounts: the target account creates a KMS grant for its `AWSServiceRoleForAutoScaling` itself
   * (see `EbsSharedKeyAccess`'s `autoScalingGrant`). The key policy then also gives the targets
   * `kms:Encrypt` and `kms:GenerateDataKey` through EC2, and `kms:CreateGrant` outside of EC2 (so without
   * `kms:GrantIsForAWSResource`), held to grants whose grantee is the caller's own
   * `AWSServiceRoleForAutoScaling*` role and whose operations are the eight that Auto Scaling needs.
   *
   * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
   * @default false
   */
  readonly autoScaling?: boolean;
}
