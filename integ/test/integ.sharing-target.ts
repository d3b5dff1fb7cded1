/**
 * The target side of cross-account EBS sharing: the identity policy of the account's roles on the owner's
 * key, and the KMS grant for its EC2 Auto Scaling service-linked role.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EbsSharedKeyAccess, EbsSharingPurpose } from 'cdk-kms-patterns';

const app = new App();
const stack = new Stack(app, 'SharingTargetInteg', { env: { account: '444444444444', region: 'eu-west-1' } });

const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
new EbsSharedKeyAccess(stack, 'SharedEbsKey', {
  keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  purposes: [EbsSharingPurpose.AMI_LAUNCH],
  roles: [launcher],
  autoScalingGrant: true,
});

new IntegTest(app, 'SharingTarget', { testCases: [stack] });
