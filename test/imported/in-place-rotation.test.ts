import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, KeyOrigin, ReplicaKey } from '../../src';
import { decide, Decision, idOf, World } from '../helpers/world';

const ACCOUNT = '111111111111';

/** What rotating imported material in place calls, on the same key. */
const ROTATION = ['kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:RotateKeyOnDemand', 'kms:ListKeyRotations'];
const USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'];
const ADMINISTRATION = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DeleteImportedKeyMaterial'];

/** GIVEN a multi-Region key with imported material, its replica, and roles evaluated against both key policies. */
function setup(grant: boolean) {
  const app = new App();
  const stack = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const roles: Record<string, iam.Role> = {};
  for (const name of ['admin', 'user', 'rotator']) {
    roles[name] = new iam.Role(stack, name, { assumedBy: new iam.AccountRootPrincipal(), roleName: name });
  }
  const key = new CustomerManagedKey(stack, 'Key', {
    origin: KeyOrigin.EXTERNAL, multiRegion: true, admins: [roles.admin], users: [roles.user],
  });
  if (grant) {
    key.grantImportedKeyMaterialRotation(roles.rotator);
  }
  const [replica] = ReplicaKey.replicate(key, { regions: ['us-east-1'] });
  const world = new World(stack, Stack.of(replica));
  const run = async (who: string, action: string, onReplica = false): Promise<Decision> => {
    const roleId = idOf(roles[who]);
    const keyId = idOf(onReplica ? replica : key);
    return decide({
      principal: world.arnOf(roleId),
      action,
      resource: world.arnOf(keyId),
      resourceAccount: ACCOUNT,
      identityPolicies: world.identityPoliciesOf(roleId),
      resourcePolicy: world.keyPolicy(keyId),
    });
  };
  return { run };
}

describe('rotating imported key material in place', () => {
  const granted = setup(true);
  const control = setup(false);

  test.each(ROTATION.flatMap((a) => [[a, false], [a, true]] as [string, boolean][]))('the rotator may %s (replica: %s)', async (action, onReplica) => {
    expect(await granted.run('rotator', action, onReplica)).toEqual('Allowed');
  });

  test.each(ROTATION)('without the grant, the same role may not %s (control)', async (action) => {
    expect(await control.run('rotator', action)).not.toEqual('Allowed');
  });

  test.each([...USE, ...ADMINISTRATION])('the rotator never gets %s', async (action) => {
    expect(await granted.run('rotator', action)).not.toEqual('Allowed');
    expect(await granted.run('rotator', action, true)).not.toEqual('Allowed');
  });

  test.each(ROTATION)('the admins of an imported key already may %s', async (action) => {
    expect(await control.run('admin', action)).toEqual('Allowed');
  });

  test.each(ROTATION)('users may not %s', async (action) => {
    expect(await granted.run('user', action)).not.toEqual('Allowed');
  });
});

describe('keys that cannot rotate imported material in place refuse the grant', () => {
  test.each<[string, Partial<ConstructorParameters<typeof CustomerManagedKey>[2]>, RegExp]>([
    ['a key of KMS-generated material', {}, /^Stack\/Key: grantImportedKeyMaterialRotation\(\) needs a key with origin EXTERNAL .*got origin AWS_KMS/],
    ['an asymmetric key', { origin: KeyOrigin.EXTERNAL, keySpec: kms.KeySpec.RSA_2048 }, /in place only in SYMMETRIC_DEFAULT keys, got keySpec RSA_2048; rotate it by alias with ImportedKeyRing/],
  ])('%s', (_name, props, message) => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const key = new CustomerManagedKey(stack, 'Key', props);
    expect(() => key.grantImportedKeyMaterialRotation(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }))).toThrow(message);
  });
});
