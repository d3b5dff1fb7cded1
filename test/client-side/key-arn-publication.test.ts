import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, KeyArnPublication, ReplicaKey } from '../../src';
import { decide, idOf, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';

function stackIn(app: App, id: string, region: string): Stack {
  return new Stack(app, id, { env: { account: ACCOUNT, region } });
}

describe('KeyArnPublication', () => {
  test('publishes the key ARN in an SSM parameter and an exported stack output', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Keys', 'eu-west-1');
    const key = new CustomerManagedKey(stack, 'Key');
    // WHEN
    new KeyArnPublication(stack, 'Publication', { key, parameterName: '/app/orders/kms-key-arn', exportName: 'orders-kms-key-arn' });
    // THEN
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/app/orders/kms-key-arn', Type: 'String', Value: keyArn });
    template.hasOutput('*', { Value: keyArn, Export: { Name: 'orders-kms-key-arn' } });
  });

  test('without exportName the output is not exported', () => {
    const stack = stackIn(new App(), 'Keys', 'eu-west-1');
    new KeyArnPublication(stack, 'Publication', { key: new CustomerManagedKey(stack, 'Key'), parameterName: '/app/key' });
    Template.fromStack(stack).hasOutput('*', { Export: Match.absent() });
  });

  test('grantRead lets a principal read the parameter, and only it', async () => {
    // GIVEN
    const stack = stackIn(new App(), 'Keys', 'eu-west-1');
    const publication = new KeyArnPublication(stack, 'Publication', { key: new CustomerManagedKey(stack, 'Key'), parameterName: '/app/key' });
    const client = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    publication.grantRead(client);
    // THEN
    const world = new World(stack);
    const roleId = stack.getLogicalId(client.node.defaultChild as iam.CfnRole);
    const read = (resource: string) => decide({
      principal: world.arnOf(roleId),
      action: 'ssm:GetParameter',
      resource,
      resourceAccount: ACCOUNT,
      identityPolicies: world.identityPoliciesOf(roleId),
    });
    expect(await read(`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/key`)).toEqual('Allowed');
    expect(await read(`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/other`)).not.toEqual('Allowed');
  });

  test('readers read the parameter through a managed policy, and only this parameter', async () => {
    // GIVEN
    const stack = stackIn(new App(), 'Keys', 'eu-west-1');
    const client = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    new KeyArnPublication(stack, 'Publication', { key: new CustomerManagedKey(stack, 'Key'), parameterName: '/app/key', readers: [client] });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const world = new World(stack);
    const roleId = stack.getLogicalId(client.node.defaultChild as iam.CfnRole);
    const identityPolicies = world.identityPoliciesOf(roleId);
    expect(identityPolicies.map((p) => p.name)).toEqual([expect.stringMatching(/^PublicationReadPolicy/)]);
    const read = (action: string, resource: string) => decide({
      principal: world.arnOf(roleId), action, resource, resourceAccount: ACCOUNT, identityPolicies,
    });
    expect(await read('ssm:GetParameter', `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/key`)).toEqual('Allowed');
    expect(await read('ssm:GetParameters', `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/key`)).toEqual('Allowed');
    expect(await read('ssm:GetParameter', `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/other`)).not.toEqual('Allowed');
    expect(await read('ssm:PutParameter', `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/key`)).not.toEqual('Allowed');
  });

  test('refuses readers of another account', () => {
    const stack = stackIn(new App(), 'Keys', 'eu-west-1');
    const outsider = iam.Role.fromRoleArn(stack, 'Outsider', 'arn:aws:iam::222222222222:role/reader');
    expect(() => new KeyArnPublication(stack, 'Publication', { key: new CustomerManagedKey(stack, 'Key'), parameterName: '/app/key', readers: [outsider] }))
      .toThrow(/^Keys\/Publication: readers must be roles of account 111111111111 \(a managed policy attaches only there\), got Keys\/Outsider of account 222222222222/);
  });

  test('warns when the key is in another region than the parameter', () => {
    const stack = stackIn(new App(), 'Keys', 'eu-west-1');
    const key = kms.Key.fromKeyArn(stack, 'Remote', `arn:aws:kms:us-east-1:${ACCOUNT}:key/${MRK_ID}`);
    new KeyArnPublication(stack, 'Publication', { key, parameterName: '/app/key' });
    Annotations.fromStack(stack).hasWarning('/Keys/Publication', Match.stringLikeRegexp('publishes in region eu-west-1 the ARN of a key in region us-east-1'));
  });

  test('does not warn for a key of its own region', () => {
    const stack = stackIn(new App(), 'Keys', 'eu-west-1');
    new KeyArnPublication(stack, 'Publication', { key: new CustomerManagedKey(stack, 'Key'), parameterName: '/app/key' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('ARN of a key in region'));
  });

  describe('a malformed parameter name fails with the path, the name received and what is allowed', () => {
    test.each<[string, string, RegExp]>([
      ['a hierarchy without a leading slash', 'app/key', /^Keys\/Publication: parameterName must be a name of a-zA-Z0-9_.- \(such as 'app-kms-key-arn'\), or a path of such segments each after a \/ \(such as '\/app\/kms-key-arn'\): a name with a hierarchy starts with \/ and does not end with one, got 'app\/key'$/],
      ['a trailing slash', '/app/key/', /a name with a hierarchy starts with \/ and does not end with one, got '\/app\/key\/'/],
      ['an empty segment', '/app//key', /segments '' are empty or hold other characters, got '\/app\/\/key'/],
      ['a space', '/app/my key', /segments 'my key' are empty or hold other characters/],
      ['a character SSM refuses', '/app/key:arn', /segments 'key:arn' are empty or hold other characters/],
      ['the aws prefix', '/aws/app/key', /^Keys\/Publication: parameterName must not start with 'aws' or 'ssm' in any case \(reserved by AWS\), got '\/aws\/app\/key'$/],
      ['the ssm prefix in capitals', '/SSM-app/key', /must not start with 'aws' or 'ssm' in any case .*got '\/SSM-app\/key'/],
      ['more than 15 levels', `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, /parameterName has at most 15 levels, got 16 in/],
      ['a name too long for the ARN', `/app/${'k'.repeat(1000)}`, /^Keys\/Publication: parameterName may have at most 967 characters here \(the parameter ARN has at most 1011\), got 1005$/],
      ['an empty name', '', /parameterName must be a name of a-zA-Z0-9_.- .*got ''/],
    ])('%s', (_name, parameterName, message) => {
      const stack = stackIn(new App(), 'Keys', 'eu-west-1');
      const key = new CustomerManagedKey(stack, 'Key');
      expect(() => new KeyArnPublication(stack, 'Publication', { key, parameterName })).toThrow(message);
    });

    test('every problem in one message', () => {
      const stack = stackIn(new App(), 'Keys', 'eu-west-1');
      const key = new CustomerManagedKey(stack, 'Key');
      expect(() => new KeyArnPublication(stack, 'Publication', { key, parameterName: '/aws/a b' }))
        .toThrow(/^Keys\/Publication: 2 problems:/);
    });

    test('without a known region, the longest region counts', () => {
      const stack = new Stack(new App(), 'Keys');
      const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${MRK_ID}`);
      expect(() => new KeyArnPublication(stack, 'Publication', { key, parameterName: `/app/${'k'.repeat(962)}` }))
        .toThrow(/parameterName may have at most 954 characters here/);
    });

    test('the longest name that fits is accepted', () => {
      const stack = stackIn(new App(), 'Keys', 'eu-west-1');
      const key = new CustomerManagedKey(stack, 'Key');
      expect(() => new KeyArnPublication(stack, 'Publication', { key, parameterName: `/app/${'k'.repeat(962)}` })).not.toThrow();
    });
  });
});

describe('KeyArnPublication.forMultiRegionKey', () => {
  /** GIVEN a multi-Region primary in eu-west-1 and replicas (any kms.IKey) in the stacks of two other regions. */
  function setup() {
    const app = new App();
    const primaryStack = stackIn(app, 'Primary', 'eu-west-1');
    const primary = new CustomerManagedKey(primaryStack, 'Key', { multiRegion: true });
    const replicaStacks = ['us-east-1', 'ap-southeast-2'].map((region) => stackIn(app, `Replica-${region}`, region));
    const replicas = replicaStacks.map((s) => kms.Key.fromKeyArn(s, 'Replica', `arn:aws:kms:${s.region}:${ACCOUNT}:key/${MRK_ID}`));
    return { app, primaryStack, primary, replicaStacks, replicas };
  }

  test('publishes, under the same name in every region, that region\'s key ARN', () => {
    const { primaryStack, primary, replicaStacks, replicas } = setup();
    // WHEN
    const publications = KeyArnPublication.forMultiRegionKey('TokensKeyArn', {
      primary, replicas, parameterName: '/app/tokens/kms-key-arn', exportName: 'tokens-kms-key-arn',
    });
    // THEN
    expect(publications.map((p) => Stack.of(p))).toEqual([primaryStack, ...replicaStacks]);
    const primaryWorld = new World(primaryStack);
    const primaryId = primaryStack.getLogicalId(primary.node.defaultChild as kms.CfnKey);
    const primaryParam = Template.fromStack(primaryStack).toJSON().Resources;
    const [paramId, param] = Object.entries(primaryParam).find(([, r]: [string, any]) => r.Type === 'AWS::SSM::Parameter') as [string, any];
    expect(param.Properties.Name).toEqual('/app/tokens/kms-key-arn');
    expect(primaryWorld.resolveIn(paramId, param.Properties.Value)).toEqual(primaryWorld.arnOf(primaryId));
    for (const stack of replicaStacks) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SSM::Parameter', 1);
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/app/tokens/kms-key-arn',
        Value: `arn:aws:kms:${stack.region}:${ACCOUNT}:key/${MRK_ID}`,
      });
      template.hasOutput('*', { Value: `arn:aws:kms:${stack.region}:${ACCOUNT}:key/${MRK_ID}`, Export: { Name: 'tokens-kms-key-arn' } });
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    }
  });

  test('publishes the primary alone when there is no replica yet', () => {
    const { primary } = setup();
    expect(KeyArnPublication.forMultiRegionKey('KeyArn', { primary, parameterName: '/app/key' })).toHaveLength(1);
  });

  test('refuses replicas of a key that is not multi-Region', () => {
    const app = new App();
    const primary = new CustomerManagedKey(stackIn(app, 'Primary', 'eu-west-1'), 'Key');
    const s = stackIn(app, 'Replica', 'us-east-1');
    const replica = kms.Key.fromKeyArn(s, 'Replica', `arn:aws:kms:us-east-1:${ACCOUNT}:key/${MRK_ID}`);
    expect(() => KeyArnPublication.forMultiRegionKey('KeyArn', { primary, replicas: [replica], parameterName: '/app/key' }))
      .toThrow(/^Primary\/Key: KeyArnPublication.forMultiRegionKey: the primary is not a multi-Region key \(multiRegion: true\), so it has no replicas$/);
  });

  test('refuses a replica in the primary\'s stack, and two keys in one region', () => {
    const { app, primaryStack, primary, replicas } = setup();
    const inPrimaryStack = kms.Key.fromKeyArn(primaryStack, 'Same', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${MRK_ID}`);
    const second = kms.Key.fromKeyArn(stackIn(app, 'Second', 'us-east-1'), 'Replica', `arn:aws:kms:us-east-1:${ACCOUNT}:key/${MRK_ID}`);
    expect(() => KeyArnPublication.forMultiRegionKey('KeyArn', {
      primary, replicas: [inPrimaryStack, ...replicas, second], parameterName: '/app/key',
    })).toThrow(new RegExp([
      '^Primary/Key: 2 problems:',
      "  - KeyArnPublication.forMultiRegionKey: the replica Primary/Same is in the primary's stack; each replica lives in the stack of its own region",
      '  - KeyArnPublication.forMultiRegionKey: region us-east-1 of the replica Second/Replica already has another replica; a region holds one key of a multi-Region key$',
    ].join('\n')));
  });

  test('refuses a replica in the primary\'s region', () => {
    const { app, primary } = setup();
    const replica = kms.Key.fromKeyArn(stackIn(app, 'Other', 'eu-west-1'), 'Replica', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${MRK_ID}`);
    expect(() => KeyArnPublication.forMultiRegionKey('KeyArn', { primary, replicas: [replica], parameterName: '/app/key' }))
      .toThrow(/region eu-west-1 of the replica Other\/Replica already has the primary/);
  });
});

