import { CfnDeletionPolicy, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { findingsOf, newApp, newStack, synthFindings } from '../nag';

const RULE = 'KmsGolden-RetainPolicy';

describe(RULE, () => {
  test('a CustomerManagedKey passes', () => {
    const app = newApp();
    const stack = newStack(app);
    new CustomerManagedKey(stack, 'Key');

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test.each([RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])('a plain kms.Key with %s passes', (removalPolicy) => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key', { removalPolicy });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key with RemovalPolicy.DESTROY fails', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY });

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key/Resource']);
  });

  test('an L1 key without policies fails (CloudFormation deletes it by default)', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.CfnKey(stack, 'Key', { enableKeyRotation: true });

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key']);
  });

  test('a key retained on deletion but not on replacement fails', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.CfnKey(stack, 'Key', { enableKeyRotation: true });
    key.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    key.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key']);
  });

  test('a replica key that is not retained fails', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.CfnReplicaKey(stack, 'Replica', {
      primaryKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      keyPolicy: { Version: '2012-10-17', Statement: [] },
    });

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Replica']);
  });
});
