import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import {
  AmiShare,
  CustomerManagedKey,
  EbsSharedKeyAccess,
  EbsSharingPurpose,
  GrantOperation,
  KeyGrant,
  SnapshotShare,
} from '../../src';
import { decide, World } from '../helpers/world';

const OWNER = '111111111111';
const TARGET = '222222222222';
const KEY_ARN = `arn:aws:kms:eu-west-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SNAPSHOT = 'snap-0123456789abcdef0';
const IMAGE = 'ami-0123456789abcdef0';
const ORG_ARN = 'arn:aws:organizations::999999999999:organization/o-abcdefghij';
const OU_ARN = 'arn:aws:organizations::999999999999:ou/o-abcdefghij/ou-ab12-cdefgh34';

function stackOf(account: string, region = 'eu-west-1'): Stack {
  return new Stack(new App(), account === OWNER ? 'Owner' : 'Target', { env: { account, region } });
}

/** The SDK calls of the custom resources of a type, parsed (a call with intrinsics is resolved first). */
function calls(stack: Stack, type: string): { id: string; create: any; update: any; delete: any }[] {
  const world = new World(stack);
  const resources = Template.fromStack(stack).findResources(type);
  return Object.entries(resources).map(([id, r]) => {
    const parse = (v: any) => (v === undefined ? undefined : JSON.parse(typeof v === 'string' ? v : world.resolveIn(id, v)));
    return { id, create: parse(r.Properties.Create), update: parse(r.Properties.Update), delete: parse(r.Properties.Delete) };
  });
}

/** The role of the stack's AwsCustomResource singleton, with its identity policies, resolved. */
function customResourceRole(stack: Stack) {
  const world = new World(stack);
  const id = world.logicalId('AWS::IAM::Role', 'KmsPatternsCustomResourceProvider');
  return { arn: world.arnOf(id), identityPolicies: world.identityPoliciesOf(id) };
}

describe('EbsSharedKeyAccess (target account)', () => {
  test('a managed policy on the owner key ARN, through EC2 of the key\'s region, CreateGrant for AWS resources only', () => {
    // GIVEN a target stack in another region than the key
    const stack = stackOf(TARGET, 'eu-central-1');
    const role = new iam.Role(stack, 'Copier', { assumedBy: new iam.AccountRootPrincipal() });
    // WHEN
    new EbsSharedKeyAccess(stack, 'SharedKey', { keyArn: KEY_ARN, roles: [role], purposes: [EbsSharingPurpose.SNAPSHOT_COPY] });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'SharedKeyUseThroughEc2',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
            Resource: KEY_ARN,
            Condition: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
          },
          {
            Sid: 'SharedKeyGrantsForEc2Resources',
            Effect: 'Allow',
            Action: 'kms:CreateGrant',
            Resource: KEY_ARN,
            Condition: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          },
        ],
      },
    });
    Template.fromStack(stack).resourceCountIs('Custom::KmsGrant', 0);
  });

  test('AMI launch alone leaves GenerateDataKey out', () => {
    const stack = stackOf(TARGET);
    const access = new EbsSharedKeyAccess(stack, 'SharedKey', { key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN), purposes: [EbsSharingPurpose.AMI_LAUNCH] });
    const doc = stack.resolve(access.policy.document);
    expect(doc.Statement[0].Action).not.toContain('kms:GenerateDataKey');
    expect(access.keyArn).toEqual(KEY_ARN);
  });

  test('autoScalingGrant creates the grant for the account\'s own AWSServiceRoleForAutoScaling', () => {
    const stack = stackOf(TARGET);
    new EbsSharedKeyAccess(stack, 'SharedKey', { keyArn: KEY_ARN, autoScalingGrant: true });
    const [grant] = calls(stack, 'Custom::KmsGrant');
    expect(grant.create.parameters).toMatchObject({
      KeyId: KEY_ARN,
      GranteePrincipal: `arn:aws:iam::${TARGET}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      Operations: ['CreateGrant', 'Decrypt', 'DescribeKey', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo'],
    });
  });
});

