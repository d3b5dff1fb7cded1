import { Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { findingsOf, newApp, newStack, synthFindings } from '../nag';

const RULE = 'KmsGolden-KeyRotation';

describe(RULE, () => {
  test('a CustomerManagedKey passes (symmetric and HMAC)', () => {
    // GIVEN
    const app = newApp();
    const stack = newStack(app);
    new CustomerManagedKey(stack, 'Key');
    new CustomerManagedKey(stack, 'Hmac', { keySpec: kms.KeySpec.HMAC_256 });

    // THEN
    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key fails: it does not rotate by default', () => {
    // GIVEN
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key');

    // THEN
    expect(findingsOf(synthFindings(app), RULE)).toEqual([
      { pack: 'KmsGolden', ruleId: RULE, severity: 'error', path: 'Stack/Key/Resource' },
    ]);
  });

  test('a plain kms.Key with rotation passes', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key', { enableKeyRotation: true });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test.each([
    ['an asymmetric key', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }],
    ['an HMAC key', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }],
    ['a key with imported material', { origin: 'EXTERNAL' }],
  ])('%s cannot rotate: not applicable', (_name, properties: kms.CfnKeyProps) => {
    const app = newApp();
    const stack = newStack(app);
    new kms.CfnKey(stack, 'Key', properties);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('an L1 key with rotation turned off by an override fails', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    (key.node.defaultChild as kms.CfnKey).addPropertyOverride('EnableKeyRotation', false);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key/Resource']);
  });

  test('a replica key has no rotation setting: not applicable', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.CfnReplicaKey(stack, 'Replica', {
      primaryKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      keyPolicy: { Version: '2012-10-17', Statement: [] },
    });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('an acknowledgement with a stated reason clears the finding', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.Key(stack, 'Key');
    Validations.of(key).acknowledge({ id: RULE, reason: 'Test data only, destroyed every night' });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });
});