describe('with ReplicaKey', () => {
  test('each region publishes its own key ARN under one parameter name: the primary\'s and each replica\'s', () => {
    // GIVEN a multi-Region primary in eu-west-1 and its replicas in two other regions
    const app = new App();
    const primaryStack = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const primary = new CustomerManagedKey(primaryStack, 'Key', { multiRegion: true });
    const replicas = ReplicaKey.replicate(primary, { regions: ['us-east-1', 'ap-southeast-2'] });

    // WHEN
    const publications = KeyArnPublication.forMultiRegionKey('KeyArn', { primary, replicas, parameterName: '/app/kms-key-arn' });

    // THEN every stack holds the parameter, valued with the ARN of the key of its own region
    const world = new World(primaryStack, ...replicas.map((r) => Stack.of(r)));
    expect(publications).toHaveLength(3);
    for (const key of [primary, ...replicas]) {
      const stack = Stack.of(key);
      const parameter = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter'))[0];
      expect(parameter.Properties.Name).toEqual('/app/kms-key-arn');
      const keyId = idOf(key);
      expect(world.resolveIn(keyId, parameter.Properties.Value)).toEqual(world.arnOf(keyId));
      expect(world.arnOf(keyId)).toContain(`:kms:${stack.region}:`);
    }
  });
});
