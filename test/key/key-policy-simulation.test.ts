import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccountRootAccess, CustomerManagedKey, CustomerManagedKeyProps } from '../../src';
import { decide, Decision, KMS_STAR_POLICY, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const env = { account: ACCOUNT, region: 'eu-west-1' };

const CRYPTO = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:GenerateDataKeyWithoutPlaintext'];
const ADMIN = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:EnableKeyRotation', 'kms:TagResource'];
const GRANT_FOR_AWS = { 'kms:GrantIsForAWSResource': 'true' };

interface Setup {
  readonly world: World;
  readonly keyArn: string;
  readonly keyPolicy: any;
  readonly principals: Record<string, { arn: string; identityPolicies: { name: string; policy: any }[] }>;
}

/** GIVEN an admin role, a user role and an unrelated role whose own policy allows kms:*, in one account. */
function setup(makeKey: (stack: Stack, admin: iam.IRole, user: iam.IRole) => kms.Key): Setup {
  const app = new App();
  const stack = new Stack(app, 'Keys', { env });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
  other.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const key = makeKey(stack, admin, user);
  const world = new World(stack);
  const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
  const ids = {
    admin: stack.getLogicalId(admin.node.defaultChild as iam.CfnRole),
    user: stack.getLogicalId(user.node.defaultChild as iam.CfnRole),
    other: stack.getLogicalId(other.node.defaultChild as iam.CfnRole),
  };
  return {
    world,
    keyArn: world.arnOf(keyId),
    keyPolicy: world.keyPolicy(keyId),
    principals: {
      admin: { arn: world.arnOf(ids.admin), identityPolicies: world.identityPoliciesOf(ids.admin) },
      user: { arn: world.arnOf(ids.user), identityPolicies: world.identityPoliciesOf(ids.user) },
      otherRoleWithKmsStar: { arn: world.arnOf(ids.other), identityPolicies: world.identityPoliciesOf(ids.other) },
      otherAccountRoleWithKmsStar: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Outsider`, identityPolicies: [KMS_STAR_POLICY] },
      otherAccountRoot: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, identityPolicies: [] },
      // The root user holds every permission of its account: modelled as an identity policy with kms:*.
      accountRoot: { arn: `arn:aws:iam::${ACCOUNT}:root`, identityPolicies: [KMS_STAR_POLICY] },
    },
  };
}

async function run(s: Setup, who: string, action: string, context: Record<string, string> = {}): Promise<Decision> {
  const p = s.principals[who];
  return decide({
    principal: p.arn,
    action,
    resource: s.keyArn,
    resourceAccount: ACCOUNT,
    identityPolicies: p.identityPolicies,
    resourcePolicy: s.keyPolicy,
    context,
  });
}

describe('CustomerManagedKey key policy, evaluated', () => {
  const s = setup((stack, admin, user) => new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user] }));

  test.each(CRYPTO)('admins are denied %s', async (action) => {
    expect(await run(s, 'admin', action)).not.toEqual('Allowed');
  });

  test.each(ADMIN)('admins are allowed %s', async (action) => {
    expect(await run(s, 'admin', action)).toEqual('Allowed');
  });

  test('admins cannot create grants, not even for AWS resources', async () => {
    expect(await run(s, 'admin', 'kms:CreateGrant')).not.toEqual('Allowed');
    expect(await run(s, 'admin', 'kms:CreateGrant', GRANT_FOR_AWS)).not.toEqual('Allowed');
  });

  test.each(CRYPTO)('users are allowed %s', async (action) => {
    expect(await run(s, 'user', action)).toEqual('Allowed');
  });

  test.each(ADMIN)('users are denied %s', async (action) => {
    expect(await run(s, 'user', action)).not.toEqual('Allowed');
  });

  test('users create grants for AWS resources only', async () => {
    expect(await run(s, 'user', 'kms:CreateGrant', GRANT_FOR_AWS)).toEqual('Allowed');
    expect(await run(s, 'user', 'kms:CreateGrant')).not.toEqual('Allowed');
    expect(await run(s, 'user', 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'false' })).not.toEqual('Allowed');
  });

  test.each(CRYPTO)('a role of the account with kms:* in its own policy is denied %s', async (action) => {
    expect(await run(s, 'otherRoleWithKmsStar', action)).not.toEqual('Allowed');
  });

  test('a role of the account with kms:* in its own policy is denied CreateGrant', async () => {
    expect(await run(s, 'otherRoleWithKmsStar', 'kms:CreateGrant')).not.toEqual('Allowed');
    expect(await run(s, 'otherRoleWithKmsStar', 'kms:CreateGrant', GRANT_FOR_AWS)).not.toEqual('Allowed');
  });

  test('administration stays delegated to the account: an IAM policy of the account can administer (documented)', async () => {
    expect(await run(s, 'otherRoleWithKmsStar', 'kms:PutKeyPolicy')).toEqual('Allowed');
  });

  test.each([...CRYPTO, ...ADMIN, 'kms:CreateGrant'])('another account is denied %s', async (action) => {
    expect(await run(s, 'otherAccountRoleWithKmsStar', action)).not.toEqual('Allowed');
    expect(await run(s, 'otherAccountRoleWithKmsStar', action, GRANT_FOR_AWS)).not.toEqual('Allowed');
    expect(await run(s, 'otherAccountRoot', action)).not.toEqual('Allowed');
  });

  test.each(CRYPTO)('the account root is denied %s', async (action) => {
    expect(await run(s, 'accountRoot', action)).not.toEqual('Allowed');
  });

  test('the account root keeps administration, so the key cannot be locked out', async () => {
    expect(await run(s, 'accountRoot', 'kms:PutKeyPolicy')).toEqual('Allowed');
    expect(await run(s, 'accountRoot', 'kms:CreateGrant', GRANT_FOR_AWS)).not.toEqual('Allowed');
  });
});

describe('plain aws-cdk-lib kms.Key, evaluated the same way', () => {
  const s = setup((stack, admin, user) => {
    const key = new kms.Key(stack, 'Key', { admins: [admin] });
    key.grantEncryptDecrypt(user);
    return key;
  });

  test('lets any role of the account with kms:* decrypt: what CustomerManagedKey prevents', async () => {
    expect(await run(s, 'otherRoleWithKmsStar', 'kms:Decrypt')).toEqual('Allowed');
  });

  test('lets its admins give themselves use through CreateGrant', async () => {
    expect(await run(s, 'admin', 'kms:CreateGrant')).toEqual('Allowed');
  });
});

describe('keyPolicyManagers', () => {
  const s = setup((stack, admin, user) => {
    const deployer = iam.Role.fromRoleArn(stack, 'Deployer', `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`);
    return new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user], keyPolicyManagers: [deployer] });
  });

  test('only the policy managers may rewrite the key policy', async () => {
    expect(await decide({
      principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`,
      action: 'kms:PutKeyPolicy',
      resource: s.keyArn,
      resourceAccount: ACCOUNT,
      resourcePolicy: s.keyPolicy,
    })).toEqual('Allowed');
    for (const who of ['admin', 'user', 'otherRoleWithKmsStar', 'accountRoot']) {
      expect(await run(s, who, 'kms:PutKeyPolicy')).not.toEqual('Allowed');
    }
  });

  test('admins keep the rest of administration', async () => {
    expect(await run(s, 'admin', 'kms:ScheduleKeyDeletion')).toEqual('Allowed');
  });
});

