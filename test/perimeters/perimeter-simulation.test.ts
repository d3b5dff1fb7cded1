import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, KeyPerimeter, ServicePreset, ServiceVia } from '../../src';
import { CRYPTOGRAPHIC_ACTIONS, MANAGEMENT_ACTIONS } from '../../src/private/perms';
import { decide, Decision, KMS_STAR_POLICY, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const PARTNER_ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const ORG = 'o-exampleorgid1';
const OTHER_ORG = 'o-otherorgid22';
const ENDPOINT = 'vpce-0123456789abcdef0';
const VPC = 'vpc-0a1b2c3d';
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
const PARTNER = `arn:aws:iam::${PARTNER_ACCOUNT}:role/partner`;
const SERVICE_LINKED_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
const ORDERS_LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/orders`;

interface Setup {
  readonly keyArn: string;
  readonly keyPolicy: any;
  readonly template: Template;
  readonly roles: Record<'admin' | 'user' | 'viaS3', string>;
}

/**
 * GIVEN a key administered by a role (and a deploying key policy manager), used by a role of the account,
 * a partner role of another account and a service-linked role, by a role through S3 and by CloudWatch
 * Logs; WHEN the given perimeters are added.
 */
function setup(...perimeters: KeyPerimeter[]): Setup {
  const stack = new Stack(new App(), 'Keys', { env: { account: ACCOUNT, region: REGION } });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const viaS3 = new iam.Role(stack, 'ViaS3', { assumedBy: new iam.AccountRootPrincipal() });
  const key = new CustomerManagedKey(stack, 'Key', {
    admins: [admin],
    users: [user, iam.Role.fromRoleArn(stack, 'Partner', PARTNER), iam.Role.fromRoleArn(stack, 'Slr', SERVICE_LINKED_ROLE)],
  });
  key.allowUseVia(ServiceVia.s3(), { principals: [viaS3] });
  key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app/orders'] }));
  for (const p of perimeters) {
    key.addPerimeter(p);
  }
  const world = new World(stack);
  const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
  const id = (r: iam.Role) => stack.getLogicalId(r.node.defaultChild as iam.CfnRole);
  return {
    keyArn: world.arnOf(keyId),
    keyPolicy: world.keyPolicy(keyId),
    template: Template.fromStack(stack),
    roles: { admin: world.arnOf(id(admin)), user: world.arnOf(id(user)), viaS3: world.arnOf(id(viaS3)) },
  };
}

/** The CloudFormation execution role, allowed by its own IAM policy (the account root administers the key). */
function deploy(s: Setup, context: Record<string, string>): Promise<Decision> {
  return decide({
    principal: DEPLOYER,
    action: 'kms:PutKeyPolicy',
    resource: s.keyArn,
    resourceAccount: ACCOUNT,
    resourcePolicy: s.keyPolicy,
    identityPolicies: [KMS_STAR_POLICY],
    context: { 'aws:PrincipalArn': DEPLOYER, 'aws:CalledVia': 'cloudformation.amazonaws.com', ...context },
  });
}

function ask(s: Setup, principal: string, action: string, context: Record<string, string> = {}): Promise<Decision> {
  // Cross-account principals also need their own identity policy: give them kms:* there.
  const identityPolicies = principal.startsWith('arn:') && !principal.includes(`::${ACCOUNT}:`) ? [KMS_STAR_POLICY] : [];
  return decide({
    principal,
    action,
    resource: s.keyArn,
    resourceAccount: ACCOUNT,
    resourcePolicy: s.keyPolicy,
    identityPolicies,
    context: { 'aws:PrincipalArn': principal, ...context },
  });
}

const logsRequest = {
  'aws:PrincipalIsAWSService': 'true',
  'aws:SourceAccount': ACCOUNT,
  'kms:EncryptionContext:aws:logs:arn': ORDERS_LOG_GROUP,
};

describe('without a perimeter (baseline)', () => {
  const s = setup();

  test('users of the account and of the partner account decrypt from anywhere', async () => {
    expect(await ask(s, s.roles.user, 'kms:Decrypt')).toEqual('Allowed');
    expect(await ask(s, PARTNER, 'kms:Decrypt')).toEqual('Allowed');
  });
});

describe('organization perimeter', () => {
  const s = setup(KeyPerimeter.organization(ORG));
  const inOrg = { 'aws:PrincipalOrgID': ORG };

  test('users inside the organization keep their use', async () => {
    expect(await ask(s, s.roles.user, 'kms:Decrypt', inOrg)).toEqual('Allowed');
    expect(await ask(s, PARTNER, 'kms:Decrypt', inOrg)).toEqual('Allowed');
  });

  test.each(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:CreateGrant'])(
    'a named user outside the organization is denied %s even with a matching allow', async (action) => {
      const grantContext: Record<string, string> = action === 'kms:CreateGrant' ? { 'kms:GrantIsForAWSResource': 'true' } : {};
      expect(await ask(s, PARTNER, action, { 'aws:PrincipalOrgID': OTHER_ORG, ...grantContext })).toEqual('ExplicitlyDenied');
      expect(await ask(s, PARTNER, action, grantContext)).toEqual('ExplicitlyDenied');
    });

  test('a principal outside the organization is denied through an AWS service too', async () => {
    expect(await ask(s, s.roles.viaS3, 'kms:Decrypt', { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'aws:ViaAWSService': 'true' })).toEqual('ExplicitlyDenied');
    expect(await ask(s, s.roles.viaS3, 'kms:Decrypt', { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'aws:ViaAWSService': 'true', ...inOrg })).toEqual('Allowed');
  });

  test('AWS services with their service principals still get through', async () => {
    expect(await ask(s, `logs.${REGION}.amazonaws.com`, 'kms:GenerateDataKey', logsRequest)).toEqual('Allowed');
  });

  test.each(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:TagResource'])(
    'administration is never denied: the admin may %s from outside the organization', async (action) => {
      expect(await ask(s, s.roles.admin, action)).toEqual('Allowed');
    });

});

describe('network perimeter', () => {
  const s = setup(KeyPerimeter.network({ vpcEndpointIds: [ENDPOINT], vpcIds: [VPC] }));

  test('a request through the VPC endpoint, or from the VPC, is allowed', async () => {
    expect(await ask(s, s.roles.user, 'kms:Decrypt', { 'aws:SourceVpce': ENDPOINT, 'aws:SourceVpc': 'vpc-99999999' })).toEqual('Allowed');
    expect(await ask(s, s.roles.user, 'kms:Decrypt', { 'aws:SourceVpce': 'vpce-99999999', 'aws:SourceVpc': VPC })).toEqual('Allowed');
  });

  test.each(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'])(
    'a request without the VPC endpoint is denied %s even with a matching allow', async (action) => {
      const grantContext: Record<string, string> = action === 'kms:CreateGrant' ? { 'kms:GrantIsForAWSResource': 'true' } : {};
      expect(await ask(s, s.roles.user, action, grantContext)).toEqual('ExplicitlyDenied');
      expect(await ask(s, s.roles.user, action, { 'aws:SourceVpce': 'vpce-99999999', 'aws:SourceVpc': 'vpc-99999999', ...grantContext })).toEqual('ExplicitlyDenied');
    });

  test('AWS services get through: service principals, and services acting for a principal', async () => {
    expect(await ask(s, `logs.${REGION}.amazonaws.com`, 'kms:GenerateDataKey', logsRequest)).toEqual('Allowed');
    expect(await ask(s, s.roles.viaS3, 'kms:Decrypt', { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'aws:ViaAWSService': 'true' })).toEqual('Allowed');
  });

  test('service-linked roles get through', async () => {
    expect(await ask(s, SERVICE_LINKED_ROLE, 'kms:Decrypt')).toEqual('Allowed');
  });

  test.each(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:TagResource'])(
    'administration is never denied: the admin may %s from outside the network', async (action) => {
      expect(await ask(s, s.roles.admin, action)).toEqual('Allowed');
    });
});

describe('both perimeters', () => {
  const s = setup(KeyPerimeter.organization(ORG), KeyPerimeter.network({ vpcEndpointIds: [ENDPOINT] }));

  test('the deployment still gets through: the deploy role may PutKeyPolicy from outside the network and the organization', async () => {
    expect(await deploy(s, {})).toEqual('Allowed');
    expect(await deploy(s, { 'aws:PrincipalOrgID': OTHER_ORG, 'aws:SourceIp': '203.0.113.10' })).toEqual('Allowed');
  });

  test('a request must pass both', async () => {
    expect(await ask(s, s.roles.user, 'kms:Decrypt', { 'aws:PrincipalOrgID': ORG, 'aws:SourceVpce': ENDPOINT })).toEqual('Allowed');
    expect(await ask(s, s.roles.user, 'kms:Decrypt', { 'aws:PrincipalOrgID': ORG })).toEqual('ExplicitlyDenied');
    expect(await ask(s, s.roles.user, 'kms:Decrypt', { 'aws:SourceVpce': ENDPOINT })).toEqual('ExplicitlyDenied');
  });

  test('the perimeters deny cryptographic actions only, never administration', () => {
    const denies = s.keyPolicy.Statement.filter((st: any) => st.Effect === 'Deny');
    expect(denies.map((st: any) => st.Sid).sort()).toEqual(['IdentityPerimeter', 'NetworkPerimeter']);
    for (const st of denies) {
      expect([...st.Action].sort()).toEqual([...CRYPTOGRAPHIC_ACTIONS].sort());
      expect(st.Action.filter((a: string) => MANAGEMENT_ACTIONS.includes(a))).toEqual([]);
    }
  });

  test('the admin keeps every administrator action from anywhere, outside the organization', async () => {
    for (const action of MANAGEMENT_ACTIONS.filter((a) => !['kms:ImportKeyMaterial', 'kms:ReplicateKey', 'kms:UpdatePrimaryRegion'].includes(a))) {
      expect([action, await ask(s, s.roles.admin, action)]).toEqual([action, 'Allowed']);
    }
  });
});
