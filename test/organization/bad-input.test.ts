import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  CustomerManagedKey,
  EbsSharedKeyAccess,
  KeyPerimeter,
  KmsResourceControlPolicy,
  KmsServiceControlPolicy,
  MemberAccountStack,
  MemberAccountStackSet,
  MemberAccountStackSetProps,
  SharingTargets,
} from '../../src';

function keyStack() {
  const stack = new Stack(new App(), 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { stack, key: new CustomerManagedKey(stack, 'Key') };
}

describe('organizational unit paths are checked when the key is shared', () => {
  test.each([
    ['ou-ab12-11111111', /Keys\/Key: shareForSnapshotCopy\(\): it starts with the organization id .*not 'ou-ab12-11111111'.*'o-exampleorg1\/r-ab12\/ou-ab12-11111111\/'.*got 'ou-ab12-11111111'/],
    ['o-exampleorg1/ou-ab12-11111111/', /the organization id is followed by the root id .*not 'ou-ab12-11111111'.*got 'o-exampleorg1\/ou-ab12-11111111\/'/],
    ['o-exampleorg1/root/', /root id.*not 'root'/],
    ['o-exampleorg1/r-ab12/ou-cd34-11111111/', /'ou-cd34-11111111' belongs to root 'r-cd34', not to 'r-ab12'/],
    ['o-exampleorg1/r-ab12/ou-ab12-1111/', /'ou-ab12-1111' is not an organizational unit id/],
    ['o-exampleorg1/r-ab12/ou-ab12-11111111/*', /wildcards are not taken/],
    ['O-EXAMPLEORG1/r-ab12/', /starts with the organization id/],
    [`o-exampleorg1/r-ab12/${Array.from({ length: 6 }, (_, i) => `ou-ab12-${i}1111111`).join('/')}/`, /nest at most 5 levels under the root, got 6/],
  ])('%s', (path, message) => {
    const { key } = keyStack();
    expect(() => key.shareForSnapshotCopy(SharingTargets.organizationalUnits([path]))).toThrow(message);
  });

  test('a root path, and a path without its trailing slash, are taken', () => {
    const { key } = keyStack();
    expect(() => key.shareForSnapshotCopy(SharingTargets.organizationalUnits(['o-exampleorg1/r-ab12/']))).not.toThrow();
    expect(() => key.shareForAmiLaunch(SharingTargets.organizationalUnits(['o-exampleorg1/r-ab12/ou-ab12-11111111']))).not.toThrow();
  });

  test('paths of two organizations, and a unit shared twice, are refused', () => {
    const { key } = keyStack();
    expect(() => key.shareForSnapshotCopy(SharingTargets.organizationalUnits(['o-exampleorg1/r-ab12/', 'o-otherorg123/r-cd34/'])))
      .toThrow(/more than one organization/);
    key.shareForSnapshotCopy(SharingTargets.organizationalUnits(['o-exampleorg1/r-ab12/ou-ab12-11111111/']));
    // Sharing an organizational unit again (written without its trailing slash) reuses the share.
    expect(() => key.shareForSnapshotCopy(SharingTargets.organizationalUnits(['o-exampleorg1/r-ab12/ou-ab12-11111111']))).not.toThrow();
  });

  test('the perimeter checks its paths with the key path', () => {
    const { key } = keyStack();
    expect(() => key.addPerimeter(KeyPerimeter.organizationalUnits(['r-ab12/ou-ab12-11111111']))).toThrow(/^Keys\/Key: paths: it starts with the organization id/);
    expect(() => key.addPerimeter(KeyPerimeter.organizationalUnits([]))).toThrow(/without paths would deny every principal of other accounts/);
  });
});

describe('organization policies', () => {
  const management = () => new Stack(new App(), 'Management', { env: { account: '999999999999', region: 'us-east-1' } });

  test.each([
    [{ targetIds: ['o-exampleorg1'] }, /Management\/Scp: targetIds .*got 'o-exampleorg1' \('o-exampleorg1' is an organization id: give its root id/],
    [{ targetIds: ['ou-ab12'] }, /got 'ou-ab12'/],
    [{ grantPlatformRoleArns: ['platform-role'] }, /grantPlatformRoleArns: a role ARN .*got 'platform-role'/],
    [{ breakGlassRoleArns: ['arn:aws:iam::111111111111:role/x'] }, /breakGlassRoleArns are exceptions of denyKeyDeletion, which is off/],
    [{ requiredTagKeys: ['aws:cloudformation:stack-name'] }, /requiredTagKeys: .*got 'aws:cloudformation:stack-name'/],
    [{ allowedKeyOrigins: ['AWS-KMS'] }, /allowedKeyOrigins: a key origin is one of AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE, got 'AWS-KMS'/],
    [{ denyLockoutCheckBypass: false, denyGrantsNotForAwsResources: false }, /every statement is turned off/],
  ])('SCP %j', (props, message) => {
    expect(() => new KmsServiceControlPolicy(management(), 'Scp', props)).toThrow(message);
  });

  test('RCP input', () => {
    expect(() => new KmsResourceControlPolicy(management(), 'Rcp', { organizationId: 'exampleorg1' }))
      .toThrow(/Management\/Rcp: organizationId: an organization id is 'o-' followed by 10 to 32 lowercase letters or digits, got 'exampleorg1'/);
    expect(() => new KmsResourceControlPolicy(management(), 'Rcp', { organizationId: 'o-exampleorg1', trustedAccountIds: ['12345'] }))
      .toThrow(/trustedAccountIds: an account id has exactly 12 digits, got '12345'/);
  });

  test('a policy over 5,120 characters fails at synth, with its size and the path', () => {
    const stack = management();
    const roles = Array.from({ length: 90 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/platform-grant-creator`);
    new KmsServiceControlPolicy(stack, 'Scp', { grantPlatformRoleArns: roles });
    expect(() => (stack.node.root as App).synth())
      .toThrow(/\[Management\/Scp\] the service control policy has \d{4} characters, over the AWS Organizations limit of 5120/);
  });

  test('control: the same policy with fewer roles synthesizes', () => {
    const stack = management();
    const roles = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/platform-grant-creator`);
    const scp = new KmsServiceControlPolicy(stack, 'Scp', { grantPlatformRoleArns: roles });
    // The same validation that synth runs, without synthesizing the app.
    expect(scp.node.validate()).toEqual([]);
  });
});

describe('the StackSet', () => {
  const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/0b7e8f1c-2222-4333-8444-555566667777';
  function build(props: Partial<MemberAccountStackSetProps>) {
    const app = new App();
    const management = new Stack(app, 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
    const member = new MemberAccountStack(app, 'Member');
    new EbsSharedKeyAccess(member, 'Access', { keyArn: KEY_ARN, roles: [iam.Role.fromRoleName(member, 'Copiers', 'copiers')] });
    return new MemberAccountStackSet(management, 'Set', { stack: member, organizationalUnitIds: ['ou-ab12-11111111'], regions: ['eu-west-1'], ...props });
  }

  test.each([
    [{ organizationalUnitIds: ['o-exampleorg1'] }, /^Management\/Set: organizationalUnitIds: an organizational unit id .*got 'o-exampleorg1' \('o-exampleorg1' is an organization id: give its root id/],
    [{ organizationalUnitIds: ['o-exampleorg1/r-ab12/ou-ab12-11111111'] }, /give the last id of a path/],
    [{ organizationalUnitIds: ['r-AB12'] }, /got 'r-AB12'/],
    [{ organizationalUnitIds: [] }, /give at least one organizational unit/],
    [{ regions: ['eu-west-9'] }, /regions: 'eu-west-9' is not an AWS region known to aws-cdk-lib/],
    [{ regions: ['eu-west-1', 'eu-west-1'] }, /'eu-west-1' is given twice/],
    [{ accountIds: ['999999999999'] }, /accountIds: '999999999999' is the management account, which a service-managed StackSet never deploys to/],
    [{ callAs: undefined, managementAccountId: '222222222222', accountIds: ['222222222222'] }, /'222222222222' is the management account/],
    [{ maxConcurrentCount: 5 }, /maxConcurrentCount 5 is over failureToleranceCount \+ 1 \(1\)/],
    [{ failureToleranceCount: 1, failureTolerancePercentage: 10 }, /give one of failureToleranceCount and failureTolerancePercentage, got both/],
    [{ maxConcurrentPercentage: 0 }, /maxConcurrentPercentage is a whole number from 1 to 100, got 0/],
    [{ stackSetName: '1-access' }, /stackSetName is a letter followed by/],
  ])('%j', (props, message) => {
    expect(() => build(props as Partial<MemberAccountStackSetProps>)).toThrow(message);
  });

  test('an ordinary Stack is refused', () => {
    const app = new App();
    const management = new Stack(app, 'Management');
    expect(() => new MemberAccountStackSet(management, 'Set', { stack: new Stack(app, 'Plain') as MemberAccountStack, organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1'] }))
      .toThrow(/Management\/Set: stack: give a MemberAccountStack/);
  });

  test('assets are refused where they are added, with the member stack path', () => {
    const member = new MemberAccountStack(new App(), 'Member');
    expect(() => new lambda.Function(member, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(__dirname) }))
      .toThrow(/^Member: a MemberAccountStack cannot hold assets \(got a file asset .*\): StackSets deploy it to member accounts that have no CDK bootstrap bucket/);
    expect(() => new EbsSharedKeyAccess(member, 'Access', { keyArn: KEY_ARN, autoScalingGrant: true })).toThrow(/cannot hold assets/);
  });

  test('a reference to another stack and a template over the TemplateBody limit fail at synth', () => {
    const app = new App();
    const management = new Stack(app, 'Management', { env: { account: '999999999999', region: 'us-east-1' } });
    const member = new MemberAccountStack(app, 'Member');
    const other = new Stack(app, 'Other');
    const role = new iam.Role(other, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    for (let i = 0; i < 250; i++) {
      new iam.ManagedPolicy(member, `Policy${i}`, {
        statements: [new iam.PolicyStatement({ actions: ['kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'], resources: [KEY_ARN] })],
      });
    }
    new iam.ManagedPolicy(member, 'Imported', { statements: [new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [role.roleArn] })] });
    new MemberAccountStackSet(management, 'Set', { stack: member, organizationalUnitIds: ['ou-ab12-11111111'], regions: ['eu-west-1'] });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/\[Management\/Set\] the template of Member has \d+ bytes, over the 51200 bytes CloudFormation takes inline/);
    expect(message).toMatch(/\[Management\/Set\] Member references resources of other stacks \(Fn::GetAtt Role1ABCC5F0\), which do not exist in member accounts/);
  });
});
