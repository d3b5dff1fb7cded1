import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AmiShare, CustomerManagedKey, GrantOperation, KeyGrant, SnapshotShare } from '../../src';

/** The accounts the example shares its backups and images with. */
export const BACKUP_ACCOUNT = '222222222222';
export const WORKLOAD_ACCOUNTS = ['333333333333', '444444444444'];

/**
 * EBS sharing: a key that encrypts backups and golden images, a snapshot shared with the backup
 * account (the key is shared for snapshot copy with it), an AMI shared with the workload accounts (the
 * key is shared for launch), and a KMS grant that lets the backup role of this account decrypt.
 * The custom resources of the shares and the grant run with one provider role whose permissions name
 * each snapshot, image, key and grantee; the key policy names that role for this grant only.
 */
export class SharingPatternStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const keyAdmins = new iam.Role(this, 'KeyAdministrators', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Platform team: administers the backup key, never uses it',
    });
    const key = new CustomerManagedKey(this, 'BackupKey', {
      description: 'Encrypts EBS snapshots and golden images shared with other accounts',
      admins: [keyAdmins],
    });

    new SnapshotShare(this, 'NightlyBackup', {
      snapshotId: 'snap-0123456789abcdef0',
      accountIds: [BACKUP_ACCOUNT],
      encryptionKey: key,
    });
    new AmiShare(this, 'GoldenImage', {
      imageId: 'ami-0123456789abcdef0',
      accountIds: WORKLOAD_ACCOUNTS,
      encryptionKeys: [key],
    });
    new KeyGrant(this, 'RestoreGrant', {
      key,
      grantee: new iam.ArnPrincipal(this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'backup-restore' })),
      operations: [GrantOperation.DECRYPT, GrantOperation.DESCRIBE_KEY],
    });
  }
}