describe('KeyGrant', () => {
  const grantee = new iam.ArnPrincipal(`arn:aws:iam::${OWNER}:role/app`);

  test('CreateGrant on create and update, RetireGrant of the grant id by the custom resource\'s own role on delete', () => {
    // GIVEN / WHEN
    const stack = stackOf(OWNER);
    const grant = new KeyGrant(stack, 'Grant', {
      key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN),
      grantee,
      operations: [GrantOperation.DECRYPT, GrantOperation.ENCRYPT],
      encryptionContextSubset: { app: 'orders' },
      grantName: 'orders-app',
    });
    // THEN
    const [c] = calls(stack, 'Custom::KmsGrant');
    const role = customResourceRole(stack);
    expect(c.create).toEqual({
      service: 'KMS',
      action: 'CreateGrant',
      parameters: {
        KeyId: KEY_ARN,
        GranteePrincipal: `arn:aws:iam::${OWNER}:role/app`,
        Operations: ['Decrypt', 'Encrypt'],
        RetiringPrincipal: role.arn,
        Constraints: { EncryptionContextSubset: { app: 'orders' } },
        Name: 'orders-app',
      },
      physicalResourceId: { responsePath: 'GrantId' },
      outputPaths: ['GrantId'],
    });
    expect(c.update).toEqual(c.create);
    expect(c.delete).toMatchObject({
      action: 'RetireGrant',
      parameters: { KeyId: KEY_ARN, GrantId: 'PHYSICAL:RESOURCEID:' },
    });
    expect(stack.resolve(grant.grantId)).toEqual({ 'Fn::GetAtt': [c.id, 'GrantId'] });
  });

  test('with another retiring principal, the grant is revoked on delete', () => {
    const stack = stackOf(OWNER);
    new KeyGrant(stack, 'Grant', {
      key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN),
      grantee,
      operations: [GrantOperation.DECRYPT],
      retiringPrincipal: new iam.ArnPrincipal(`arn:aws:iam::${OWNER}:role/ops`),
      encryptionContextEquals: { app: 'orders' },
    });
    const [c] = calls(stack, 'Custom::KmsGrant');
    expect(c.create.parameters.RetiringPrincipal).toEqual(`arn:aws:iam::${OWNER}:role/ops`);
    expect(c.create.parameters.Constraints).toEqual({ EncryptionContextEquals: { app: 'orders' } });
    expect(c.delete.action).toEqual('RevokeGrant');
  });

  test('a key in another region is called in its own region', () => {
    const stack = stackOf(OWNER, 'us-east-1');
    new KeyGrant(stack, 'Grant', { key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN), grantee, operations: [GrantOperation.DECRYPT] });
    const [c] = calls(stack, 'Custom::KmsGrant');
    expect(c.create.region).toEqual('eu-west-1');
    expect(c.delete.region).toEqual('eu-west-1');
  });

  test('a key of the same stack is referenced by its ARN', () => {
    const stack = stackOf(OWNER);
    const key = new CustomerManagedKey(stack, 'Key');
    new KeyGrant(stack, 'Grant', { key, grantee, operations: [GrantOperation.DECRYPT] });
    const [c] = calls(stack, 'Custom::KmsGrant');
    expect(c.create.parameters.KeyId).toMatch(/^arn:aws:kms:eu-west-1:111111111111:key\//);
  });

  describe('its custom resource may create only this grant (evaluated)', () => {
    const stack = stackOf(OWNER);
    new KeyGrant(stack, 'Grant', { key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN), grantee, operations: [GrantOperation.DECRYPT, GrantOperation.ENCRYPT] });
    const role = customResourceRole(stack);
    // A key policy that leaves every decision to the account's IAM policies: what is evaluated is the role's own policy.
    const delegating = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'kms:*', Resource: '*' }] };
    const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) => decide({
      principal: role.arn, action, resource, resourceAccount: OWNER, identityPolicies: role.identityPolicies, resourcePolicy: delegating, context,
    });
    const request = { 'kms:GranteePrincipal': `arn:aws:iam::${OWNER}:role/app`, 'kms:GrantOperations': ['Decrypt', 'Encrypt'] };

    test('this grant on this key', async () => {
      expect(await ask('kms:CreateGrant', KEY_ARN, request)).toEqual('Allowed');
      expect(await ask('kms:RetireGrant', KEY_ARN)).toEqual('Allowed');
    });
    test('not on another key, not for another grantee, not with more operations, nothing else', async () => {
      expect(await ask('kms:CreateGrant', KEY_ARN.replace('1234abcd', 'ffffffff'), request)).not.toEqual('Allowed');
      expect(await ask('kms:CreateGrant', KEY_ARN, { ...request, 'kms:GranteePrincipal': `arn:aws:iam::${OWNER}:role/attacker` })).not.toEqual('Allowed');
      expect(await ask('kms:CreateGrant', KEY_ARN, { ...request, 'kms:GrantOperations': ['Decrypt', 'CreateGrant'] })).not.toEqual('Allowed');
      expect(await ask('kms:Decrypt', KEY_ARN)).not.toEqual('Allowed');
      expect(await ask('kms:RevokeGrant', KEY_ARN)).not.toEqual('Allowed');
    });
  });
});

