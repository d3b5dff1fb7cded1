import { App, Stack } from 'aws-cdk-lib';
import { CustomerManagedKey, KeyPerimeter, KmsResourceControlPolicy, KmsServiceControlPolicy, SharingTargets } from '../../src';

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
    expect(() => key.shareForSnapshotCopy(SharingTargets.organizationalUnits(['o-exampleorg1/r-ab12/ou-ab12-11111111'])))
      .toThrow(/'o-exampleorg1\/r-ab12\/ou-ab12-11111111\/' is already shared for SNAPSHOT_COPY/);
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
