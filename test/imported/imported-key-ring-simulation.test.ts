import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImportedKeyRing, ImportedKeyRingProps } from '../../src';
import { decide, Decision, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const env = { account: ACCOUNT, region: 'eu-west-1' };
const GRANT_FOR_AWS = { 'kms:GrantIsForAWSResource': 'true' };

const NEW_DATA = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:ReEncryptTo'];
const OLD_DATA = ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom'];
const CRYPTO = [...NEW_DATA, 'kms:Decrypt', 'kms:ReEncryptFrom'];

interface Ring {
  readonly run: (who: string, version: string, action: string, context?: Record<string, string>) => Promise<Decision>;
}

/** GIVEN a ring with an admin role and a user role, and a role granted through the ring. */
function setup(props: Partial<ImportedKeyRingProps> & { versions: string[] }): Ring {
  const stack = new Stack(new App(), 'Keys', { env });
  const roles: Record<string, iam.Role> = {};
  for (const name of ['admin', 'user', 'granted', 'decryptor', 'otherWithKmsStar']) {
    roles[name] = new iam.Role(stack, name, { assumedBy: new iam.AccountRootPrincipal() });
  }
  roles.otherWithKmsStar.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const ring = new ImportedKeyRing(stack, 'Ring', {
    aliasName: 'alias/payments/tokens',
    admins: [roles.admin],
    users: [roles.user],
    ...props,
  });
  if (ring.activeKey.keyUsage === kms.KeyUsage.ENCRYPT_DECRYPT) {
    ring.grantEncryptDecrypt(roles.granted);
    ring.grantDecrypt(roles.decryptor);
  }
  const world = new World(stack);
  return {
    run: async (who, version, action, context = {}) => {
      const roleId = stack.getLogicalId(roles[who].node.defaultChild as iam.CfnRole);
      const keyId = stack.getLogicalId(ring.versionKey(version).node.defaultChild as kms.CfnKey);
      return decide({
        principal: world.arnOf(roleId),
        action,
        resource: world.arnOf(keyId),
        resourceAccount: ACCOUNT,
        identityPolicies: world.identityPoliciesOf(roleId),
        resourcePolicy: world.keyPolicy(keyId),
        context,
      });
    },
  };
}

describe('a ring of v1, v2, v3 (v3 newest), evaluated', () => {
  const ring = setup({ versions: ['v1', 'v2', 'v3'] });

  test.each(NEW_DATA)('users may %s with the newest version', async (action) => {
    expect(await ring.run('user', 'v3', action)).toEqual('Allowed');
  });

  test.each(OLD_DATA)('users may %s with the newest version', async (action) => {
    expect(await ring.run('user', 'v3', action)).toEqual('Allowed');
  });

  test.each(['v1', 'v2'].flatMap((v) => NEW_DATA.map((a) => [v, a])))('users are denied, on older version %s, %s', async (version, action) => {
    expect(await ring.run('user', version, action)).not.toEqual('Allowed');
  });

  test.each(['v1', 'v2'].flatMap((v) => OLD_DATA.map((a) => [v, a])))('users may still, on older version %s, %s', async (version, action) => {
    expect(await ring.run('user', version, action)).toEqual('Allowed');
  });

  test.each(['v1', 'v2'])('users cannot create grants on older version %s, not even for AWS resources', async (version) => {
    expect(await ring.run('user', version, 'kms:CreateGrant', GRANT_FOR_AWS)).not.toEqual('Allowed');
    expect(await ring.run('user', 'v3', 'kms:CreateGrant', GRANT_FOR_AWS)).toEqual('Allowed');
  });

  test.each(['v1', 'v2', 'v3'].flatMap((v) => [...CRYPTO, 'kms:CreateGrant'].map((a) => [v, a])))('admins never use version %s: %s denied', async (version, action) => {
    expect(await ring.run('admin', version, action)).not.toEqual('Allowed');
    expect(await ring.run('admin', version, action, GRANT_FOR_AWS)).not.toEqual('Allowed');
  });

  test.each(['v1', 'v2', 'v3'].flatMap((v) => ['kms:ImportKeyMaterial', 'kms:GetParametersForImport', 'kms:DeleteImportedKeyMaterial', 'kms:DisableKey'].map((a) => [v, a])))(
    'admins administer version %s: %s allowed', async (version, action) => {
      expect(await ring.run('admin', version, action)).toEqual('Allowed');
    });

  test.each(['v1', 'v2', 'v3'].flatMap((v) => ['kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial', 'kms:PutKeyPolicy'].map((a) => [v, a])))(
    'users never administer version %s: %s denied', async (version, action) => {
      expect(await ring.run('user', version, action)).not.toEqual('Allowed');
    });

  test.each(['v1', 'v3'].flatMap((v) => CRYPTO.map((a) => [v, a])))('a role with kms:* in its own policy is denied, on %s, %s', async (version, action) => {
    expect(await ring.run('otherWithKmsStar', version, action)).not.toEqual('Allowed');
  });

  test('grantEncryptDecrypt: encrypt with the newest version, only decrypt with the older ones', async () => {
    expect(await ring.run('granted', 'v3', 'kms:Encrypt')).toEqual('Allowed');
    expect(await ring.run('granted', 'v3', 'kms:Decrypt')).toEqual('Allowed');
    for (const version of ['v1', 'v2']) {
      expect(await ring.run('granted', version, 'kms:Decrypt')).toEqual('Allowed');
      expect(await ring.run('granted', version, 'kms:Encrypt')).not.toEqual('Allowed');
      expect(await ring.run('granted', version, 'kms:GenerateDataKey')).not.toEqual('Allowed');
    }
  });

  test('grantDecrypt: decrypt with every version, encrypt with none', async () => {
    for (const version of ['v1', 'v2', 'v3']) {
      expect(await ring.run('decryptor', version, 'kms:Decrypt')).toEqual('Allowed');
      expect(await ring.run('decryptor', version, 'kms:Encrypt')).not.toEqual('Allowed');
    }
  });
});

describe('rolling back to v1 (activeVersion) makes v2 decrypt-only', () => {
  const ring = setup({ versions: ['v1', 'v2'], activeVersion: 'v1' });

  test('v1 encrypts, v2 only decrypts', async () => {
    expect(await ring.run('user', 'v1', 'kms:Encrypt')).toEqual('Allowed');
    expect(await ring.run('user', 'v2', 'kms:Encrypt')).not.toEqual('Allowed');
    expect(await ring.run('user', 'v2', 'kms:GenerateDataKey')).not.toEqual('Allowed');
    expect(await ring.run('user', 'v2', 'kms:Decrypt')).toEqual('Allowed');
  });
});

describe('a ring of HMAC keys', () => {
  const ring = setup({ versions: ['v1', 'v2'], keySpec: kms.KeySpec.HMAC_256 });

  test('the newest version generates MACs; the older one only verifies them', async () => {
    expect(await ring.run('user', 'v2', 'kms:GenerateMac')).toEqual('Allowed');
    expect(await ring.run('user', 'v1', 'kms:GenerateMac')).not.toEqual('Allowed');
    expect(await ring.run('user', 'v1', 'kms:VerifyMac')).toEqual('Allowed');
  });
});

describe('a ring of RSA signing keys', () => {
  const ring = setup({ versions: ['v1', 'v2'], keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });

  test('the newest version signs; the older one only verifies', async () => {
    expect(await ring.run('user', 'v2', 'kms:Sign')).toEqual('Allowed');
    expect(await ring.run('user', 'v1', 'kms:Sign')).not.toEqual('Allowed');
    expect(await ring.run('user', 'v1', 'kms:Verify')).toEqual('Allowed');
  });
});
