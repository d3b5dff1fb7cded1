import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, CustomerManagedKeyProps, KeyAdminPolicy, KeyOrigin } from '../../src';
import { decide, World } from '../helpers/world';

const env = { account: '111111111111', region: 'eu-west-1' };

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env });
}

describe('origin', () => {
  test('EXTERNAL: the key is created for imported material and does not rotate', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new CustomerManagedKey(stack, 'Key', { origin: KeyOrigin.EXTERNAL });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      Origin: 'EXTERNAL',
      EnableKeyRotation: Match.absent(),
      RotationPeriodInDays: Match.absent(),
    });
  });

  test.each([
    [kms.KeySpec.HMAC_256, undefined],
    [kms.KeySpec.RSA_3072, kms.KeyUsage.SIGN_VERIFY],
    [kms.KeySpec.ECC_NIST_P256, undefined],
  ])('EXTERNAL works with %s keys', (keySpec, keyUsage) => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', { origin: KeyOrigin.EXTERNAL, keySpec, keyUsage });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { Origin: 'EXTERNAL', KeySpec: keySpec });
  });

  test.each([undefined, KeyOrigin.AWS_KMS])('%s leaves the template as before: no Origin property, rotation on', (origin) => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key', { origin });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      Origin: Match.absent(),
      EnableKeyRotation: true,
      RotationPeriodInDays: 365,
    });
    expect(key.origin).toEqual(KeyOrigin.AWS_KMS);
    expect(key.adminActions).not.toContain('kms:ImportKeyMaterial');
  });

  test('EXTERNAL: rotationEnabled is false', () => {
    expect(new CustomerManagedKey(newStack(), 'Key', { origin: KeyOrigin.EXTERNAL }).rotationEnabled).toBe(false);
  });

  test('EXTERNAL: KeyAdminPolicy of the key includes kms:ImportKeyMaterial', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key', { origin: KeyOrigin.EXTERNAL });
    expect(key.adminActions).toEqual(expect.arrayContaining(['kms:ImportKeyMaterial', 'kms:GetParametersForImport', 'kms:DeleteImportedKeyMaterial']));
    expect(key.adminPolicy.node.id).toEqual('AdminPolicy');
    new KeyAdminPolicy(stack, 'Admin', { key });
    new KeyAdminPolicy(stack, 'AdminOfAnyExternalKey', {
      key: kms.Key.fromKeyArn(stack, 'Other', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555'),
      origin: KeyOrigin.EXTERNAL,
    });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Description: Match.stringLikeRegexp('^Administration') },
    });
    const withImport = Object.values(policies).filter((p: any) => p.Properties.PolicyDocument.Statement[0].Action.includes('kms:ImportKeyMaterial'));
    // The key's own admin policy and both KeyAdminPolicy constructs.
    expect(withImport).toHaveLength(3);
  });
});

describe('origin EXTERNAL, evaluated', () => {
  const app = new App();
  const stack = new Stack(app, 'Keys', { env });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const key = new CustomerManagedKey(stack, 'Key', { origin: KeyOrigin.EXTERNAL, admins: [admin], users: [user] });
  const world = new World(stack);
  const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
  const run = (role: iam.Role, action: string) => {
    const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    return decide({
      principal: world.arnOf(id),
      action,
      resource: world.arnOf(keyId),
      resourceAccount: env.account,
      identityPolicies: world.identityPoliciesOf(id),
      resourcePolicy: world.keyPolicy(keyId),
    });
  };

  test.each(['kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial'])('admins may %s', async (action) => {
    expect(await run(admin, action)).toEqual('Allowed');
  });

  test.each(['kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial'])('users may not %s', async (action) => {
    expect(await run(user, action)).not.toEqual('Allowed');
  });

  test.each(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'])('admins still may not %s; users may', async (action) => {
    expect(await run(admin, action)).not.toEqual('Allowed');
    expect(await run(user, action)).toEqual('Allowed');
  });
});

describe('origin: bad input', () => {
  test.each<[string, CustomerManagedKeyProps, RegExp]>([
    ['rotation on an EXTERNAL key', { origin: KeyOrigin.EXTERNAL, enableKeyRotation: true },
      /^Stack\/Key: enableKeyRotation: a key with origin EXTERNAL \(imported key material\) cannot rotate automatically; rotate it in place \(ImportKeyMaterial with new material, then RotateKeyOnDemand: grantImportedKeyMaterialRotation\) or/],
    ['a rotation period on an EXTERNAL key', { origin: KeyOrigin.EXTERNAL, rotationPeriod: Duration.days(365) },
      /^Stack\/Key: rotationPeriod: a key with origin EXTERNAL \(imported key material\) cannot rotate automatically/],
    ['an ML-DSA key for imported material', { origin: KeyOrigin.EXTERNAL, keySpec: kms.KeySpec.ML_DSA_65 },
      /^Stack\/Key: origin EXTERNAL: keySpec ML_DSA_65 cannot hold imported key material$/],
  ])('%s', (_name, props, message) => {
    expect(() => new CustomerManagedKey(newStack(), 'Key', props)).toThrow(message);
  });

  test('both rotation problems are listed in one message', () => {
    expect(() => new CustomerManagedKey(newStack(), 'Key', {
      origin: KeyOrigin.EXTERNAL, enableKeyRotation: true, rotationPeriod: Duration.days(180),
    })).toThrow(/^Stack\/Key: 2 problems:\n {2}- enableKeyRotation: .*\n {2}- rotationPeriod: /);
  });

  test('turning rotation off explicitly is fine', () => {
    expect(() => new CustomerManagedKey(newStack(), 'Key', { origin: KeyOrigin.EXTERNAL, enableKeyRotation: false })).not.toThrow();
  });
});
