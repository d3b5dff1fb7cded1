import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  CustomerManagedKey,
  EbsSharedKeyAccess,
  EbsSharingPurpose,
  MemberAccountStack,
  MemberAccountStackSet,
  RegionConcurrency,
  SharingTargets,
  StackSetCaller,
  StackSetConcurrencyMode,
} from '../../src';
import { decide, World } from '../helpers/world';

const MANAGEMENT = '999999999999';
const KEY_ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const UNIT = 'o-exampleorg1/r-ab12/ou-ab12-11111111/';

/** GIVEN the key account sharing the key with a unit, and the management account deploying the target side to it. */
function setup() {
  const keys = new Stack(new App(), 'Keys', { env: { account: KEY_ACCOUNT, region: REGION } });
  const key = new CustomerManagedKey(keys, 'Key');
  key.shareForSnapshotCopy(SharingTargets.organizationalUnits([UNIT]));
  const keyWorld = new World(keys);
  const keyId = keys.getLogicalId(key.node.defaultChild as kms.CfnKey);
  const keyArn = keyWorld.arnOf(keyId);

  const app = new App();
  const management = new Stack(app, 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
  const member = new MemberAccountStack(app, 'SharedKeyAccess', { description: 'Use of the golden EBS key' });
  const copiers = new iam.Role(member, 'Copiers', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'snapshot-copiers' });
  new EbsSharedKeyAccess(member, 'Access', { keyArn, roles: [copiers], purposes: [EbsSharingPurpose.SNAPSHOT_COPY] });
  const stackSet = new MemberAccountStackSet(management, 'Access', {
    stack: member,
    organizationalUnitIds: ['ou-ab12-11111111'],
    regions: ['eu-west-1', 'us-east-1'],
  });
  const template = Template.fromStack(management);
  const body = JSON.parse(template.findResources('AWS::CloudFormation::StackSet')[management.getLogicalId(stackSet.stackSet)].Properties.TemplateBody);
  return { app, keyArn, keyPolicy: keyWorld.keyPolicy(keyId), template, body };
}

const s = setup();

describe('the StackSet', () => {
  test('is service-managed, deploys automatically to the units and regions with safe defaults', () => {
    s.template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    s.template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      ManagedExecution: { Active: true },
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      Description: 'Use of the golden EBS key',
      StackInstancesGroup: [{ Regions: ['eu-west-1', 'us-east-1'], DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111'] } }],
      OperationPreferences: {
        FailureToleranceCount: 0,
        MaxConcurrentCount: 1,
        ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
        RegionConcurrencyType: 'SEQUENTIAL',
        RegionOrder: ['eu-west-1', 'us-east-1'],
      },
      TemplateBody: Match.stringLikeRegexp('AWS::IAM::ManagedPolicy'),
    });
  });

  test('takes failure tolerance, concurrency, region order and account filters as props', () => {
    const app = new App();
    const management = new Stack(app, 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
    const member = new MemberAccountStack(app, 'Member');
    new iam.ManagedPolicy(member, 'Policy', { statements: [new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [s.keyArn] })] });
    new MemberAccountStackSet(management, 'Set', {
      stack: member,
      stackSetName: 'shared-key-access',
      organizationalUnitIds: ['r-ab12'],
      accountIds: ['222222222222'],
      regions: ['ap-southeast-2', 'eu-west-1'],
      callAs: StackSetCaller.DELEGATED_ADMIN,
      failureTolerancePercentage: 10,
      maxConcurrentPercentage: 25,
      concurrencyMode: StackSetConcurrencyMode.SOFT_FAILURE_TOLERANCE,
      regionConcurrency: RegionConcurrency.PARALLEL,
      retainStacksOnAccountRemoval: true,
    });
    Template.fromStack(management).hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'shared-key-access',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      StackInstancesGroup: [{
        Regions: ['ap-southeast-2', 'eu-west-1'],
        DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'], Accounts: ['222222222222'], AccountFilterType: 'INTERSECTION' },
      }],
      OperationPreferences: {
        FailureTolerancePercentage: 10,
        MaxConcurrentPercentage: 25,
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        RegionConcurrencyType: 'PARALLEL',
        RegionOrder: ['ap-southeast-2', 'eu-west-1'],
      },
    });
  });

  test('the member stack is not a stack of the app: cdk deploy never deploys it', () => {
    const assembly = s.app.synth();
    expect(assembly.stacks.map((st) => st.stackName)).toEqual(['Management']);
  });
});

describe('the stack it deploys', () => {
  test('holds the target side of the key: a managed policy through EC2 on the key ARN, attached to the role, no bootstrap', () => {
    const member = Template.fromJSON(s.body);
    member.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    member.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['kms:Decrypt']),
          Resource: s.keyArn,
          Condition: { StringEquals: { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` } },
        })]),
      },
      Roles: [{ Ref: Match.anyValue() }],
    });
    expect(s.body.Parameters ?? {}).not.toHaveProperty('BootstrapVersion');
    expect(s.body.Rules ?? {}).not.toHaveProperty('CheckBootstrapVersion');
  });

  test('10,000 member accounts change nothing: one template names no account, and each instance copies through EC2', async () => {
    // The StackSet, its template and the key policy name no member account: each instance resolves AWS::AccountId.
    const body = JSON.stringify(s.body);
    expect(Buffer.byteLength(body)).toBeLessThan(51_200);
    expect(new Set(body.match(/\d{12}/g))).toEqual(new Set([KEY_ACCOUNT]));
    expect(JSON.stringify(s.template.toJSON()).match(/\b2\d{11}\b/g)).toBeNull();
    const accounts = Array.from({ length: 10_000 }, (_, i) => String(200_000_000_000 + i));
    for (const account of [accounts[0], accounts[9_999]]) {
      const world = new World().addTemplate('Instance', s.body, account, REGION);
      const roleId = world.logicalId('AWS::IAM::Role');
      expect(world.arnOf(roleId)).toEqual(`arn:aws:iam::${account}:role/snapshot-copiers`);
      expect(await decide({
        principal: world.arnOf(roleId),
        action: 'kms:Decrypt',
        resource: s.keyArn,
        resourceAccount: KEY_ACCOUNT,
        identityPolicies: world.identityPoliciesOf(roleId),
        resourcePolicy: s.keyPolicy,
        context: { 'kms:ViaService': `ec2.${REGION}.amazonaws.com`, 'aws:PrincipalAccount': account, 'aws:PrincipalOrgPaths': [UNIT] },
      })).toEqual('Allowed');
    }
  });
});
