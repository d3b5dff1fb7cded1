/**
 * The whole organization: KMS guardrails (a service control policy and a resource control policy) in the
 * management account, a key shared with an organizational unit behind an OU perimeter, and the target
 * side deployed to every account of the unit by a service-managed StackSet.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import {
  CustomerManagedKey,
  EbsSharedKeyAccess,
  EbsSharingPurpose,
  KeyPerimeter,
  KmsResourceControlPolicy,
  KmsServiceControlPolicy,
  MemberAccountStack,
  MemberAccountStackSet,
  SharingTargets,
} from 'cdk-kms-patterns';

const UNIT_PATH = 'o-exampleorg1/r-ab12/ou-ab12-11111111/';
const app = new App();

const management = new Stack(app, 'OrganizationManagementInteg', { env: { account: '999999999999', region: 'us-east-1' } });
new KmsServiceControlPolicy(management, 'KmsScp', {
  policyName: 'kms-guardrails',
  targetIds: ['r-ab12'],
  grantPlatformRoleArns: ['arn:aws:iam::*:role/platform-grants'],
  denyKeyDeletion: true,
  breakGlassRoleArns: ['arn:aws:iam::*:role/break-glass'],
  requiredTagKeys: ['CostCenter'],
  allowedKeyOrigins: ['AWS_KMS', 'EXTERNAL'],
});
new KmsResourceControlPolicy(management, 'KmsRcp', {
  policyName: 'kms-identity-perimeter',
  organizationId: 'o-exampleorg1',
  targetIds: ['r-ab12'],
});

const keys = new Stack(app, 'OrganizationKeyInteg', { env: { account: '111111111111', region: 'eu-west-1' } });
const key = new CustomerManagedKey(keys, 'GoldenEbsKey', { aliases: ['alias/golden/ebs'] });
key.shareForSnapshotCopy(SharingTargets.organizationalUnits([UNIT_PATH]));
key.shareForAmiLaunch(SharingTargets.organizationalUnits([UNIT_PATH]));
key.addPerimeter(KeyPerimeter.organizationalUnits([UNIT_PATH]));

const member = new MemberAccountStack(app, 'OrganizationMemberInteg', { description: 'Use of the golden EBS key' });
const copiers = new iam.Role(member, 'Copiers', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'snapshot-copiers' });
new EbsSharedKeyAccess(member, 'Access', {
  keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  purposes: [EbsSharingPurpose.SNAPSHOT_COPY, EbsSharingPurpose.AMI_LAUNCH],
  roles: [copiers],
});
new MemberAccountStackSet(management, 'GoldenKeyAccess', {
  stack: member,
  stackSetName: 'golden-key-access',
  organizationalUnitIds: ['ou-ab12-11111111'],
  regions: ['eu-west-1', 'eu-central-1'],
});

new IntegTest(app, 'Organization', { testCases: [management, keys] });
