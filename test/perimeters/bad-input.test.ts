import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CustomerManagedKey, KeyPerimeter, NetworkPerimeterOptions } from '../../src';

function newKey(): CustomerManagedKey {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  return new CustomerManagedKey(stack, 'Key');
}

describe('a malformed organization id fails with the path, what was received and what is allowed', () => {
  test.each([
    ['o-short', /^Stack\/Key: organizationId must be 'o-' and 10 to 32 lowercase letters or digits, got 'o-short'$/],
    ['o-EXAMPLEORGID', /got 'o-EXAMPLEORGID'/],
    ['org-exampleorgid1', /got 'org-exampleorgid1'/],
    ['r-examplerootid', /got 'r-examplerootid'/],
    [`o-${'a'.repeat(33)}`, /organizationId must be 'o-' and 10 to 32 lowercase letters or digits/],
    ['', /got ''/],
  ])('%s', (id, message) => {
    expect(() => newKey().addPerimeter(KeyPerimeter.organization(id))).toThrow(message);
  });

  test('a well-formed id is accepted', () => {
    expect(() => newKey().addPerimeter(KeyPerimeter.organization('o-exampleorgid1'))).not.toThrow();
  });
});

describe('a malformed VPC endpoint or VPC id fails with the path, what was received and what is allowed', () => {
  test.each<[string, NetworkPerimeterOptions, RegExp]>([
    ['endpoint too short', { vpcEndpointIds: ['vpce-1234'] }, /^Stack\/Key: vpcEndpointIds must be 'vpce-' and 8 or 17 hexadecimal digits, got 'vpce-1234'$/],
    ['endpoint of 16 digits', { vpcEndpointIds: ['vpce-0123456789abcdef'] }, /got 'vpce-0123456789abcdef'/],
    ['endpoint not hexadecimal', { vpcEndpointIds: ['vpce-0123456g'] }, /got 'vpce-0123456g'/],
    ['endpoint in upper case', { vpcEndpointIds: ['vpce-0123456789ABCDEF0'] }, /got 'vpce-0123456789ABCDEF0'/],
    ['a VPC as endpoint', { vpcEndpointIds: ['vpc-0a1b2c3d'] }, /got 'vpc-0a1b2c3d' \('vpc-0a1b2c3d' is a VPC id: put it in vpcIds\)/],
    ['VPC too short', { vpcIds: ['vpc-123'] }, /^Stack\/Key: vpcIds must be 'vpc-' and 8 or 17 hexadecimal digits, got 'vpc-123'$/],
    ['an endpoint as VPC', { vpcIds: ['vpce-0a1b2c3d'] }, /got 'vpce-0a1b2c3d' \('vpce-0a1b2c3d' is a VPC endpoint id: put it in vpcEndpointIds\)/],
    ['subnet as VPC', { vpcIds: ['subnet-0a1b2c3d'] }, /vpcIds must be 'vpc-' and 8 or 17 hexadecimal digits, got 'subnet-0a1b2c3d'/],
    ['endpoint twice', { vpcEndpointIds: ['vpce-0a1b2c3d', 'vpce-0a1b2c3d'] }, /vpcEndpointIds has 'vpce-0a1b2c3d' twice/],
  ])('%s', (_, options, message) => {
    expect(() => newKey().addPerimeter(KeyPerimeter.network(options))).toThrow(message);
  });

  test('every problem in one message', () => {
    expect(() => newKey().addPerimeter(KeyPerimeter.network({ vpcEndpointIds: ['vpce-1'], vpcIds: ['vpc-2'] })))
      .toThrow(/^Stack\/Key: 2 problems:\n {2}- vpcEndpointIds .*'vpce-1'\n {2}- vpcIds .*'vpc-2'$/);
  });

  test('well-formed ids of 8 and 17 digits are accepted', () => {
    expect(() => newKey().addPerimeter(KeyPerimeter.network({ vpcEndpointIds: ['vpce-0a1b2c3d', 'vpce-0123456789abcdef0'], vpcIds: ['vpc-0123456789abcdef0'] }))).not.toThrow();
  });
});

