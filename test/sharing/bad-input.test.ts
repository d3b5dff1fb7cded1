import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  AmiShare,
  AmiShareProps,
  CustomerManagedKey,
  EbsSharedKeyAccess,
  EbsSharedKeyAccessProps,
  GrantOperation,
  KeyGrant,
  KeyGrantProps,
  SharingTargets,
  SnapshotShare,
  SnapshotShareProps,
} from '../../src';

const OWNER = '111111111111';
const KEY_ARN = `arn:aws:kms:eu-west-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function newStack(account = OWNER): Stack {
  return new Stack(new App(), 'Stack', { env: { account, region: 'eu-west-1' } });
}

describe('sharing a key: bad targets fail with the path, what was received and what is allowed', () => {
  test.each<[string, (key: CustomerManagedKey) => void, RegExp]>([
    ['account id of 11 digits', (k) => k.shareForSnapshotCopy(SharingTargets.accounts(['22222222222'])),
      /^Stack\/Key: shareForSnapshotCopy\(\): an account id has exactly 12 digits, got '22222222222'$/],
    ['account id with letters', (k) => k.shareForAmiLaunch(SharingTargets.accounts(['22222222222a'])),
      /shareForAmiLaunch\(\): an account id has exactly 12 digits, got '22222222222a'/],
    ['the key\'s own account', (k) => k.shareForSnapshotCopy(SharingTargets.accounts([OWNER])),
      /'111111111111' is the key's own account; share with other accounts only/],
    ['an account twice in one call', (k) => k.shareForSnapshotCopy(SharingTargets.accounts(['222222222222', '222222222222'])),
      /account '222222222222' is given twice/],
    ['no account', (k) => k.shareForSnapshotCopy(SharingTargets.accounts([])),
      /give at least one target, got an empty list/],
    ['organization id without o-', (k) => k.shareForAmiLaunch(SharingTargets.organization('abcdefghij')),
      /an organization id is 'o-' followed by 10 to 32 lowercase letters or digits, got 'abcdefghij'/],
    ['organization id too short', (k) => k.shareForAmiLaunch(SharingTargets.organization('o-abc')),
      /got 'o-abc'/],
    ['organization id in capitals', (k) => k.shareForAmiLaunch(SharingTargets.organization('o-ABCDEFGHIJ')),
      /got 'o-ABCDEFGHIJ'/],
    ['a principal that is not an IAM ARN', (k) => k.shareForSnapshotCopy(SharingTargets.principals(['role/copier'])),
      /a principal is the ARN of an IAM role, user or account root.*got 'role\/copier'/],
    ['a principal of the key\'s own account', (k) => k.shareForSnapshotCopy(SharingTargets.principals([`arn:aws:iam::${OWNER}:role/x`])),
      /'arn:aws:iam::111111111111:role\/x' is in the key's own account/],
    ['a principal twice', (k) => k.shareForSnapshotCopy(SharingTargets.principals(['arn:aws:iam::222222222222:role/x', 'arn:aws:iam::222222222222:role/x'])),
      /principal 'arn:aws:iam::222222222222:role\/x' is given twice/],
  ])('%s', (_name, share, message) => {
    const key = new CustomerManagedKey(newStack(), 'Key');
    expect(() => share(key)).toThrow(message);
  });

  test('an account shared twice for the same purpose is not an error: the share is reused, never listed twice', () => {
    const key = new CustomerManagedKey(newStack(), 'Key');
    key.shareForSnapshotCopy(SharingTargets.accounts(['222222222222']));
    expect(() => key.shareForSnapshotCopy(SharingTargets.accounts(['222222222222', '333333333333']))).not.toThrow();
    const statements = Stack.of(key).resolve((key.node.defaultChild as kms.CfnKey).keyPolicy).Statement;
    const listed = statements.flatMap((st: any) => st.Condition?.StringEquals?.['kms:CallerAccount'] ?? []);
    expect(listed).toEqual(['222222222222', '333333333333']);
  });

  test('a key EBS cannot use', () => {
    const key = new CustomerManagedKey(newStack(), 'Key', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    expect(() => key.shareForAmiLaunch(SharingTargets.accounts(['222222222222'])))
      .toThrow(/EBS encrypts only with symmetric encryption keys, got a RSA_2048 key with usage SIGN_VERIFY/);
  });

  test('every problem in one error', () => {
    const key = new CustomerManagedKey(newStack(), 'Key');
    expect(() => key.shareForSnapshotCopy(SharingTargets.accounts(['1', OWNER])))
      .toThrow(/^Stack\/Key: 2 problems:\n {2}- .*got '1'\n {2}- .*'111111111111' is the key's own account/);
  });
});

describe('EbsSharedKeyAccess bad input', () => {
  test.each<[string, Partial<EbsSharedKeyAccessProps>, RegExp]>([
    ['neither keyArn nor key', {}, /^Target\/Access: give exactly one of keyArn and key, got neither$/],
    ['an AWS managed key by alias ARN', { keyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/aws/ebs' },
      /'arn:aws:kms:eu-west-1:111111111111:alias\/aws\/ebs' is an AWS managed key, which cannot be shared with other accounts/],
    ['an AWS managed key by alias name', { keyArn: 'alias/aws/ebs' }, /'alias\/aws\/ebs' is an AWS managed key/],
    ['a customer alias ARN', { keyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/shared' }, /an alias ARN does not name a key across accounts; give the key ARN/],
    ['a malformed key ARN', { keyArn: 'arn:aws:kms:eu-west-1:1111:key/x' }, /a key ARN looks like .*got 'arn:aws:kms:eu-west-1:1111:key\/x'/],
    ['the stack\'s own account', { keyArn: KEY_ARN.replace(OWNER, '222222222222') }, /is in this stack's own account \(222222222222\); EbsSharedKeyAccess is for the accounts the key is shared with/],
    ['no purpose', { keyArn: KEY_ARN, purposes: [] }, /purposes: give at least one of SNAPSHOT_COPY, AMI_LAUNCH/],
  ])('%s', (_name, props, message) => {
    const stack = new Stack(new App(), 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
    expect(() => new EbsSharedKeyAccess(stack, 'Access', props as EbsSharedKeyAccessProps)).toThrow(message);
  });

  test('both keyArn and key', () => {
    const stack = new Stack(new App(), 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = kms.Key.fromKeyArn(stack, 'Key', KEY_ARN);
    expect(() => new EbsSharedKeyAccess(stack, 'Access', { keyArn: KEY_ARN, key })).toThrow(/give exactly one of keyArn and key, got both/);
  });

  test('an AWS managed key by alias object', () => {
    const stack = new Stack(new App(), 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = kms.Alias.fromAliasName(stack, 'Ebs', 'alias/aws/ebs');
    expect(() => new EbsSharedKeyAccess(stack, 'Access', { key })).toThrow(/'alias\/aws\/ebs' is an AWS managed key/);
  });

  test('a key of another environment whose ARN is not known yet', () => {
    const app = new App();
    const owner = new Stack(app, 'Owner', { env: { account: OWNER, region: 'eu-west-1' } });
    const target = new Stack(app, 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = new CustomerManagedKey(owner, 'Key');
    expect(() => new EbsSharedKeyAccess(target, 'Access', { key })).toThrow(/key: Owner\/Key is in another environment \(111111111111\/eu-west-1\).*give keyArn/);
  });
});

describe('KeyGrant bad input', () => {
  const grantee = new iam.ArnPrincipal('arn:aws:iam::111111111111:role/app');
  test.each<[string, Partial<KeyGrantProps>, RegExp]>([
    ['no operations', { operations: [] }, /^Stack\/Grant: operations: give at least one of Decrypt, Encrypt/],
    ['an operation twice', { operations: [GrantOperation.DECRYPT, GrantOperation.DECRYPT] }, /operations: Decrypt given twice/],
    ['both constraints', { encryptionContextEquals: { a: 'b' }, encryptionContextSubset: { a: 'b' } }, /encryptionContextEquals and encryptionContextSubset are both set; give one of them/],
    ['an empty constraint', { encryptionContextSubset: {} }, /encryptionContextSubset has 1 to 8 pairs, got 0/],
    ['too many pairs', { encryptionContextEquals: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'])) }, /encryptionContextEquals has 1 to 8 pairs, got 9/],
    ['a value too long', { encryptionContextEquals: { k: 'v'.repeat(385) } }, /the value of 'k' has at most 384 characters, got 385/],
    ['a constraint on an operation without encryption context', { operations: [GrantOperation.SIGN], encryptionContextEquals: { a: 'b' } }, /an encryption-context constraint cannot hold Sign/],
    ['a bad name', { grantName: 'my grant' }, /grantName has 1 to 256 characters of a-z A-Z 0-9 : \/ _ -, got 'my grant'/],
    ['anyone as grantee', { grantee: new iam.AnyPrincipal() }, /grantee must be one IAM principal or AWS service principal, got \{"AWS":\["\*"\]\}/],
    ['an AWS managed key', { key: undefined }, /'alias\/aws\/ebs' is an AWS managed key/],
    ['an alias ARN', { key: 'alias-arn' as any }, /an alias ARN does not name a key across accounts/],
  ])('%s', (_name, props, message) => {
    const stack = newStack();
    const key = props.key === undefined && 'key' in props ? kms.Alias.fromAliasName(stack, 'Ebs', 'alias/aws/ebs')
      : props.key === ('alias-arn' as any) ? kms.Key.fromKeyArn(stack, 'Alias', 'arn:aws:kms:eu-west-1:111111111111:alias/app')
        : kms.Key.fromKeyArn(stack, 'Key', KEY_ARN);
    expect(() => new KeyGrant(stack, 'Grant', { grantee, operations: [GrantOperation.DECRYPT], ...props, key } as KeyGrantProps)).toThrow(message);
  });
});

describe('snapshot and AMI shares: bad input', () => {
  test.each<[string, Partial<SnapshotShareProps>, RegExp]>([
    ['a snapshot id without snap-', { snapshotId: '0123456789abcdef0' }, /^Stack\/Share: snapshotId is 'snap-' followed by 8 or 17 lowercase hex digits, got '0123456789abcdef0'$/],
    ['a snapshot id of 10 hex digits', { snapshotId: 'snap-0123456789' }, /got 'snap-0123456789'/],
    ['an AMI id as snapshot id', { snapshotId: 'ami-0123456789abcdef0' }, /got 'ami-0123456789abcdef0'/],
    ['a malformed account', { accountIds: ['2222'] }, /accountIds: an account id has exactly 12 digits, got '2222'/],
    ['the own account', { accountIds: [OWNER] }, /accountIds: '111111111111' is the key's own account/],
    ['an account twice', { accountIds: ['222222222222', '222222222222'] }, /account '222222222222' is given twice/],
    ['no account', { accountIds: [] }, /accountIds: give at least one account/],
  ])('SnapshotShare: %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new SnapshotShare(stack, 'Share', { snapshotId: 'snap-0123456789abcdef0', accountIds: ['222222222222'], ...props })).toThrow(message);
  });

  test('SnapshotShare with an AWS managed key', () => {
    const stack = newStack();
    expect(() => new SnapshotShare(stack, 'Share', {
      snapshotId: 'snap-01234567', accountIds: ['222222222222'], encryptionKey: kms.Alias.fromAliasName(stack, 'Ebs', 'alias/aws/ebs'),
    })).toThrow(/encryption key 'alias\/aws\/ebs' is an AWS managed key: what it encrypts cannot be shared with other accounts/);
  });

  test('SnapshotShare with a key that is not a CustomerManagedKey', () => {
    const stack = newStack();
    expect(() => new SnapshotShare(stack, 'Share', {
      snapshotId: 'snap-01234567', accountIds: ['222222222222'], encryptionKey: new kms.Key(stack, 'Plain'),
    })).toThrow(/encryption key Stack\/Plain is not a CustomerManagedKey of this app/);
  });

  test.each<[string, Partial<AmiShareProps>, RegExp]>([
    ['an AMI id without ami-', { imageId: 'snap-0123456789abcdef0' }, /imageId is 'ami-' followed by 8 or 17 lowercase hex digits, got 'snap-0123456789abcdef0'/],
    ['an AMI id in capitals', { imageId: 'ami-0123456789ABCDEF0' }, /got 'ami-0123456789ABCDEF0'/],
    ['nobody to share with', { accountIds: [] }, /give at least one of accountIds, organizationArns, organizationalUnitArns/],
    ['an organization id instead of an ARN', { organizationArns: ['o-abcdefghij'] }, /an organization ARN looks like .*got 'o-abcdefghij'/],
    ['an OU ARN as organization', { organizationArns: ['arn:aws:organizations::999999999999:ou/o-abcdefghij/ou-ab12-cdefgh34'] }, /an organization ARN looks like/],
    ['a malformed OU ARN', { organizationalUnitArns: ['ou-ab12-cdefgh34'] }, /an organizational unit ARN looks like .*got 'ou-ab12-cdefgh34'/],
    ['an organization twice', { organizationArns: ['arn:aws:organizations::999999999999:organization/o-abcdefghij', 'arn:aws:organizations::999999999999:organization/o-abcdefghij'] }, /organizationArns: '.*' is given twice/],
    ['the own account', { accountIds: [OWNER] }, /'111111111111' is the key's own account/],
  ])('AmiShare: %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new AmiShare(stack, 'Share', { imageId: 'ami-0123456789abcdef0', accountIds: ['222222222222'], ...props })).toThrow(message);
  });

  test('AmiShare with keys and organizational units', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key');
    expect(() => new AmiShare(stack, 'Share', {
      imageId: 'ami-01234567',
      organizationalUnitArns: ['arn:aws:organizations::999999999999:ou/o-abcdefghij/ou-ab12-cdefgh34'],
      encryptionKeys: [key],
    })).toThrow(/encryptionKeys cannot be shared with organizational units by this construct/);
  });
});
