import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccountRootAccess, CustomerManagedKey, CustomerManagedKeyProps } from '../../src';

function newStack(region = 'eu-west-1'): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region } });
}

function makeKey(props: CustomerManagedKeyProps, stack = newStack()): CustomerManagedKey {
  return new CustomerManagedKey(stack, 'Key', props);
}

/** Synthesizes the key's app, so that the validations of the finished key policy run. */
function synth(key: CustomerManagedKey): void {
  (key.node.root as App).synth();
}

describe('bad input fails in the constructor with what was received, what is allowed, and the path', () => {
  test.each<[string, CustomerManagedKeyProps, RegExp]>([
    ['rotation period too short', { rotationPeriod: Duration.days(89) }, /^Stack\/Key: rotationPeriod must be a whole number of days from 90 to 2560, got 89 days$/],
    ['rotation period too long', { rotationPeriod: Duration.days(2561) }, /rotationPeriod must be a whole number of days from 90 to 2560, got 2561 days/],
    ['rotation period not whole days', { rotationPeriod: Duration.hours(100 * 24 + 12) }, /rotationPeriod must be a whole number of days from 90 to 2560, got 100 days 12 hours/],
    ['pending window too short', { pendingWindow: Duration.days(6) }, /pendingWindow must be a whole number of days from 7 to 30, got 6 days/],
    ['pending window too long', { pendingWindow: Duration.days(31) }, /pendingWindow must be a whole number of days from 7 to 30, got 31 days/],
    ['rotation on an HMAC key', { keySpec: kms.KeySpec.HMAC_256, enableKeyRotation: true }, /enableKeyRotation: automatic rotation exists only for SYMMETRIC_DEFAULT keys, got keySpec HMAC_256/],
    ['rotation on an RSA key', { keySpec: kms.KeySpec.RSA_2048, enableKeyRotation: true }, /only for SYMMETRIC_DEFAULT keys, got keySpec RSA_2048/],
    ['rotation period on an ECC key', { keySpec: kms.KeySpec.ECC_NIST_P256, rotationPeriod: Duration.days(365) }, /rotationPeriod: automatic rotation exists only for SYMMETRIC_DEFAULT keys, got keySpec ECC_NIST_P256/],
    ['rotation period with rotation off', { enableKeyRotation: false, rotationPeriod: Duration.days(365) }, /rotationPeriod is set but enableKeyRotation is false/],
    ['usage the spec does not allow', { keySpec: kms.KeySpec.SYMMETRIC_DEFAULT, keyUsage: kms.KeyUsage.SIGN_VERIFY }, /keyUsage SIGN_VERIFY is not valid for keySpec SYMMETRIC_DEFAULT; allowed: ENCRYPT_DECRYPT/],
    ['HMAC spec with encrypt usage', { keySpec: kms.KeySpec.HMAC_512, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT }, /allowed: GENERATE_VERIFY_MAC/],
    ['unknown key spec', { keySpec: 'AES_512' as kms.KeySpec }, /keySpec must be one of SYMMETRIC_DEFAULT, .*got 'AES_512'/],
    ['reserved alias', { aliases: ['alias/aws/s3'] }, /alias must not start with 'alias\/aws\/' .*got 'alias\/aws\/s3'/],
    ['alias with a space', { aliases: ['alias/my key'] }, /alias must be 'alias\/' followed by 1 to 250 characters of a-z A-Z 0-9 \/ _ -, got 'alias\/my key'/],
    ['empty alias', { aliases: ['alias/'] }, /got 'alias\/'/],
    ['alias too long', { aliases: [`alias/${'a'.repeat(251)}`] }, /alias must be 'alias\/' followed by 1 to 250/],
    ['alias twice', { aliases: ['alias/a', 'a'] }, /alias 'alias\/a' is given twice/],
    ['more than 50 aliases', { aliases: Array.from({ length: 51 }, (_, i) => `alias/a${i}`) }, /a key has at most 50 aliases/],
    ['description too long', { description: 'x'.repeat(8193) }, /description has at most 8192 characters, got 8193/],
    ['tag key with aws: prefix', { tags: { 'aws:owner': 'me' } }, /tag key must not start with 'aws:' .*got 'aws:owner'/],
    ['empty tag key', { tags: { '': 'x' } }, /tag key must have 1 to 128 characters, got '' \(0\)/],
    ['tag key too long', { tags: { ['k'.repeat(129)]: 'x' } }, /tag key must have 1 to 128 characters/],
    ['tag value too long', { tags: { team: 'v'.repeat(257) } }, /tag value has at most 256 characters, got 257 for tag 'team'/],
    ['more than 50 tags', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v'])) }, /a key has at most 50 tags, got 51/],
    ['SNAPSHOT removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy SNAPSHOT does not apply to KMS keys; allowed: RETAIN/],
    ['anyone as admin', { admins: [new iam.AnyPrincipal()] }, /admins must be named IAM principals, got '\*'/],
    ['a service as user', { users: [new iam.ServicePrincipal('lambda.amazonaws.com')] }, /users must be IAM principals \(roles, users, accounts\), got .*lambda.amazonaws.com/],
    ['the account root as user', { users: [new iam.AccountRootPrincipal()] }, /users must not be this key's own account root .*set by accountRootAccess/],
    ['the own account as admin', { admins: [new iam.AccountPrincipal('111111111111')] }, /admins must not be this key's own account root/],
    ['no one to change the policy', { accountRootAccess: AccountRootAccess.NONE }, /accountRootAccess NONE needs at least one of admins or keyPolicyManagers/],
  ])('%s', (_name, props, message) => {
    expect(() => makeKey(props)).toThrow(message);
  });

  test('SM2 exists only in the China Regions', () => {
    expect(() => makeKey({ keySpec: kms.KeySpec.SM2 })).toThrow(/keySpec SM2 exists only in the China Regions \(cn-\*\), got region eu-west-1/);
    expect(() => makeKey({ keySpec: kms.KeySpec.SM2 }, newStack('cn-north-1'))).not.toThrow();
  });

  test('the same principal as admin and user', () => {
    const stack = newStack();
    const ops = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => makeKey({ admins: [ops], users: [ops] }, stack)).toThrow(/Stack\/Ops is both an admin and a user; a principal is one or the other/);
  });

  test('every problem is listed in one error', () => {
    expect(() => makeKey({ pendingWindow: Duration.days(1), rotationPeriod: Duration.days(1), aliases: ['alias/aws/x'] }))
      .toThrow(/^Stack\/Key: 3 problems:\n {2}- rotationPeriod .*\n {2}- pendingWindow .*\n {2}- alias must not start/);
  });

  test('addAlias validates too', () => {
    const key = makeKey({});
    expect(() => key.addAlias('alias/aws/ebs')).toThrow(/^Stack\/Key: alias must not start with 'alias\/aws\/'/);
  });
});

describe('bad use of the finished key fails at synth', () => {
  test('a key policy over 32,768 bytes names the key, the size and the limit', () => {
    const users = Array.from({ length: 300 }, (_, i) => new iam.ArnPrincipal(`arn:aws:iam::222222222222:role/consumer-role-with-a-long-name-${i}`));
    const key = makeKey({ users });
    expect(() => synth(key)).toThrow(/\[Stack\/Key\] the key policy takes up to \d+ bytes once deployed, over the KMS limit of 32768 bytes/);
  });

  test('a statement that makes a principal both admin and user', () => {
    const stack = newStack();
    const ops = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    const key = makeKey({ admins: [ops] }, stack);
    key.grantDecrypt(ops);
    expect(() => synth(key)).toThrow(/\[Stack\/Key\] the key policy gives .*Ops.* both administrative actions \(.*kms:PutKeyPolicy.*\) and cryptographic actions \(kms:Decrypt\)/);
  });

  test('an admin given CreateGrant by hand', () => {
    const stack = newStack();
    const ops = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    const key = makeKey({ admins: [ops] }, stack);
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [ops], actions: ['kms:Create*'], resources: ['*'] }));
    expect(() => synth(key)).toThrow(/both administrative actions .* and cryptographic actions \(kms:CreateGrant\)/);
  });

  test('kms:* to a principal other than the root, through the resource policy', () => {
    const stack = newStack();
    const key = makeKey({}, stack);
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/x')], actions: ['kms:*'], resources: ['*'] }));
    expect(() => synth(key)).toThrow(/gives kms:\* to .*role\/x.*; only the account root may hold kms:\*/);
  });

  test('cryptographic actions for the account root, as aws-cdk-lib\'s KeyGrants writes for dependent stacks', () => {
    const stack = newStack();
    const key = makeKey({}, stack);
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:Decrypt'], resources: ['*'] }));
    expect(() => synth(key)).toThrow(/\[Stack\/Key\] the key policy gives the account root cryptographic actions \(kms:Decrypt\), so any IAM principal of the account could use the key/);
  });

  test('a root statement held to one role by aws:PrincipalArn counts as that role', () => {
    const stack = newStack();
    const ops = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    const key = makeKey({ admins: [ops] }, stack);
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AccountRootPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': ops.roleArn } },
    }));
    // Not a delegation of use to the whole account, but the admin given Decrypt.
    expect(() => synth(key)).toThrow(/gives .*Ops.* both administrative actions .* and cryptographic actions \(kms:Decrypt\)/);
  });

  test('full delegation lets the root hold every action on purpose', () => {
    const key = makeKey({ accountRootAccess: AccountRootAccess.FULL_DELEGATION });
    expect(() => synth(key)).not.toThrow();
  });

  test('grant() refuses kms:*', () => {
    const stack = newStack();
    const key = makeKey({}, stack);
    const r = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => key.grant(r, 'kms:*')).toThrow(/^Stack\/Key: grant\(\) does not give 'kms:\*'/);
  });

  test.each<[string, kms.KeySpec, (k: CustomerManagedKey, r: iam.IGrantable) => void, RegExp]>([
    ['grantSign on a symmetric key', kms.KeySpec.SYMMETRIC_DEFAULT, (k, r) => k.grantSign(r), /grantSign\(\) needs a key with usage SIGN_VERIFY, got a SYMMETRIC_DEFAULT key with usage ENCRYPT_DECRYPT/],
    ['grantDecrypt on an HMAC key', kms.KeySpec.HMAC_256, (k, r) => k.grantDecrypt(r), /grantDecrypt\(\) needs a key with usage ENCRYPT_DECRYPT, got a HMAC_256 key/],
    ['grantGenerateMac on an RSA key', kms.KeySpec.RSA_2048, (k, r) => k.grantGenerateMac(r), /grantGenerateMac\(\) needs a key with usage GENERATE_VERIFY_MAC/],
  ])('%s', (_name, keySpec, grant, message) => {
    const stack = newStack();
    const key = makeKey({ keySpec }, stack);
    const r = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => grant(key, r)).toThrow(message);
  });
});