describe('a perimeter that would lock out every principal fails', () => {
  test.each<[string, NetworkPerimeterOptions]>([
    ['no options', {}],
    ['empty lists', { vpcEndpointIds: [], vpcIds: [] }],
  ])('a network perimeter with %s', (_, options) => {
    expect(() => newKey().addPerimeter(KeyPerimeter.network(options)))
      .toThrow(/^Stack\/Key: a network perimeter without vpcEndpointIds or vpcIds would deny every use of the key by IAM principals; name at least one VPC endpoint or VPC$/);
  });

  test('a second organization perimeter (a principal belongs to one organization)', () => {
    const key = newKey();
    key.addPerimeter(KeyPerimeter.organization('o-exampleorgid1'));
    expect(() => key.addPerimeter(KeyPerimeter.organization('o-exampleorgid2')))
      .toThrow(/^Stack\/Key: the key already has an organization perimeter \(o-exampleorgid1\); a principal belongs to one organization, so a second \(organization perimeter \(o-exampleorgid2\)\) would deny every IAM principal$/);
  });

  test('a second network perimeter', () => {
    const key = newKey();
    key.addPerimeter(KeyPerimeter.network({ vpcIds: ['vpc-0a1b2c3d'] }));
    expect(() => key.addPerimeter(KeyPerimeter.network({ vpcIds: ['vpc-1a1b2c3d'] })))
      .toThrow(/the key already has a network perimeter \(vpc-0a1b2c3d\); give every VPC endpoint and VPC in one network perimeter/);
  });
});

describe('grants that a perimeter makes unusable fail at synth', () => {
  const synth = (key: CustomerManagedKey) => (key.node.root as App).synth();

  test('sharing with another organization under an organization perimeter', () => {
    const key = newKey();
    key.addPerimeter(KeyPerimeter.organization('o-exampleorgid1'));
    // Grants refuse '*' (an organization principal is '*' with aws:PrincipalOrgID): shared use goes through a service.
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.OrganizationPrincipal('o-partnerorg12')],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
    }));
    expect(() => synth(key)).toThrow(/\[Stack\/Key\] statement '.*' gives use of the key only with aws:PrincipalOrgID o-partnerorg12, which the organization perimeter \(o-exampleorgid1\) denies: nobody can ever use that grant/);
  });

  test('sharing within the organization passes', () => {
    const key = newKey();
    key.addPerimeter(KeyPerimeter.organization('o-exampleorgid1'));
    // Grants refuse '*' (an organization principal is '*' with aws:PrincipalOrgID): shared use goes through a service.
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.OrganizationPrincipal('o-exampleorgid1')],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
    }));
    expect(() => synth(key)).not.toThrow();
  });

  test('a grant pinned to a VPC endpoint outside a network perimeter of endpoints', () => {
    const key = newKey();
    key.addPerimeter(KeyPerimeter.network({ vpcEndpointIds: ['vpce-0a1b2c3d'] }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'UseThroughEndpoint',
      principals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/app')],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceVpce': 'vpce-9a9b9c9d' } },
    }));
    expect(() => synth(key)).toThrow(/statement 'UseThroughEndpoint' gives use of the key only with aws:SourceVpce vpce-9a9b9c9d, which the network perimeter \(vpce-0a1b2c3d\) denies/);
  });

  test('the same grant may still pass when the perimeter also lists VPCs (the endpoint may be in one)', () => {
    const key = newKey();
    key.addPerimeter(KeyPerimeter.network({ vpcEndpointIds: ['vpce-0a1b2c3d'], vpcIds: ['vpc-0a1b2c3d'] }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/app')],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceVpce': 'vpce-9a9b9c9d' } },
    }));
    expect(() => synth(key)).not.toThrow();
  });
});