/** The properties of the share custom resources of a type (without the service token). */
function shares(stack: Stack, type: string): Record<string, unknown>[] {
  return Object.values(Template.fromStack(stack).findResources(type)).map((r) => {
    const { ServiceToken, ServiceTimeout, ...properties } = r.Properties;
    expect(ServiceTimeout).toEqual('600');
    expect(ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KmsPatternsCustomResourceProviderShareHandler/), 'Arn'] });
    return properties;
  });
}

describe('share handler', () => {
  test('one inline Node.js function per stack, running as the provider role, for every snapshot and AMI share', () => {
    const stack = stackOf(OWNER);
    new SnapshotShare(stack, 'Share', { snapshotId: SNAPSHOT, accountIds: ['222222222222'] });
    new AmiShare(stack, 'AmiShare', { imageId: IMAGE, accountIds: ['222222222222'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    const world = new World(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Code: { ZipFile: Match.stringLikeRegexp('ModifySnapshotAttributeCommand') },
      Role: { 'Fn::GetAtt': [world.logicalId('AWS::IAM::Role', 'KmsPatternsCustomResourceProvider'), 'Arn'] },
    });
  });

  test('after an AwsCustomResource of the app, it runs as that provider\'s role, which gets the share\'s permission', () => {
    const stack = stackOf(OWNER);
    new cr.AwsCustomResource(stack, 'AppCall', {
      onCreate: { service: 'STS', action: 'GetCallerIdentity', physicalResourceId: cr.PhysicalResourceId.of('caller') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    });
    new SnapshotShare(stack, 'Share', { snapshotId: SNAPSHOT, accountIds: ['222222222222'] });
    const template = Template.fromStack(stack);
    const functions = template.findResources('AWS::Lambda::Function');
    const roles = Object.values(functions).map((f) => f.Properties.Role);
    expect(new Set(roles.map((r) => JSON.stringify(r))).size).toEqual(1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roles[0]['Fn::GetAtt'][0] }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'ec2:ModifySnapshotAttribute' })] },
    });
  });

  test('a share is created after the managed policy that allows it', () => {
    const stack = stackOf(OWNER);
    new SnapshotShare(stack, 'Share', { snapshotId: SNAPSHOT, accountIds: ['222222222222'] });
    const [share] = Object.values(Template.fromStack(stack).findResources('Custom::EbsSnapshotShare'));
    const policies = Object.keys(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(share.DependsOn).toEqual(policies);
  });
});

