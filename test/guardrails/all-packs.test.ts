import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { newApp, newStack, synthFindings } from './nag';
import { CustomerManagedKey, KeyDeletionAlarm, KmsGoldenRules } from '../../src';

test('a CustomerManagedKey with a KeyDeletionAlarm passes KmsGolden, AwsSolutions, NIST 800-53 R5, HIPAA and PCI DSS at once', () => {
  // GIVEN
  const app = newApp();
  const stack = newStack(app);
  const admin = new iam.Role(stack, 'KeyAdmin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'KeyUser', { assumedBy: new iam.AccountRootPrincipal() });
  const key = new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user], aliases: ['app/data'] });
  new KeyDeletionAlarm(stack, 'DeletionAlarm', { key });

  // WHEN
  const findings = synthFindings(app, [
    new KmsGoldenRules(app),
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
  ]);

  // THEN
  expect(findings).toEqual([]);
});

test('the same packs report a plain kms.Key (the helper sees findings of every pack)', () => {
  // GIVEN
  const app = newApp();
  const stack = newStack(app);
  new kms.Key(stack, 'Key');

  // WHEN
  const findings = synthFindings(app, [new KmsGoldenRules(app), new AwsSolutionsChecks(app), new NIST80053R5Checks(app)]);

  // THEN
  expect(findings.map((f) => `${f.pack} ${f.ruleId} ${f.path}`).sort()).toEqual([
    'AwsSolutions AwsSolutions-KMS5 Stack/Key/Resource',
    'KmsGolden KmsGolden-KeyRotation Stack/Key/Resource',
    'NIST.800.53.R5 NIST.800.53.R5-KMSBackingKeyRotationEnabled Stack/Key/Resource',
  ]);
});
