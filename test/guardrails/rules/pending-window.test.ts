import { CfnParameter, Duration, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { findingsOf, newApp, newStack, synthFindings } from '../nag';

const RULE = 'KmsGolden-PendingWindow';

describe(RULE, () => {
  test('a CustomerManagedKey passes', () => {
    const app = newApp();
    const stack = newStack(app);
    new CustomerManagedKey(stack, 'Key');

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key passes: no PendingWindowInDays means 30 days', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key');

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test.each([7, 29])('a plain kms.Key waiting %i days fails', (days) => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key', { pendingWindow: Duration.days(days) });

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key/Resource']);
  });

  test('a key waiting 30 days passes', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key', { pendingWindow: Duration.days(30) });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a replica key waiting 7 days fails', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.CfnReplicaKey(stack, 'Replica', {
      primaryKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      keyPolicy: { Version: '2012-10-17', Statement: [] },
      pendingWindowInDays: 7,
    });

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Replica']);
  });

  test('a shorter window acknowledged with a stated reason passes', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.Key(stack, 'Key', { pendingWindow: Duration.days(7) });
    Validations.of(key).acknowledge({ id: RULE, reason: 'Ephemeral test environment key, nothing durable is encrypted under it' });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a window known only at deploy time cannot be checked: reported until acknowledged', () => {
    const app = newApp();
    const stack = newStack(app);
    const days = new CfnParameter(stack, 'PendingDays', { type: 'Number' });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    (key.node.defaultChild as kms.CfnKey).pendingWindowInDays = days.valueAsNumber;

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key/Resource']);
  });
});
