/**
 * The example golden-pattern app: a customer-managed key for an application, with its administrators
 * and users, a multi-Region key with replicas in two other regions, a stack of shared keys with an
 * application stack that uses them, EBS snapshot and AMI sharing with a KMS grant, and S3 replication of
 * SSE-KMS objects (same account, and with S3 Bucket Keys to a partner account), synthesized with every
 * check on (cdk-nag packs and CloudFormation's own rules).
 */
import { App } from 'aws-cdk-lib';
import { addGoldenPatternApp } from './app';

const app = new App();
addGoldenPatternApp(app, {
  account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111',
  region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-1',
});
app.synth();