describe.each([
  [AccountRootAccess.FULL_DELEGATION, 'Allowed'],
  [AccountRootAccess.NONE, 'ImplicitlyDenied'],
])('accountRootAccess %s', (access, otherRoleDecrypt) => {
  const s = setup((stack, admin, user) => new CustomerManagedKey(stack, 'Key', {
    admins: [admin], users: [user], accountRootAccess: access,
  } as CustomerManagedKeyProps));

  test('decides what IAM policies of the account can do', async () => {
    expect(await run(s, 'otherRoleWithKmsStar', 'kms:Decrypt')).toEqual(otherRoleDecrypt);
  });

  test('admins and users keep their sides', async () => {
    expect(await run(s, 'admin', 'kms:PutKeyPolicy')).toEqual('Allowed');
    expect(await run(s, 'admin', 'kms:Decrypt')).not.toEqual('Allowed');
    expect(await run(s, 'user', 'kms:Decrypt')).toEqual('Allowed');
    expect(await run(s, 'user', 'kms:PutKeyPolicy')).not.toEqual('Allowed');
  });
});

describe('key specs give users their spec\'s actions only', () => {
  test.each([
    [kms.KeySpec.HMAC_256, undefined, ['kms:GenerateMac', 'kms:VerifyMac'], ['kms:Decrypt', 'kms:Sign']],
    [kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.SIGN_VERIFY, ['kms:Sign', 'kms:Verify', 'kms:GetPublicKey'], ['kms:Decrypt', 'kms:GenerateMac']],
    [kms.KeySpec.RSA_4096, kms.KeyUsage.ENCRYPT_DECRYPT, ['kms:Encrypt', 'kms:Decrypt', 'kms:GetPublicKey'], ['kms:Sign', 'kms:GenerateDataKey']],
    [kms.KeySpec.ECC_NIST_P384, kms.KeyUsage.KEY_AGREEMENT, ['kms:DeriveSharedSecret'], ['kms:Sign']],
  ])('%s %s', async (keySpec, keyUsage, allowed, denied) => {
    const s = setup((stack, admin, user) => new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user], keySpec, keyUsage }));
    for (const action of allowed) {
      expect([action, await run(s, 'user', action)]).toEqual([action, 'Allowed']);
      expect([action, await run(s, 'admin', action)]).not.toEqual([action, 'Allowed']);
    }
    for (const action of denied) {
      expect([action, await run(s, 'user', action)]).not.toEqual([action, 'Allowed']);
    }
  });
});

describe('grant methods write the key policy', () => {
  test('a role given grantDecrypt can decrypt, not encrypt', async () => {
    const s = setup((stack, admin) => {
      const key = new CustomerManagedKey(stack, 'Key', { admins: [admin] });
      key.grantDecrypt(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
      return key;
    });
    const readerId = s.world.logicalId('AWS::IAM::Role', 'Reader');
    const reader = { arn: s.world.arnOf(readerId), identityPolicies: s.world.identityPoliciesOf(readerId) };
    const ask = (action: string) => decide({
      principal: reader.arn,
      action,
      resource: s.keyArn,
      resourceAccount: ACCOUNT,
      identityPolicies: reader.identityPolicies,
      resourcePolicy: s.keyPolicy,
    });
    expect(await ask('kms:Decrypt')).toEqual('Allowed');
    expect(await ask('kms:Encrypt')).not.toEqual('Allowed');
  });
});