describe('SnapshotShare', () => {
  test('one custom resource for all its accounts; the key is shared with the same accounts', () => {
    // GIVEN
    const stack = stackOf(OWNER);
    const key = new CustomerManagedKey(stack, 'Key');
    // WHEN
    new SnapshotShare(stack, 'Share', { snapshotId: SNAPSHOT, accountIds: ['222222222222', '333333333333'], encryptionKey: key });
    // THEN
    expect(shares(stack, 'Custom::EbsSnapshotShare')).toEqual([{ SnapshotId: SNAPSHOT, AccountIds: ['222222222222', '333333333333'] }]);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(statements.find((s: any) => s.Sid === 'EbsSnapshotCopyAccounts').Condition.StringEquals['kms:CallerAccount']).toEqual(['222222222222', '333333333333']);
  });

  test('two snapshots shared with the same account under one key: two shares, the key shares the account once', () => {
    const stack = stackOf(OWNER);
    const key = new CustomerManagedKey(stack, 'Key');
    new SnapshotShare(stack, 'Share', { snapshotId: SNAPSHOT, accountIds: ['222222222222'], encryptionKey: key });
    expect(() => new SnapshotShare(stack, 'Again', { snapshotId: 'snap-0fffffffffffffff0', accountIds: ['222222222222'], encryptionKey: key })).not.toThrow();
    expect(shares(stack, 'Custom::EbsSnapshotShare')).toHaveLength(2);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    const listed = statements.flatMap((st: any) => [st.Condition?.StringEquals?.['kms:CallerAccount'] ?? []].flat());
    expect(listed).toEqual(['222222222222']);
  });

  test('its custom resources may modify this snapshot only (evaluated)', async () => {
    const stack = stackOf(OWNER);
    new SnapshotShare(stack, 'Share', { snapshotId: SNAPSHOT, accountIds: ['222222222222'] });
    const role = customResourceRole(stack);
    const ask = (action: string, resource: string) => decide({
      principal: role.arn, action, resource, resourceAccount: OWNER, identityPolicies: role.identityPolicies,
    });
    expect(await ask('ec2:ModifySnapshotAttribute', `arn:aws:ec2:eu-west-1::snapshot/${SNAPSHOT}`)).toEqual('Allowed');
    expect(await ask('ec2:ModifySnapshotAttribute', 'arn:aws:ec2:eu-west-1::snapshot/snap-0fffffffffffffff0')).not.toEqual('Allowed');
    expect(await ask('ec2:ModifyImageAttribute', `arn:aws:ec2:eu-west-1::image/${IMAGE}`)).not.toEqual('Allowed');
  });
});

describe('AmiShare', () => {
  test('one custom resource for all its accounts, organizations and OUs; keys shared with the accounts and organizations', () => {
    const stack = stackOf(OWNER);
    const key = new CustomerManagedKey(stack, 'Key');
    new AmiShare(stack, 'Share', { imageId: IMAGE, accountIds: ['222222222222'], organizationArns: [ORG_ARN], encryptionKeys: [key] });
    new AmiShare(stack, 'UnitShare', { imageId: IMAGE, organizationalUnitArns: [OU_ARN] });
    expect(shares(stack, 'Custom::AmiShare')).toEqual([
      { ImageId: IMAGE, AccountIds: ['222222222222'], OrganizationArns: [ORG_ARN] },
      { ImageId: IMAGE, OrganizationalUnitArns: [OU_ARN] },
    ]);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(statements.find((s: any) => s.Sid === 'EbsAmiLaunchAccounts').Condition.StringEquals['kms:CallerAccount']).toEqual(['222222222222']);
    expect(statements.find((s: any) => s.Sid === 'EbsAmiLaunchOrganization').Condition.StringEquals['aws:PrincipalOrgID']).toEqual(['o-abcdefghij']);
  });

  test('its custom resources may modify this image only (evaluated)', async () => {
    const stack = stackOf(OWNER);
    new AmiShare(stack, 'Share', { imageId: IMAGE, accountIds: ['222222222222'] });
    const role = customResourceRole(stack);
    const ask = (action: string, resource: string) => decide({
      principal: role.arn, action, resource, resourceAccount: OWNER, identityPolicies: role.identityPolicies,
    });
    expect(await ask('ec2:ModifyImageAttribute', `arn:aws:ec2:eu-west-1::image/${IMAGE}`)).toEqual('Allowed');
    expect(await ask('ec2:ModifyImageAttribute', 'arn:aws:ec2:eu-west-1::image/ami-0fffffffffffffff0')).not.toEqual('Allowed');
    expect(await ask('ec2:ModifySnapshotAttribute', `arn:aws:ec2:eu-west-1::snapshot/${SNAPSHOT}`)).not.toEqual('Allowed');
  });
});
