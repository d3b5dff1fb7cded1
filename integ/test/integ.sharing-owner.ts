/**
 * The owner side of cross-account EBS sharing: a key shared for snapshot copy with accounts, for AMI launch
 * with an organization and with Auto Scaling accounts, and the snapshot and AMI shared themselves.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { AmiShare, CustomerManagedKey, SharingTargets, SnapshotShare } from 'cdk-kms-patterns';

const app = new App();
const stack = new Stack(app, 'SharingOwnerInteg', { env: { account: '111111111111', region: 'eu-west-1' } });

const admins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
const key = new CustomerManagedKey(stack, 'EbsKey', {
  description: 'integ: EBS key shared with other accounts',
  admins: [admins],
  aliases: ['alias/integ/shared-ebs'],
});
key.shareForAmiLaunch(SharingTargets.organization('o-exampleorg1'));
key.shareForAmiLaunch(SharingTargets.accounts(['444444444444']), { autoScaling: true });
key.shareForSnapshotCopy(SharingTargets.principals(['arn:aws:iam::555555555555:role/backup-copier']));

new SnapshotShare(stack, 'GoldenSnapshot', {
  snapshotId: 'snap-0123456789abcdef0',
  accountIds: ['222222222222', '333333333333'],
  encryptionKey: key,
});
new AmiShare(stack, 'GoldenAmi', {
  imageId: 'ami-0123456789abcdef0',
  organizationArns: ['arn:aws:organizations::999999999999:organization/o-exampleorg1'],
  accountIds: ['444444444444'],
});

new IntegTest(app, 'SharingOwner', { testCases: [stack] });
