import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AmiShare,
  CustomerManagedKey,
  CustomerManagedKeyProps,
  EbsSharedKeyAccess,
  GrantOperation,
  ImportedKeyRing,
  KeyAdminPolicy,
  KeyArnPublication,
  KeyDeletionAlarm,
  KeyGrant,
  KeyOrigin,
  KeyPerimeter,
  KeyUserPolicy,
  ReplicaKey,
  ServicePreset,
  ServiceVia,
  SharingTargets,
  SnapshotShare,
  SseKmsReplication,
  SseKmsReplicationDestinationAccess,
} from '../../src';
import { withPath } from '../../src/private/validation';

/**
 * A census of bad input: every construct and method of the library, each refused at synth with one
 * message that names the construct path, the value received and what is allowed. And tricky inputs
 * that are valid (boundaries, deploy-time values) and must synthesize as asked.
 *
 * Each case builds in a fresh small app; only the valid cases synthesize their stack.
 */

const OWNER = '111111111111';
const OTHER = '222222222222';
const KEY_ARN = `arn:aws:kms:eu-west-1:${OTHER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function newStack(region = 'eu-west-1', account = OWNER, app = new App(), id = 'Stack'): Stack {
  return new Stack(app, id, { env: { account, region } });
}

function key(props: CustomerManagedKeyProps = {}, stack = newStack()): CustomerManagedKey {
  return new CustomerManagedKey(stack, 'Key', props);
}

function role(stack: Stack, id = 'R'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

/** Untyped input, as plain JavaScript passes it. */
function untyped<T>(value: unknown): T {
  return value as T;
}

function versionedBucket(stack: Stack, id: string, encryptionKey?: kms.IKey): s3.Bucket {
  return new s3.Bucket(stack, id, {
    versioned: true,
    ...(encryptionKey ? { encryption: s3.BucketEncryption.KMS, encryptionKey } : {}),
  });
}

interface ReplicationSetup {
  readonly stack: Stack;
  readonly source: s3.Bucket;
  readonly sourceKey: CustomerManagedKey;
  readonly destination: s3.Bucket;
  readonly destinationKey: CustomerManagedKey;
}

function replicationSetup(): ReplicationSetup {
  const stack = newStack('eu-west-1', OWNER, new App(), 'Source');
  const sourceKey = new CustomerManagedKey(stack, 'SourceKey');
  const destinationKey = new CustomerManagedKey(stack, 'DestinationKey');
  return {
    stack,
    sourceKey,
    destinationKey,
    source: versionedBucket(stack, 'SourceBucket', sourceKey),
    destination: versionedBucket(stack, 'DestinationBucket', destinationKey),
  };
}

function multiRegionPrimary(): CustomerManagedKey {
  return new CustomerManagedKey(newStack('eu-west-1', OWNER, new App(), 'Keys'), 'Key', { multiRegion: true });
}

function cfnNumber(stack: Stack, id: string): number {
  return new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
}

type Case = [name: string, make: () => unknown, path: string, value: string, allowed: string];

const ALLOWED_IAM_NAME_CHARS = 'a-z A-Z 0-9 _ + = , . @ -';
const ALLOWED_PRINCIPAL = 'the ARN of an IAM role, user or account root of a 12-digit account';

const KEY_CASES: Case[] = [
  ['admin ArnPrincipal of a 5-digit account', () => key({ admins: [new iam.ArnPrincipal('arn:aws:iam::12345:role/admin')] }), 'Stack/Key', "'12345'", 'exactly 12 digits'],
  ['user ArnPrincipal of a 13-digit account', () => key({ users: [new iam.ArnPrincipal('arn:aws:iam::1234567890123:role/app')] }), 'Stack/Key', "'1234567890123'", 'exactly 12 digits'],
  ['user role name with a space', () => key({ users: [new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/my role`)] }), 'Stack/Key', "'arn:aws:iam::222222222222:role/my role'", ALLOWED_PRINCIPAL],
  ['user role name of 65 characters', () => key({ users: [new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/${'r'.repeat(65)}`)] }), 'Stack/Key', `role/${'r'.repeat(65)}'`, 'names of 1 to 64 characters'],
  ['policy manager in an unknown partition', () => key({ keyPolicyManagers: [new iam.ArnPrincipal(`arn:aws-mars:iam::${OTHER}:role/deployer`)] }), 'Stack/Key', "'aws-mars'", 'aws, aws-cn, aws-us-gov'],
  ['admin of a malformed ARN', () => key({ admins: [new iam.ArnPrincipal('arn:aws:iam:eu-west-1:222222222222:role/x')] }), 'Stack/Key', "'arn:aws:iam:eu-west-1:222222222222:role/x'", ALLOWED_PRINCIPAL],
  ['admin as an account principal of 4 digits', () => key({ admins: [new iam.AccountPrincipal('1234')] }), 'Stack/Key', "'1234'", 'exactly 12 digits'],
  ['admin imported from a role ARN with a bad account', () => {
    const stack = newStack();
    return key({ admins: [iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::2222:role/admins')] }, stack);
  }, 'Stack/Key', "'2222'", 'exactly 12 digits'],
  ['admin given as an ARN string (untyped)', () => key({ admins: untyped([`arn:aws:iam::${OTHER}:role/admin`]) }), 'Stack/Key', "'arn:aws:iam::222222222222:role/admin'", 'iam.IPrincipal'],
  ['admins not a list (untyped)', () => key({ admins: untyped(new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/a`)) }), 'Stack/Key', 'arn:aws:iam::222222222222:role/a', 'admins must be a list'],
  ['aliases as one string (untyped)', () => key({ aliases: untyped('alias/app/data') }), 'Stack/Key', "'alias/app/data'", 'aliases must be a list'],
  ['an alias that is a number (untyped)', () => key({ aliases: untyped([42]) }), 'Stack/Key', '42', "a string 'alias/<name>'"],
  ['unknown accountRootAccess (untyped)', () => key({ accountRootAccess: untyped('PARTIAL') }), 'Stack/Key', "'PARTIAL'", 'ADMINISTRATION, FULL_DELEGATION, NONE'],
  ['unknown origin (untyped)', () => key({ origin: untyped('AWS_CLOUDHSM') }), 'Stack/Key', "'AWS_CLOUDHSM'", 'AWS_KMS, EXTERNAL'],
  ['unknown keyUsage (untyped)', () => key({ keyUsage: untyped('ENCRYPT') }), 'Stack/Key', "'ENCRYPT'", 'ENCRYPT_DECRYPT, SIGN_VERIFY'],
  ['unknown keySpec (untyped)', () => key({ keySpec: untyped('AES_256') }), 'Stack/Key', "'AES_256'", 'SYMMETRIC_DEFAULT'],
  ['removal policy in the wrong case (untyped)', () => key({ removalPolicy: untyped('DELETE') }), 'Stack/Key', "'DELETE'", 'destroy, retain'],
  ['props that are not an object (untyped)', () => new CustomerManagedKey(newStack(), 'Key', untyped('alias/app')), 'Stack/Key', "'alias/app'", 'props must be an object'],
  ['rotation period as a number (untyped)', () => key({ rotationPeriod: untyped(180) }), 'Stack/Key', '180', 'Duration.days(n)'],
  ['rotation period of 89 days', () => key({ rotationPeriod: Duration.days(89) }), 'Stack/Key', '89 days', 'from 90 to 2560'],
  ['rotation period of 2,561 days', () => key({ rotationPeriod: Duration.days(2561) }), 'Stack/Key', '2561 days', 'from 90 to 2560'],
  ['rotation period of 100.5 days', () => key({ rotationPeriod: Duration.hours(2412) }), 'Stack/Key', '100 days 12 hours', 'whole number of days'],
  ['rotation period from a parameter in seconds', () => {
    const stack = newStack();
    return key({ rotationPeriod: Duration.seconds(cfnNumber(stack, 'Period')) }, stack);
  }, 'Stack/Key', 'Duration.seconds(', 'given in days (Duration.days(parameter.valueAsNumber))'],
  ['pending window from a parameter in hours', () => {
    const stack = newStack();
    return key({ pendingWindow: Duration.hours(cfnNumber(stack, 'Window')) }, stack);
  }, 'Stack/Key', 'Duration.hours(', 'given in days'],
  ['pending window of 6 days', () => key({ pendingWindow: Duration.days(6) }), 'Stack/Key', '6 days', 'from 7 to 30'],
  ['pending window of 31 days', () => key({ pendingWindow: Duration.days(31) }), 'Stack/Key', '31 days', 'from 7 to 30'],
  ['rotation on an HMAC key', () => key({ keySpec: kms.KeySpec.HMAC_256, enableKeyRotation: true }), 'Stack/Key', 'HMAC_256', 'only for SYMMETRIC_DEFAULT keys'],
  ['rotation of imported key material', () => key({ origin: KeyOrigin.EXTERNAL, enableKeyRotation: true }), 'Stack/Key', 'origin EXTERNAL', 'rotate it in place'],
  ['usage the spec does not allow', () => key({ keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT }), 'Stack/Key', 'ENCRYPT_DECRYPT', 'allowed: SIGN_VERIFY, KEY_AGREEMENT'],
  ['SM2 outside China', () => key({ keySpec: kms.KeySpec.SM2 }), 'Stack/Key', 'eu-west-1', 'China Regions (cn-*)'],
  ['ML-DSA with imported material', () => key({ keySpec: kms.KeySpec.ML_DSA_44, origin: KeyOrigin.EXTERNAL }), 'Stack/Key', 'ML_DSA_44', 'cannot hold imported key material'],
  ['alias with a space', () => key({ aliases: ['alias/my key'] }), 'Stack/Key', "'alias/my key'", 'a-z A-Z 0-9 / _ -'],
  ['alias with an exclamation mark', () => key({ aliases: ['alias/data!'] }), 'Stack/Key', "'alias/data!'", 'a-z A-Z 0-9 / _ -'],
  ['alias of 257 characters', () => key({ aliases: [`alias/${'a'.repeat(251)}`] }), 'Stack/Key', `'alias/${'a'.repeat(251)}'`, '1 to 250 characters'],
  ['reserved alias in capitals', () => key({ aliases: ['alias/AWS/s3'] }), 'Stack/Key', "'alias/AWS/s3'", "must not start with 'alias/aws/'"],
  ['two keys of one stack with the same alias', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'First', { aliases: ['alias/app/data'] });
    return new CustomerManagedKey(stack, 'Second', { aliases: ['app/data'] });
  }, 'Stack/Second', "'alias/app/data'", 'unique in an account and region'],
  ['two stacks of one environment with the same alias', () => {
    const app = new App();
    new CustomerManagedKey(newStack('eu-west-1', OWNER, app, 'A'), 'Key', { aliases: ['alias/shared'] });
    return new CustomerManagedKey(newStack('eu-west-1', OWNER, app, 'B'), 'Key', { aliases: ['alias/shared'] });
  }, 'B/Key', "'alias/shared'", 'account 111111111111 and region eu-west-1 by A/Key'],
  ['addAlias of an alias another key holds', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'First', { aliases: ['alias/orders'] });
    return new CustomerManagedKey(stack, 'Second').addAlias('orders');
  }, 'Stack/Second', "'alias/orders'", 'a name no other key of the app has there'],
  ['addAlias with a colon', () => key().addAlias('alias/app:data'), 'Stack/Key', "'alias/app:data'", 'a-z A-Z 0-9 / _ -'],
  ['description of 8,193 characters', () => key({ description: 'd'.repeat(8193) }), 'Stack/Key', 'got 8193', 'at most 8192 characters'],
  ['description that is not a string (untyped)', () => key({ description: untyped({ text: 'x' }) }), 'Stack/Key', '{"text":"x"}', 'a string of at most 8192 characters'],
  ['tag key with aws: prefix', () => key({ tags: { 'AWS:team': 'x' } }), 'Stack/Key', "'AWS:team'", "must not start with 'aws:'"],
  ['tag value of 257 characters', () => key({ tags: { team: 't'.repeat(257) } }), 'Stack/Key', 'got 257', 'at most 256 characters'],
  ['SNAPSHOT removal policy', () => key({ removalPolicy: RemovalPolicy.SNAPSHOT }), 'Stack/Key', 'SNAPSHOT', 'allowed: RETAIN'],
  ['a service as admin', () => key({ admins: [new iam.ServicePrincipal('ec2.amazonaws.com')] }), 'Stack/Key', 'ec2.amazonaws.com', 'IAM principals (roles, users, accounts)'],
  ['anyone as user', () => key({ users: [new iam.AnyPrincipal()] }), 'Stack/Key', "'*'", 'named IAM principals'],
  ['grant of kms:*', () => {
    const k = key();
    return k.grant(role(Stack.of(k)), 'kms:*');
  }, 'Stack/Key', "'kms:*'", 'kms:<Action>'],
  ['grant of *', () => {
    const k = key();
    return k.grant(role(Stack.of(k)), '*');
  }, 'Stack/Key', "'*'", 'kms:<Action>'],
  ['grantSign on a symmetric key', () => {
    const k = key();
    return k.grantSign(role(Stack.of(k)));
  }, 'Stack/Key', 'SYMMETRIC_DEFAULT key with usage ENCRYPT_DECRYPT', 'needs a key with usage SIGN_VERIFY'],
  ['grantEncrypt on an HMAC key', () => {
    const k = key({ keySpec: kms.KeySpec.HMAC_384 });
    return k.grantEncrypt(role(Stack.of(k)));
  }, 'Stack/Key', 'HMAC_384', 'needs a key with usage ENCRYPT_DECRYPT'],
  ['imported material rotation on a KMS-generated key', () => {
    const k = key();
    return k.grantImportedKeyMaterialRotation(role(Stack.of(k)));
  }, 'Stack/Key', 'origin AWS_KMS', 'needs a key with origin EXTERNAL'],
  ['imported material rotation in place on an HMAC key', () => {
    const k = key({ keySpec: kms.KeySpec.HMAC_256, origin: KeyOrigin.EXTERNAL });
    return k.grantImportedKeyMaterialRotation(role(Stack.of(k)));
  }, 'Stack/Key', 'keySpec HMAC_256', 'only in SYMMETRIC_DEFAULT keys'],
];

const SHARING_CASES: Case[] = [
  ['snapshot copy with a 13-digit account', () => key().shareForSnapshotCopy(SharingTargets.accounts(['2222222222222'])), 'Stack/Key', "'2222222222222'", 'exactly 12 digits'],
  ['snapshot copy with an account as a number (untyped)', () => key().shareForSnapshotCopy(SharingTargets.accounts(untyped([222222222222]))), 'Stack/Key', '222222222222', 'a string of exactly 12 digits'],
  ['snapshot copy with accounts as one string (untyped)', () => key().shareForSnapshotCopy(SharingTargets.accounts(untyped(OTHER))), 'Stack/Key', "'222222222222'", 'give a list of targets'],
  ['AMI launch to principals as one string (untyped)', () => key().shareForAmiLaunch(SharingTargets.principals(untyped(`arn:aws:iam::${OTHER}:role/l`))), 'Stack/Key', "'arn:aws:iam::222222222222:role/l'", 'give a list of targets'],
  ['snapshot copy to a role name with a space', () => key().shareForSnapshotCopy(SharingTargets.principals([`arn:aws:iam::${OTHER}:role/copy role`])), 'Stack/Key', "'arn:aws:iam::222222222222:role/copy role'", ALLOWED_PRINCIPAL],
  ['snapshot copy to a principal of a 10-digit account', () => key().shareForSnapshotCopy(SharingTargets.principals(['arn:aws:iam::2222222222:role/copier'])), 'Stack/Key', "'2222222222'", 'exactly 12 digits'],
  ['AMI launch to a principal of another partition spelling', () => key().shareForAmiLaunch(SharingTargets.principals([`arn:aws-x:iam::${OTHER}:role/launcher`])), 'Stack/Key', "'aws-x'", 'aws, aws-cn'],
  ['AMI launch to an organization id of 9 characters', () => key().shareForAmiLaunch(SharingTargets.organization('o-abcdefg')), 'Stack/Key', "'o-abcdefg'", "'o-' followed by 10 to 32 lowercase letters or digits"],
  ['AMI launch to a group ARN', () => key().shareForAmiLaunch(SharingTargets.principals([`arn:aws:iam::${OTHER}:group/launchers`])), 'Stack/Key', "'arn:aws:iam::222222222222:group/launchers'", ALLOWED_PRINCIPAL],
  ['snapshot copy with a symmetric-only purpose on an RSA key', () => key({ keySpec: kms.KeySpec.RSA_2048 }).shareForSnapshotCopy(SharingTargets.accounts([OTHER])), 'Stack/Key', 'RSA_2048', 'only with symmetric encryption keys'],
  ['EBS access to a key of another partition', () => new EbsSharedKeyAccess(newStack('eu-west-1', OTHER, new App(), 'Target'), 'Access', {
    keyArn: `arn:aws-cn:kms:cn-north-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  }), 'Target/Access', "'arn:aws-cn:kms:cn-north-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'", 'a key of partition aws'],
  ['EBS access to a key ARN whose partition is not its region\'s', () => new EbsSharedKeyAccess(newStack('eu-west-1', OTHER, new App(), 'Target'), 'Access', {
    keyArn: `arn:aws-cn:kms:eu-west-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  }), 'Target/Access', 'in partition aws-cn', "the region's own partition"],
  ['EBS access to a key ARN of an unknown partition', () => new EbsSharedKeyAccess(newStack('eu-west-1', OTHER, new App(), 'Target'), 'Access', {
    keyArn: `arn:aws-moon:kms:eu-west-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  }), 'Target/Access', "'aws-moon'", 'aws, aws-cn, aws-us-gov'],
  ['EBS access for an unknown purpose (untyped)', () => new EbsSharedKeyAccess(newStack('eu-west-1', OTHER, new App(), 'Target'), 'Access', {
    keyArn: KEY_ARN.replace(OTHER, OWNER), purposes: untyped(['COPY']),
  }), 'Target/Access', "'COPY'", 'SNAPSHOT_COPY, AMI_LAUNCH'],
  ['EBS access with a managed policy name with a space', () => new EbsSharedKeyAccess(newStack('eu-west-1', OTHER, new App(), 'Target'), 'Access', {
    keyArn: KEY_ARN.replace(OTHER, OWNER), managedPolicyName: 'ebs shared key',
  }), 'Target/Access', "'ebs shared key'", ALLOWED_IAM_NAME_CHARS],
  ['EBS access attached to a role of another account', () => {
    const stack = newStack('eu-west-1', OTHER, new App(), 'Target');
    return new EbsSharedKeyAccess(stack, 'Access', {
      keyArn: KEY_ARN.replace(OTHER, OWNER),
      roles: [iam.Role.fromRoleArn(stack, 'Elsewhere', 'arn:aws:iam::333333333333:role/copier')],
    });
  }, 'Target/Access', 'of account 333333333333', "of this stack's account 222222222222"],
  ['EBS access with a malformed key ARN', () => new EbsSharedKeyAccess(newStack('eu-west-1', OTHER, new App(), 'Target'), 'Access', { keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/xyz' }),
    'Target/Access', "'arn:aws:kms:eu-west-1:111111111111:key/xyz'", "a key ARN looks like 'arn:aws:kms:<region>:<12-digit account>:key/<key id>'"],
  ['snapshot share without a snapshot id (untyped)', () => new SnapshotShare(newStack(), 'Share', untyped({ accountIds: [OTHER] })), 'Stack/Share', 'nothing (undefined)', "snapshotId is required: give the id of the EBS snapshot ('snap-'"],
  ['snapshot share with accounts as a string (untyped)', () => new SnapshotShare(newStack(), 'Share', { snapshotId: 'snap-01234567', accountIds: untyped(OTHER) }), 'Stack/Share', "'222222222222'", 'accountIds must be a list'],
  ['snapshot share with an 11-digit account', () => new SnapshotShare(newStack(), 'Share', { snapshotId: 'snap-01234567', accountIds: ['22222222222'] }), 'Stack/Share', "'22222222222'", 'exactly 12 digits'],
  ['snapshot share of an id with capitals', () => new SnapshotShare(newStack(), 'Share', { snapshotId: 'snap-0123ABCD', accountIds: [OTHER] }), 'Stack/Share', "'snap-0123ABCD'", "'snap-' followed by 8 or 17 lowercase hex digits"],
  ['AMI share without an image id (untyped)', () => new AmiShare(newStack(), 'Share', untyped({ accountIds: [OTHER] })), 'Stack/Share', 'nothing (undefined)', "imageId is required: give the id of the AMI ('ami-'"],
  ['AMI share of an id of 9 hex digits', () => new AmiShare(newStack(), 'Share', { imageId: 'ami-012345678', accountIds: [OTHER] }), 'Stack/Share', "'ami-012345678'", "'ami-' followed by 8 or 17 lowercase hex digits"],
  ['AMI share with a malformed OU ARN', () => new AmiShare(newStack(), 'Share', { imageId: 'ami-01234567', organizationalUnitArns: ['arn:aws:organizations::999999999999:ou/o-abcdefghij/ou-1'] }),
    'Stack/Share', "'arn:aws:organizations::999999999999:ou/o-abcdefghij/ou-1'", 'an organizational unit ARN looks like'],
  ['AMI share with an organization ARN of an 11-digit account', () => new AmiShare(newStack(), 'Share', { imageId: 'ami-01234567', organizationArns: ['arn:aws:organizations::99999999999:organization/o-abcdefghij'] }),
    'Stack/Share', "'arn:aws:organizations::99999999999:organization/o-abcdefghij'", 'an organization ARN looks like'],
];

function grantIn(stack: Stack, props: Partial<ConstructorParameters<typeof KeyGrant>[2]>): KeyGrant {
  return new KeyGrant(stack, 'Grant', {
    key: kms.Key.fromKeyArn(stack, 'Shared', KEY_ARN.replace(OTHER, OWNER)),
    grantee: new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/consumer`),
    operations: [GrantOperation.DECRYPT],
    ...props,
  });
}

function grantOn(spec: kms.KeySpec, operations: GrantOperation[], usage?: kms.KeyUsage): () => KeyGrant {
  return () => {
    const stack = newStack();
    const k = new CustomerManagedKey(stack, 'Key', { keySpec: spec, keyUsage: usage });
    return new KeyGrant(stack, 'Grant', { key: k, grantee: new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/consumer`), operations });
  };
}

const GRANT_CASES: Case[] = [
  ['grantee of a 4-digit account', () => grantIn(newStack(), { grantee: new iam.ArnPrincipal('arn:aws:iam::1234:role/consumer') }), 'Stack/Grant', "'1234'", 'exactly 12 digits'],
  ['grantee role name with a space', () => grantIn(newStack(), { grantee: new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/the consumer`) }), 'Stack/Grant', "'arn:aws:iam::222222222222:role/the consumer'", ALLOWED_PRINCIPAL],
  ['retiring principal of an unknown partition', () => grantIn(newStack(), { retiringPrincipal: new iam.ArnPrincipal(`arn:azure:iam::${OTHER}:role/retirer`) }), 'Stack/Grant', "'azure'", 'aws, aws-cn'],
  ['SIGN on a symmetric key', grantOn(kms.KeySpec.SYMMETRIC_DEFAULT, [GrantOperation.SIGN]), 'Stack/Grant', 'Sign', 'allowed: Decrypt, Encrypt, GenerateDataKey'],
  ['DECRYPT on an HMAC key', grantOn(kms.KeySpec.HMAC_256, [GrantOperation.DECRYPT]), 'Stack/Grant', 'Decrypt', 'allowed: GenerateMac, VerifyMac'],
  ['GENERATE_MAC on a signing RSA key', grantOn(kms.KeySpec.RSA_2048, [GrantOperation.GENERATE_MAC], kms.KeyUsage.SIGN_VERIFY), 'Stack/Grant', 'GenerateMac', 'allowed: Sign, Verify, GetPublicKey'],
  ['GENERATE_DATA_KEY on an RSA encryption key', grantOn(kms.KeySpec.RSA_4096, [GrantOperation.GENERATE_DATA_KEY]), 'Stack/Grant', 'GenerateDataKey', 'allowed: Decrypt, Encrypt, ReEncryptFrom'],
  ['DERIVE_SHARED_SECRET on a signing ECC key', grantOn(kms.KeySpec.ECC_NIST_P384, [GrantOperation.DERIVE_SHARED_SECRET]), 'Stack/Grant', 'DeriveSharedSecret', 'allowed: Sign, Verify'],
  ['VERIFY_MAC on a key-agreement key', grantOn(kms.KeySpec.ECC_NIST_P256, [GrantOperation.VERIFY_MAC], kms.KeyUsage.KEY_AGREEMENT), 'Stack/Grant', 'VerifyMac', 'allowed: DeriveSharedSecret, GetPublicKey'],
  ['an operation named by its enum key (untyped)', () => grantIn(newStack(), { operations: untyped(['DECRYPT']) }), 'Stack/Grant', "'DECRYPT'", 'Decrypt, Encrypt, GenerateDataKey'],
  ['operations as one string (untyped)', () => grantIn(newStack(), { operations: untyped('Decrypt') }), 'Stack/Grant', "'Decrypt'", 'operations must be a list'],
  ['a grant without a grantee (untyped)', () => grantIn(newStack(), { grantee: undefined }), 'Stack/Grant', 'nothing (undefined)', 'grantee is required: give an iam.IPrincipal'],
  ['a grant without a key (untyped)', () => grantIn(newStack(), { key: undefined }), 'Stack/Grant', 'nothing (undefined)', 'key is required: give a kms.IKey'],
  ['a grantee given as an ARN string (untyped)', () => grantIn(newStack(), { grantee: untyped(`arn:aws:iam::${OTHER}:role/x`) }), 'Stack/Grant', "'arn:aws:iam::222222222222:role/x'", 'one IAM principal or AWS service principal (iam.IPrincipal)'],
  ['a grant name with a dot', () => grantIn(newStack(), { grantName: 'orders.grant' }), 'Stack/Grant', "'orders.grant'", 'a-z A-Z 0-9 : / _ -'],
  ['SIGN on a replica of a symmetric key', () => {
    const primary = multiRegionPrimary();
    const [replica] = ReplicaKey.replicate(primary, { regions: ['us-east-1'] });
    return new KeyGrant(Stack.of(replica), 'Grant', { key: replica, grantee: new iam.ArnPrincipal(`arn:aws:iam::${OTHER}:role/c`), operations: [GrantOperation.SIGN] });
  }, 'Keys-us-east-1/Grant', 'Sign', 'allowed: Decrypt, Encrypt'],
];

function userPolicy(props: Partial<ConstructorParameters<typeof KeyUserPolicy>[2]>, stack = newStack()): KeyUserPolicy {
  return new KeyUserPolicy(stack, 'Policy', { key: new CustomerManagedKey(stack, 'Key'), ...props });
}

const IDENTITY_POLICY_CASES: Case[] = [
  ['user policy name with spaces', () => userPolicy({ managedPolicyName: 'use orders key' }), 'Stack/Policy', "'use orders key'", ALLOWED_IAM_NAME_CHARS],
  ['user policy name of 129 characters', () => userPolicy({ managedPolicyName: 'p'.repeat(129) }), 'Stack/Policy', `'${'p'.repeat(129)}'`, '1 to 128 characters'],
  ['admin policy name with a slash', () => {
    const stack = newStack();
    return new KeyAdminPolicy(stack, 'Policy', { key: new CustomerManagedKey(stack, 'Key'), managedPolicyName: 'keys/admin' });
  }, 'Stack/Policy', "'keys/admin'", ALLOWED_IAM_NAME_CHARS],
  ['user policy keySpec that is not the key\'s', () => userPolicy({ keySpec: kms.KeySpec.HMAC_256 }), 'Stack/Policy', "'HMAC_256'", "the key's own (SYMMETRIC_DEFAULT"],
  ['user policy keyUsage that is not the key\'s', () => {
    const stack = newStack();
    return new KeyUserPolicy(stack, 'Policy', { key: new CustomerManagedKey(stack, 'Key', { keySpec: kms.KeySpec.RSA_2048 }), keyUsage: kms.KeyUsage.SIGN_VERIFY });
  }, 'Stack/Policy', "'SIGN_VERIFY'", "the key's own (ENCRYPT_DECRYPT"],
  ['user policy of an unknown key spec (untyped)', () => userPolicy({ keySpec: untyped('RSA_1024') }), 'Stack/Policy', "'RSA_1024'", 'SYMMETRIC_DEFAULT, RSA_2048'],
  ['user policy attached to a role of another account', () => {
    const stack = newStack();
    return userPolicy({ roles: [iam.Role.fromRoleArn(stack, 'Partner', `arn:aws:iam::${OTHER}:role/consumer`)] }, stack);
  }, 'Stack/Policy', 'of account 222222222222', "of this stack's account 111111111111"],
  ['user policy attached to a role of another stack\'s account', () => {
    const app = new App();
    const stack = newStack('eu-west-1', OWNER, app);
    const partner = newStack('eu-west-1', OTHER, app, 'Partner');
    return userPolicy({ roles: [role(partner, 'Consumer')] }, stack);
  }, 'Stack/Policy', 'Partner/Consumer of account 222222222222', "of this stack's account 111111111111"],
  ['admin policy attached to a user of another account', () => {
    const stack = newStack();
    return new KeyAdminPolicy(stack, 'Policy', {
      key: new CustomerManagedKey(stack, 'Key'),
      users: [iam.User.fromUserArn(stack, 'Partner', `arn:aws:iam::${OTHER}:user/ops`)],
    });
  }, 'Stack/Policy', 'of account 222222222222', "of this stack's account 111111111111"],
  ['admin policy of an unknown origin (untyped)', () => {
    const stack = newStack();
    return new KeyAdminPolicy(stack, 'Policy', { key: new CustomerManagedKey(stack, 'Key'), origin: untyped('EXTERNAL_KEY_STORE') });
  }, 'Stack/Policy', "'EXTERNAL_KEY_STORE'", 'AWS_KMS, EXTERNAL'],
  ['user policy without a key (untyped)', () => new KeyUserPolicy(newStack(), 'Policy', untyped({})), 'Stack/Policy', 'nothing (undefined)', 'key is required: give a kms.IKey'],
  ['user policy with roles as one role (untyped)', () => {
    const stack = newStack();
    return userPolicy({ roles: untyped('consumer') }, stack);
  }, 'Stack/Policy', "'consumer'", 'roles must be a list'],
];

function replicate(regions: unknown, options: Record<string, unknown> = {}): () => unknown {
  return () => ReplicaKey.replicate(multiRegionPrimary(), { regions: untyped(regions), ...options });
}

const REPLICA_CASES: Case[] = [
  ['replicate into a region that does not exist', replicate(['eu-west-9']), 'Keys/Key', "'eu-west-9'", 'known: af-south-1'],
  ['replicate into a made-up region', replicate(['mars-north-1']), 'Keys/Key', "'mars-north-1'", 'known: '],
  ['replicate into a region in capitals', replicate(['US-EAST-1']), 'Keys/Key', "'US-EAST-1'", "an AWS region name such as 'eu-west-1'"],
  ['replicate into an availability zone', replicate(['us-east-1a']), 'Keys/Key', "'us-east-1a'", "an AWS region name such as 'eu-west-1'"],
  ['replicate into a region given as a number (untyped)', replicate([1]), 'Keys/Key', 'got 1', "an AWS region name such as 'eu-west-1'"],
  ['replicate with regions as one string (untyped)', replicate('us-east-1'), 'Keys/Key', "'us-east-1'", 'regions must be a list'],
  ['replicate without regions (untyped)', replicate(undefined), 'Keys/Key', 'nothing (undefined)', "regions is required: give a list of region names such as ['us-east-1']"],
  ['replicate with a stack id prefix holding an underscore', replicate(['us-east-1'], { stackIdPrefix: 'data_keys' }), 'Keys/Key', "'data_keys-us-east-1'", 'a letter, then letters, digits and hyphens'],
  ['replicate with a stack id prefix too long for a stack name', replicate(['us-east-1'], { stackIdPrefix: `K${'k'.repeat(120)}` }), 'Keys/Key', `K${'k'.repeat(120)}-us-east-1`, 'at most 128 characters'],
  ['replicate with a stack id prefix starting with a digit', replicate(['us-east-1'], { stackIdPrefix: '1keys' }), 'Keys/Key', "'1keys-us-east-1'", 'a letter, then letters, digits and hyphens'],
  ['replicate with a pending window of 45 days', replicate(['us-east-1'], { pendingWindow: Duration.days(45) }), 'Keys-us-east-1/Key', '45 days', 'from 7 to 30'],
  ['replicate with an alias of the reserved prefix', replicate(['us-east-1'], { aliases: ['alias/aws/ebs'] }), 'Keys-us-east-1/Key', "'alias/aws/ebs'", "must not start with 'alias/aws/'"],
  ['a replica without a primary key (untyped)', () => new ReplicaKey(newStack('us-east-1'), 'Replica', untyped({})), 'Stack/Replica', 'nothing (undefined)', 'primaryKey is required: give a multi-Region CustomerManagedKey'],
  ['a replica of a plain kms.Key', () => {
    const app = new App();
    const primary = new kms.Key(newStack('eu-west-1', OWNER, app, 'Keys'), 'Plain', { multiRegion: true });
    return new ReplicaKey(newStack('us-east-1', OWNER, app, 'Replicas'), 'Replica', { primaryKey: primary, primaryKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab' });
  }, 'Replicas/Replica', 'Keys/Plain', 'a CustomerManagedKey of this app with multiRegion: true'],
  ['a replica in a stack of an unknown region', () => {
    const app = new App();
    const primary = new CustomerManagedKey(newStack('eu-west-1', OWNER, app, 'Keys'), 'Key', { multiRegion: true });
    return new ReplicaKey(newStack('eu-south-7', OWNER, app, 'Replicas'), 'Replica', {
      primaryKey: primary, primaryKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    });
  }, 'Replicas/Replica', "'eu-south-7'", "not a region known to aws-cdk-lib's region facts"],
  ['a replica with an unknown removal policy (untyped)', () => replicate(['us-east-1'], { removalPolicy: 'keep' })(), 'Keys-us-east-1/Key', "'keep'", 'destroy, retain'],
  ['a replica alias another key of its region holds', () => {
    const primary = multiRegionPrimary();
    const app = primary.node.root as App;
    new CustomerManagedKey(newStack('us-east-1', OWNER, app, 'Local'), 'Key', { aliases: ['alias/app/data'] });
    return ReplicaKey.replicate(primary, { regions: ['us-east-1'], aliases: ['alias/app/data'] });
  }, 'Keys-us-east-1/Key', "'alias/app/data'", 'account 111111111111 and region us-east-1 by Local/Key'],
  ['an imported replica of a key ARN that is not multi-Region', () => ReplicaKey.fromReplicaKeyArn(newStack('us-east-1'), 'Imported', KEY_ARN), 'Stack/Imported', `'${KEY_ARN}'`, 'key/mrk-...'],
];

const PRESET_CASES: Case[] = [
  ['trail name with adjacent dashes', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['my--trail'] })), 'Stack/Key', "'my--trail'", 'without two of . _ - in a row'],
  ['trail name with a dash and an underscore together', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['my-_trail'] })), 'Stack/Key', "'my-_trail'", 'without two of . _ - in a row'],
  ['trail name in IP address form', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['192.168.5.4'] })), 'Stack/Key', "'192.168.5.4'", 'not an IP address'],
  ['trail name of 2 characters', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['ab'] })), 'Stack/Key', "'ab'", '3 to 128 characters'],
  ['trail name ending with a dot', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['trail.'] })), 'Stack/Key', "'trail.'", 'ending with a letter or digit'],
  ['trail name of 129 characters', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['t'.repeat(129)] })), 'Stack/Key', `'${'t'.repeat(129)}'`, '3 to 128 characters'],
  ['trail log reader of a 3-digit account', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['org-trail'], logReaders: [new iam.ArnPrincipal('arn:aws:iam::123:role/auditor')] })), 'Stack/Key', "'123'", 'exactly 12 digits'],
  ['a CloudWatch Logs preset without options (untyped)', () => key().addServicePreset(ServicePreset.cloudWatchLogs(untyped(undefined))), 'Stack/Key', 'nothing (undefined)', 'logGroupNames is required: give a list'],
  ['an EventBridge to SNS preset without options (untyped)', () => key().addServicePreset(ServicePreset.eventBridgeToSns(untyped(undefined))), 'Stack/Key', 'nothing (undefined)', 'ruleNames is required: give a list'],
  ['trail names as one string (untyped)', () => key().addServicePreset(ServicePreset.cloudTrail({ trailNames: untyped('org-trail') })), 'Stack/Key', "'org-trail'", 'trailNames is required: give a list'],
  ['FIFO queue name of 80 characters plus .fifo', () => key().addServicePreset(ServicePreset.eventBridgeToSqs({ ruleNames: ['r'], queueNames: [`${'q'.repeat(80)}.fifo`] })), 'Stack/Key', `'${'q'.repeat(80)}.fifo'`, '1 to 80 characters, .fifo included'],
  ['queue name of 81 characters', () => key().addServicePreset(ServicePreset.snsToSqs({ topicNames: ['t'], queueNames: ['q'.repeat(81)] })), 'Stack/Key', `'${'q'.repeat(81)}'`, '1 to 80 characters'],
  ['queue name with a dot', () => key().addServicePreset(ServicePreset.snsToSqs({ topicNames: ['t'], queueNames: ['orders.queue'] })), 'Stack/Key', "'orders.queue'", 'a-z A-Z 0-9 _ -'],
  ['FIFO topic name of 257 characters with .fifo', () => key().addServicePreset(ServicePreset.snsToSqs({ topicNames: [`${'t'.repeat(252)}.fifo`], queueNames: ['q'] })), 'Stack/Key', `'${'t'.repeat(252)}.fifo'`, '1 to 256 characters, .fifo included'],
  ['topic name with a space', () => key().addServicePreset(ServicePreset.eventBridgeToSns({ ruleNames: ['r'], topicNames: ['key alarms'] })), 'Stack/Key', "'key alarms'", 'a-z A-Z 0-9 _ -'],
  ['EventBridge rule name with a slash', () => key().addServicePreset(ServicePreset.eventBridgeToSns({ ruleNames: ['team/rule'], topicNames: ['t'] })), 'Stack/Key', "'team/rule'", 'rule names of 1 to 64 characters'],
  ['EventBridge rule name of 65 characters', () => key().addServicePreset(ServicePreset.eventBridgeToSqs({ ruleNames: ['r'.repeat(65)], queueNames: ['q'] })), 'Stack/Key', `'${'r'.repeat(65)}'`, 'rule names of 1 to 64 characters'],
  ['EventBridge bus name with a space', () => key().addServicePreset(ServicePreset.eventBridgeToSqs({ ruleNames: ['r'], eventBusName: 'my bus', queueNames: ['q'] })), 'Stack/Key', "'my bus'", '1 to 256 characters of a-z A-Z 0-9 / . - _'],
  ['log group name with a space', () => key().addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app/my logs'] })), 'Stack/Key', "'/app/my logs'", 'log group names of 1 to 512 characters'],
  ['log group name of 513 characters', () => key().addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['l'.repeat(513)] })), 'Stack/Key', `'${'l'.repeat(513)}'`, 'log group names of 1 to 512 characters'],
  ['use through S3 by a role of a 6-digit account', () => key().allowUseVia(ServiceVia.s3(), { principals: [new iam.ArnPrincipal('arn:aws:iam::123456:role/app')] }), 'Stack/Key', "'123456'", 'exactly 12 digits'],
  ['use through Lambda by a service principal', () => key().allowUseVia(ServiceVia.lambda(), { principals: [new iam.ServicePrincipal('lambda.amazonaws.com')] }), 'Stack/Key', 'lambda.amazonaws.com', 'IAM principals (roles, users, accounts)'],
  ['use through EC2 by a principal given as a string (untyped)', () => key().allowUseVia(ServiceVia.ec2(), untyped({ principals: ['arn:aws:iam::222222222222:role/app'] })), 'Stack/Key', "'arn:aws:iam::222222222222:role/app'", 'iam.IPrincipal'],
  ['a preset for an HMAC key', () => key({ keySpec: kms.KeySpec.HMAC_256 }).addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app'] })), 'Stack/Key', 'HMAC_256', 'can use only SYMMETRIC_DEFAULT'],
  ['organization perimeter of an organization id with capitals', () => key().addPerimeter(KeyPerimeter.organization('o-Abcdefghij')), 'Stack/Key', "'o-Abcdefghij'", "'o-' and 10 to 32 lowercase letters or digits"],
  ['network perimeter with an endpoint id of 9 hex digits', () => key().addPerimeter(KeyPerimeter.network({ vpcEndpointIds: ['vpce-012345678'] })), 'Stack/Key', "'vpce-012345678'", "'vpce-' and 8 or 17 hexadecimal digits"],
  ['network perimeter with a VPC id in capitals', () => key().addPerimeter(KeyPerimeter.network({ vpcIds: ['vpc-0A1B2C3D'] })), 'Stack/Key', "'vpc-0A1B2C3D'", "'vpc-' and 8 or 17 hexadecimal digits"],
];

function publication(props: Partial<ConstructorParameters<typeof KeyArnPublication>[2]>, stack = newStack()): KeyArnPublication {
  return new KeyArnPublication(stack, 'Pub', { key: new CustomerManagedKey(stack, 'Key'), parameterName: '/app/key-arn', ...props });
}

const PUBLICATION_CASES: Case[] = [
  ['a parameter hierarchy without a leading slash', () => publication({ parameterName: 'app/orders/key-arn' }), 'Stack/Pub', "'app/orders/key-arn'", 'a name with a hierarchy starts with /'],
  ['a parameter name starting with aws', () => publication({ parameterName: 'aws-orders-key' }), 'Stack/Pub', "'aws-orders-key'", "must not start with 'aws' or 'ssm'"],
  ['a parameter path starting with SSM', () => publication({ parameterName: '/SSM/orders/key' }), 'Stack/Pub', "'/SSM/orders/key'", "must not start with 'aws' or 'ssm'"],
  ['a parameter name with a space', () => publication({ parameterName: '/app/orders key' }), 'Stack/Pub', "'/app/orders key'", 'a name of a-zA-Z0-9_.-'],
  ['a parameter name with a double slash', () => publication({ parameterName: '/app//key' }), 'Stack/Pub', "'/app//key'", 'a name of a-zA-Z0-9_.-'],
  ['a parameter path of 16 levels', () => publication({ parameterName: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}` }), 'Stack/Pub', 'got 16', 'at most 15 levels'],
  ['a parameter name too long for its ARN', () => publication({ parameterName: `/${'n'.repeat(1000)}` }), 'Stack/Pub', 'got 1001', 'may have at most'],
  ['no parameter name (untyped)', () => publication({ parameterName: undefined }), 'Stack/Pub', 'nothing (undefined)', "parameterName is required: give an SSM parameter name such as '/app/kms-key-arn'"],
  ['a publication without a key (untyped)', () => publication({ key: undefined }), 'Stack/Pub', 'nothing (undefined)', 'key is required: give the kms.IKey whose ARN is published'],
  ['an export name with underscores', () => publication({ exportName: 'orders_key_arn' }), 'Stack/Pub', "'orders_key_arn'", 'a-z A-Z 0-9 : -'],
  ['an export name of 256 characters', () => publication({ exportName: 'e'.repeat(256) }), 'Stack/Pub', `'${'e'.repeat(256)}'`, '1 to 255 characters'],
  ['a description of 1,025 characters', () => publication({ description: 'd'.repeat(1025) }), 'Stack/Pub', 'got 1025', 'at most 1024 characters'],
  ['readers of another account', () => {
    const stack = newStack();
    return publication({ readers: [iam.Role.fromRoleArn(stack, 'Partner', `arn:aws:iam::${OTHER}:role/reader`)] }, stack);
  }, 'Stack/Pub', 'of account 222222222222', 'roles of account 111111111111'],
  ['multi-Region publication without a primary (untyped)', () => KeyArnPublication.forMultiRegionKey('Arn', untyped({ parameterName: '/k' })), "KeyArnPublication.forMultiRegionKey('Arn')", 'nothing (undefined)', 'primary is required: give the multi-Region primary kms.IKey'],
];

function ring(props: Record<string, unknown>, stack = newStack()): ImportedKeyRing {
  return new ImportedKeyRing(stack, 'Ring', { aliasName: 'alias/payments/tokens', versions: ['v1'], ...untyped<object>(props) });
}

const RING_CASES: Case[] = [
  ['a ring without versions (untyped)', () => ring({ versions: undefined }), 'Stack/Ring', 'nothing (undefined)', 'versions is required: give a list of version labels'],
  ['a ring without an alias (untyped)', () => ring({ aliasName: undefined }), 'Stack/Ring', 'nothing (undefined)', 'aliasName is required'],
  ['a ring with versions as one string (untyped)', () => ring({ versions: 'v1' }), 'Stack/Ring', "'v1'", 'versions must be a list'],
  ['a ring version label that is a number (untyped)', () => ring({ versions: [2025] }), 'Stack/Ring', 'got 2025', '1 to 32 characters of a-z A-Z 0-9 . _ -'],
  ['a ring version label starting with a dot', () => ring({ versions: ['.v1'] }), 'Stack/Ring', "'.v1'", 'start with a letter or digit'],
  ['a ring of an unknown origin (untyped)', () => ring({ origin: 'IMPORTED' }), 'Stack/Ring', "'IMPORTED'", 'AWS_KMS, EXTERNAL'],
  ['a ring whose alias another key of the stack holds', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', { aliases: ['alias/payments/tokens'] });
    return ring({}, stack);
  }, 'Stack/Ring', "'alias/payments/tokens'", 'unique in an account and region'],
  ['a ring whose active version is not declared', () => ring({ versions: ['v1', 'v2'], activeVersion: 'v3' }), 'Stack/Ring', "'v3'", 'one of the versions (v1, v2)'],
  ['a ring of 21 versions', () => ring({ versions: Array.from({ length: 21 }, (_, i) => `v${i}`) }), 'Stack/Ring', 'got 21', '1 to 20 labels'],
];

const REPLICATION_CASES: Case[] = [
  ['a sourceKey that is not the source bucket\'s key', () => {
    const s = replicationSetup();
    return new SseKmsReplication(s.stack, 'Replication', {
      sourceBucket: s.source, sourceKey: s.destinationKey, destinations: [{ bucket: s.destination, key: s.destinationKey }],
    });
  }, 'Source/Replication', 'Source/DestinationKey', "the source bucket's own encryption key (Source/SourceKey)"],
  ['a replication role name with a space', () => {
    const s = replicationSetup();
    return new SseKmsReplication(s.stack, 'Replication', { sourceBucket: s.source, destinations: [{ bucket: s.destination, key: s.destinationKey }], roleName: 'replication role' });
  }, 'Source/Replication', "'replication role'", ALLOWED_IAM_NAME_CHARS],
  ['a replication role name of 65 characters', () => {
    const s = replicationSetup();
    return new SseKmsReplication(s.stack, 'Replication', { sourceBucket: s.source, destinations: [{ bucket: s.destination, key: s.destinationKey }], roleName: 'r'.repeat(65) });
  }, 'Source/Replication', `'${'r'.repeat(65)}'`, '1 to 64 characters'],
  ['a destination account of 11 digits', () => {
    const s = replicationSetup();
    return new SseKmsReplication(s.stack, 'Replication', { sourceBucket: s.source, destinations: [{ bucket: s.destination, key: s.destinationKey, account: '22222222222' }] });
  }, 'Source/Replication', "'22222222222'", 'exactly 12 digits'],
  ['no destinations (untyped)', () => {
    const s = replicationSetup();
    return new SseKmsReplication(s.stack, 'Replication', untyped({ sourceBucket: s.source }));
  }, 'Source/Replication', 'nothing (undefined)', 'destinations is required: give a list of destinations'],
  ['a destination without a key (untyped)', () => {
    const s = replicationSetup();
    return new SseKmsReplication(s.stack, 'Replication', { sourceBucket: s.source, destinations: [untyped({ bucket: s.destination })] });
  }, 'Source/Replication', 'nothing (undefined)', 'destinations[0].key is required: give the kms.IKey'],
  ['a destination prefix with a wildcard', () => {
    const s = replicationSetup();
    return new SseKmsReplication(s.stack, 'Replication', { sourceBucket: s.source, destinations: [{ bucket: s.destination, key: s.destinationKey, prefix: 'logs/*' }] });
  }, 'Source/Replication', "'logs/*'", "must not contain '*' or '?'"],
  ['destination access for a role ARN with a space', () => {
    const s = replicationSetup();
    return new SseKmsReplicationDestinationAccess(s.stack, 'Access', { sourceRoleArn: `arn:aws:iam::${OTHER}:role/replication role`, bucket: s.destination, key: s.destinationKey });
  }, 'Source/Access', "'arn:aws:iam::222222222222:role/replication role'", 'an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)'],
  ['destination access without a bucket (untyped)', () => {
    const s = replicationSetup();
    return new SseKmsReplicationDestinationAccess(s.stack, 'Access', untyped({ sourceRoleArn: `arn:aws:iam::${OTHER}:role/r`, key: s.destinationKey }));
  }, 'Source/Access', 'nothing (undefined)', 'bucket is required: give the destination s3.IBucket'],
];

const ALARM_CASES: Case[] = [
  ['an alarm on a key of another region', () => {
    const stack = newStack();
    return new KeyDeletionAlarm(stack, 'Alarm', { key: kms.Key.fromKeyArn(stack, 'Far', `arn:aws:kms:us-east-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) });
  }, 'Stack/Alarm', 'region us-east-1', 'a key of region eu-west-1'],
  ['an alarm on a key of another account', () => {
    const stack = newStack();
    return new KeyDeletionAlarm(stack, 'Alarm', { key: kms.Key.fromKeyArn(stack, 'Theirs', KEY_ARN) });
  }, 'Stack/Alarm', 'account 222222222222', 'a key of account 111111111111'],
  ['an alarm on a key of another stack\'s region', () => {
    const app = new App();
    const k = new CustomerManagedKey(newStack('us-west-2', OWNER, app, 'Keys'), 'Key');
    return new KeyDeletionAlarm(newStack('eu-west-1', OWNER, app, 'Alarms'), 'Alarm', { key: k });
  }, 'Alarms/Alarm', 'region us-west-2', 'a key of region eu-west-1'],
  ['an alarm whose topic is encrypted with the watched key', () => {
    const stack = newStack();
    const k = new CustomerManagedKey(stack, 'Key');
    return new KeyDeletionAlarm(stack, 'Alarm', { key: k, topic: new sns.Topic(stack, 'Topic', { masterKey: k }) });
  }, 'Stack/Alarm', 'Stack/Topic is encrypted with the watched key Stack/Key', 'a topic encrypted with another key'],
  ['an alarm without a key (untyped)', () => new KeyDeletionAlarm(newStack(), 'Alarm', untyped({})), 'Stack/Alarm', 'nothing (undefined)', 'key is required: give the kms.IKey to watch'],
];

const INVALID: Case[] = [
  ...KEY_CASES,
  ...SHARING_CASES,
  ...GRANT_CASES,
  ...IDENTITY_POLICY_CASES,
  ...REPLICA_CASES,
  ...PRESET_CASES,
  ...PUBLICATION_CASES,
  ...RING_CASES,
  ...REPLICATION_CASES,
  ...ALARM_CASES,
];

describe('every bad input is refused with the path, the value received and what is allowed', () => {
  test('the census covers at least 150 distinct inputs', () => {
    expect(new Set(INVALID.map(([name]) => name)).size).toBe(INVALID.length);
    expect(INVALID.length).toBeGreaterThanOrEqual(150);
  });

  test.each(INVALID)('%s', (_name, make, path, value, allowed) => {
    let message: string | undefined;
    try {
      make();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBeDefined();
    expect(message!.startsWith(`${path}: `)).toBe(true);
    expect(message).toContain(value);
    expect(message).toContain(allowed);
  });
});

/** A valid input: built in a fresh app, then its stack's template must say what was asked. */
type ValidCase = [name: string, check: () => void];

function onlyResource(stack: Stack, type: string): any {
  const resources = Object.values(Template.fromStack(stack).findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

const VALID: ValidCase[] = [
  ['rotation period of 90 days, the shortest', () => {
    const k = key({ rotationPeriod: Duration.days(90) });
    expect(onlyResource(Stack.of(k), 'AWS::KMS::Key').RotationPeriodInDays).toBe(90);
  }],
  ['rotation period of 2,560 days, the longest', () => {
    const k = key({ rotationPeriod: Duration.days(2560) });
    expect(onlyResource(Stack.of(k), 'AWS::KMS::Key').RotationPeriodInDays).toBe(2560);
  }],
  ['rotation period from a CfnParameter, rendered as the parameter (never the 365-day default)', () => {
    const stack = newStack();
    key({ rotationPeriod: Duration.days(cfnNumber(stack, 'RotationDays')) }, stack);
    const props = onlyResource(stack, 'AWS::KMS::Key');
    expect(props.RotationPeriodInDays).toEqual({ Ref: 'RotationDays' });
    expect(props.EnableKeyRotation).toBe(true);
  }],
  ['pending window from a CfnParameter, rendered as the parameter', () => {
    const stack = newStack();
    key({ pendingWindow: Duration.days(cfnNumber(stack, 'WindowDays')) }, stack);
    expect(onlyResource(stack, 'AWS::KMS::Key').PendingWindowInDays).toEqual({ Ref: 'WindowDays' });
  }],
  ['pending window of 7 days on a replica', () => {
    const [replica] = ReplicaKey.replicate(multiRegionPrimary(), { regions: ['us-east-1'], pendingWindow: Duration.days(7) });
    expect(onlyResource(Stack.of(replica), 'AWS::KMS::ReplicaKey').PendingWindowInDays).toBe(7);
  }],
  ['alias of 256 characters, the longest', () => {
    const name = `alias/${'a'.repeat(250)}`;
    const k = key({ aliases: [name] });
    expect(onlyResource(Stack.of(k), 'AWS::KMS::Alias').AliasName).toBe(name);
  }],
  ['alias from a CfnParameter', () => {
    const stack = newStack();
    key({ aliases: [new CfnParameter(stack, 'AliasName').valueAsString] }, stack);
    expect(onlyResource(stack, 'AWS::KMS::Alias').AliasName).toEqual({ Ref: 'AliasName' });
  }],
  ['the same alias in two regions of one app', () => {
    const app = new App();
    new CustomerManagedKey(newStack('eu-west-1', OWNER, app, 'A'), 'Key', { aliases: ['alias/app/data'] });
    const other = new CustomerManagedKey(newStack('us-east-1', OWNER, app, 'B'), 'Key', { aliases: ['alias/app/data'] });
    expect(onlyResource(Stack.of(other), 'AWS::KMS::Alias').AliasName).toBe('alias/app/data');
  }],
  ['the same alias in two accounts of one app', () => {
    const app = new App();
    new CustomerManagedKey(newStack('eu-west-1', OWNER, app, 'A'), 'Key', { aliases: ['alias/app/data'] });
    const other = new CustomerManagedKey(newStack('eu-west-1', OTHER, app, 'B'), 'Key', { aliases: ['alias/app/data'] });
    expect(onlyResource(Stack.of(other), 'AWS::KMS::Alias').AliasName).toBe('alias/app/data');
  }],
  ['description of 8,192 characters, the longest', () => {
    const k = key({ description: 'd'.repeat(8192) });
    expect(onlyResource(Stack.of(k), 'AWS::KMS::Key').Description).toHaveLength(8192);
  }],
  ['tag key of 128 and value of 256 characters', () => {
    const k = key({ tags: { ['k'.repeat(128)]: 'v'.repeat(256) } });
    expect(onlyResource(Stack.of(k), 'AWS::KMS::Key').Tags).toEqual([{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }]);
  }],
  ['a role with a path and every allowed name character as admin', () => {
    const arn = `arn:aws:iam::${OTHER}:role/team/ops/a+=,.@_-b`;
    const k = key({ admins: [new iam.ArnPrincipal(arn)] });
    expect(JSON.stringify(onlyResource(Stack.of(k), 'AWS::KMS::Key').KeyPolicy)).toContain(arn);
  }],
  ['a role of the China partition as user of a key in cn-north-1', () => {
    const arn = `arn:aws-cn:iam::${OTHER}:role/app`;
    const k = key({ users: [new iam.ArnPrincipal(arn)] }, newStack('cn-north-1'));
    expect(JSON.stringify(onlyResource(Stack.of(k), 'AWS::KMS::Key').KeyPolicy)).toContain(arn);
  }],
  ['an SSM parameter name without a leading slash', () => {
    const p = publication({ parameterName: 'orders-kms-key-arn' });
    expect(onlyResource(Stack.of(p), 'AWS::SSM::Parameter').Name).toBe('orders-kms-key-arn');
  }],
  ['an SSM parameter path of 15 levels', () => {
    const name = `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`;
    const p = publication({ parameterName: name });
    expect(onlyResource(Stack.of(p), 'AWS::SSM::Parameter').Name).toBe(name);
  }],
  ['an export name with colons', () => {
    const p = publication({ exportName: 'orders:kms-key-arn' });
    expect(Object.values(Template.fromStack(Stack.of(p)).toJSON().Outputs as Record<string, any>)[0].Export.Name).toBe('orders:kms-key-arn');
  }],
  ['a grant of GetPublicKey and Verify on a signing RSA key', () => {
    const g = grantOn(kms.KeySpec.RSA_3072, [GrantOperation.GET_PUBLIC_KEY, GrantOperation.VERIFY], kms.KeyUsage.SIGN_VERIFY)();
    expect(JSON.stringify(onlyResource(Stack.of(g), 'Custom::KmsGrant').Create)).toContain('GetPublicKey');
  }],
  ['a grant of GenerateMac and DescribeKey on an HMAC key', () => {
    const g = grantOn(kms.KeySpec.HMAC_512, [GrantOperation.GENERATE_MAC, GrantOperation.DESCRIBE_KEY])();
    expect(JSON.stringify(onlyResource(Stack.of(g), 'Custom::KmsGrant').Create)).toContain('GenerateMac');
  }],
  ['a trail name of 3 characters with a dot', () => {
    const k = key();
    k.addServicePreset(ServicePreset.cloudTrail({ trailNames: ['a.b'] }));
    expect(JSON.stringify(onlyResource(Stack.of(k), 'AWS::KMS::Key').KeyPolicy)).toContain('trail/a.b');
  }],
  ['a trail name of 128 characters', () => {
    const name = `t${'-x'.repeat(63)}t`;
    const k = key();
    k.addServicePreset(ServicePreset.cloudTrail({ trailNames: [name] }));
    expect(JSON.stringify(onlyResource(Stack.of(k), 'AWS::KMS::Key').KeyPolicy)).toContain(`trail/${name}`);
  }],
  ['a FIFO queue name of 80 characters with .fifo', () => {
    const name = `${'q'.repeat(75)}.fifo`;
    const k = key();
    k.addServicePreset(ServicePreset.snsToSqs({ topicNames: ['alarms'], queueNames: [name] }));
    expect(JSON.stringify(onlyResource(Stack.of(k), 'AWS::KMS::Key').KeyPolicy)).toContain(`:${name}`);
  }],
  ['a FIFO topic name of 256 characters with .fifo', () => {
    const name = `${'t'.repeat(251)}.fifo`;
    const k = key();
    k.addServicePreset(ServicePreset.eventBridgeToSns({ ruleNames: ['r'], topicNames: [name] }));
    expect(JSON.stringify(onlyResource(Stack.of(k), 'AWS::KMS::Key').KeyPolicy)).toContain(`:${name}`);
  }],
  ['replicas in GovCloud from a GovCloud primary', () => {
    const primary = new CustomerManagedKey(newStack('us-gov-west-1', OWNER, new App(), 'Keys'), 'Key', { multiRegion: true });
    const [replica] = ReplicaKey.replicate(primary, { regions: ['us-gov-east-1'], stackIdPrefix: 'Keys-Gov' });
    expect(Stack.of(replica).stackName).toBe('Keys-Gov-us-gov-east-1');
    onlyResource(Stack.of(replica), 'AWS::KMS::ReplicaKey');
  }],
  ['a user policy naming the key\'s own spec', () => {
    const stack = newStack();
    const k = new CustomerManagedKey(stack, 'Key', { keySpec: kms.KeySpec.HMAC_256 });
    new KeyUserPolicy(stack, 'Policy', { key: k, keySpec: kms.KeySpec.HMAC_256, managedPolicyName: 'p'.repeat(128) });
    const props = onlyResource(stack, 'AWS::IAM::ManagedPolicy');
    expect(props.ManagedPolicyName).toBe('p'.repeat(128));
    expect(JSON.stringify(props.PolicyDocument)).toContain('kms:GenerateMac');
  }],
  ['replication naming the source bucket\'s own key, with a role name of 64 characters', () => {
    const s = replicationSetup();
    new SseKmsReplication(s.stack, 'Replication', {
      sourceBucket: s.source, sourceKey: s.sourceKey, destinations: [{ bucket: s.destination, key: s.destinationKey }], roleName: 'r'.repeat(64),
    });
    expect(onlyResource(s.stack, 'AWS::IAM::Role').RoleName).toBe('r'.repeat(64));
  }],
  ['a deletion alarm on a key imported by ARN of its own account and region', () => {
    const stack = newStack();
    new KeyDeletionAlarm(stack, 'Alarm', { key: kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) });
    onlyResource(stack, 'AWS::Events::Rule');
  }],
  ['EBS access to a China key from a China stack', () => {
    const stack = newStack('cn-north-1', OTHER, new App(), 'Target');
    const arn = `arn:aws-cn:kms:cn-north-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    new EbsSharedKeyAccess(stack, 'Access', { keyArn: arn });
    expect(JSON.stringify(onlyResource(stack, 'AWS::IAM::ManagedPolicy').PolicyDocument)).toContain('ec2.cn-north-1.amazonaws.com.cn');
  }],
  ['a key in a stack of a region unknown to aws-cdk-lib: a warning, not an error', () => {
    const k = key({}, newStack('eu-central-9'));
    Annotations.fromStack(Stack.of(k)).hasWarning('/Stack/Key', Match.stringLikeRegexp("the stack's region 'eu-central-9' is not a region known"));
    onlyResource(Stack.of(k), 'AWS::KMS::Key');
  }],
  ['an account id from a CfnParameter as sharing target', () => {
    const stack = newStack();
    const k = key({}, stack);
    k.shareForSnapshotCopy(SharingTargets.accounts([new CfnParameter(stack, 'Partner').valueAsString]));
    expect(JSON.stringify(onlyResource(stack, 'AWS::KMS::Key').KeyPolicy)).toContain('{"Ref":"Partner"}');
  }],
];

describe('tricky valid inputs synthesize as asked', () => {
  test('at least 25 of them', () => {
    expect(VALID.length).toBeGreaterThanOrEqual(25);
  });

  test.each(VALID)('%s', (_name, check) => {
    check();
  });
});

describe('errors raised by aws-cdk-lib beneath a library construct carry its path', () => {
  test('withPath gives an aws-cdk-lib error the path of the library construct (control: without it, no path)', () => {
    const stack = newStack();
    const build = (id: string) => () => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal(), roleName: 'a'.repeat(65) });
    let bare = '';
    try {
      build('Bare')();
    } catch (e) {
      bare = (e as Error).message;
    }
    expect(bare).not.toContain('Stack/Replication');
    expect(() => withPath('Stack/Replication', build('Wrapped'))).toThrow(/^Stack\/Replication: .*roleName/);
  });
});
