import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImportedKeyRing, ImportedKeyRingProps, KeyOrigin } from '../../src';
import { World } from '../helpers/world';

const env = { account: '111111111111', region: 'eu-west-1' };

interface Deployed {
  readonly stack: Stack;
  readonly ring: ImportedKeyRing;
  readonly template: Template;
}

/** GIVEN an app whose ring declares the given versions (a fresh app each time: one deployment). */
function deploy(versions: string[], extra: Partial<ImportedKeyRingProps> = {}): Deployed {
  const stack = new Stack(new App(), 'Keys', { env });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const ring = new ImportedKeyRing(stack, 'Ring', {
    aliasName: 'alias/payments/tokens',
    versions,
    admins: [admin],
    users: [user],
    ...extra,
  });
  return { stack, ring, template: Template.fromStack(stack) };
}

function keyLogicalId(d: Deployed, label: string): string {
  return d.stack.getLogicalId(d.ring.versionKey(label).node.defaultChild as kms.CfnKey);
}

function aliasOf(d: Deployed): [string, any] {
  const aliases = Object.entries(d.template.findResources('AWS::KMS::Alias'));
  expect(aliases).toHaveLength(1);
  return aliases[0];
}

describe('ImportedKeyRing', () => {
  test('every version is a key for imported material, without automatic rotation, retained', () => {
    const d = deploy(['v1', 'v2', 'v3']);
    d.template.resourceCountIs('AWS::KMS::Key', 3);
    for (const key of Object.values(d.template.findResources('AWS::KMS::Key'))) {
      expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(key.Properties).toMatchObject({ Origin: 'EXTERNAL', PendingWindowInDays: 30 });
      expect(key.Properties.EnableKeyRotation).toBeUndefined();
    }
    d.template.hasResourceProperties('AWS::KMS::Key', { Description: 'Version v2 of alias/payments/tokens' });
  });

  test('the alias points at the newest version', () => {
    const d = deploy(['v1', 'v2']);
    const [, alias] = aliasOf(d);
    expect(alias.Properties.AliasName).toEqual('alias/payments/tokens');
    const world = new World(d.stack);
    expect(world.resolveIn(keyLogicalId(d, 'v2'), alias.Properties.TargetKeyId)).toEqual(world.arnOf(keyLogicalId(d, 'v2')));
    expect(d.ring.activeKey).toBe(d.ring.versionKey('v2'));
    expect(d.ring.retiredKeys).toEqual([d.ring.versionKey('v1')]);
  });

  describe('adding a version (v1, then v1 and v2)', () => {
    const before = deploy(['v1']);
    const after = deploy(['v1', 'v2']);

    test('keeps the logical ID of every resource of v1', () => {
      const v1Ids = (d: Deployed) => d.stack.node.findAll()
        .filter((c): c is CfnElement => c instanceof CfnElement && c.node.path.startsWith('Keys/Ring/Version-v1/'))
        .map((c) => d.stack.getLogicalId(c))
        .sort();
      expect(v1Ids(before).length).toBeGreaterThanOrEqual(1);
      expect(v1Ids(after)).toEqual(v1Ids(before));
      expect(keyLogicalId(after, 'v1')).toEqual(keyLogicalId(before, 'v1'));
    });

    test('changes no replacement-causing property of v1', () => {
      const v1Before = before.template.toJSON().Resources[keyLogicalId(before, 'v1')];
      const v1After = after.template.toJSON().Resources[keyLogicalId(after, 'v1')];
      for (const prop of ['KeySpec', 'KeyUsage', 'Origin', 'MultiRegion', 'Description', 'PendingWindowInDays']) {
        expect([prop, v1After.Properties[prop]]).toEqual([prop, v1Before.Properties[prop]]);
      }
      expect(v1After.DeletionPolicy).toEqual(v1Before.DeletionPolicy);
    });

    test('moves the alias: same alias resource, same name, new target', () => {
      const [idBefore, aliasBefore] = aliasOf(before);
      const [idAfter, aliasAfter] = aliasOf(after);
      expect(idAfter).toEqual(idBefore);
      expect(aliasAfter.Properties.AliasName).toEqual(aliasBefore.Properties.AliasName);
      const world = new World(after.stack);
      const target = world.resolveIn(idAfter, aliasAfter.Properties.TargetKeyId);
      expect(target).toEqual(world.arnOf(keyLogicalId(after, 'v2')));
      expect(target).not.toEqual(world.arnOf(keyLogicalId(after, 'v1')));
      expect(new World(before.stack).resolveIn(idBefore, aliasBefore.Properties.TargetKeyId))
        .toEqual(new World(before.stack).arnOf(keyLogicalId(before, 'v1')));
    });
  });

  test('activeVersion keeps the alias on an older version (a new version waits for its key material)', () => {
    const d = deploy(['v1', 'v2'], { activeVersion: 'v1' });
    const [id, alias] = aliasOf(d);
    const world = new World(d.stack);
    expect(world.resolveIn(id, alias.Properties.TargetKeyId)).toEqual(world.arnOf(keyLogicalId(d, 'v1')));
    expect(d.ring.activeVersion).toEqual('v1');
  });

  test('takes the alias name without its prefix', () => {
    const stack = new Stack(new App(), 'Keys', { env });
    new ImportedKeyRing(stack, 'Ring', { aliasName: 'app/data', versions: ['2025'] });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app/data' });
  });

  test('a ring of HMAC keys of origin AWS_KMS (keys that cannot rotate automatically)', () => {
    const d = deploy(['v1', 'v2'], { origin: KeyOrigin.AWS_KMS, keySpec: kms.KeySpec.HMAC_384 });
    d.template.allResourcesProperties('AWS::KMS::Key', { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC', Origin: Match.absent() });
  });

  test('multi-Region versions', () => {
    const d = deploy(['v1'], { multiRegion: true, description: 'Card tokens' });
    d.template.hasResourceProperties('AWS::KMS::Key', { MultiRegion: true, Description: 'Card tokens (version v1)' });
    expect(d.ring.activeKey.adminActions).toEqual(expect.arrayContaining(['kms:UpdatePrimaryRegion', 'kms:ImportKeyMaterial']));
  });
});

describe('ImportedKeyRing: bad input', () => {
  function ring(props: Partial<ImportedKeyRingProps>): () => void {
    return () => new ImportedKeyRing(new Stack(new App(), 'Stack', { env }), 'Ring', {
      aliasName: 'alias/app',
      versions: ['v1'],
      ...props,
    });
  }

  test.each<[string, Partial<ImportedKeyRingProps>, RegExp]>([
    ['no version', { versions: [] }, /^Stack\/Ring: versions must hold 1 to 20 labels, got 0$/],
    ['more than 20 versions', { versions: Array.from({ length: 21 }, (_, i) => `v${i + 1}`) }, /^Stack\/Ring: versions must hold 1 to 20 labels, got 21$/],
    ['a label given twice', { versions: ['v1', 'v2', 'v1'] }, /^Stack\/Ring: version label 'v1' is given twice; each version is a key of its own$/],
    ['a label with a slash', { versions: ['v/1'] }, /version label must have 1 to 32 characters of a-z A-Z 0-9 \. _ - and start with a letter or digit, got 'v\/1'/],
    ['an empty label', { versions: [''] }, /version label must have 1 to 32 characters .*got ''/],
    ['a label too long', { versions: ['v'.repeat(33)] }, /version label must have 1 to 32 characters/],
    ['an unknown active version', { versions: ['v1', 'v2'], activeVersion: 'v3' }, /^Stack\/Ring: activeVersion must be one of the versions \(v1, v2\), got 'v3'$/],
    ['a reserved alias', { aliasName: 'alias/aws/app' }, /^Stack\/Ring: alias must not start with 'alias\/aws\/' .*got 'alias\/aws\/app'/],
    ['a version key with a bad key spec (checked by the key, with its path)', { origin: KeyOrigin.EXTERNAL, keySpec: kms.KeySpec.ML_DSA_44 },
      /^Stack\/Ring\/Version-v1: origin EXTERNAL: keySpec ML_DSA_44 cannot hold imported key material$/],
  ])('%s', (_name, props, message) => {
    expect(ring(props)).toThrow(message);
  });

  test('every problem in one message', () => {
    expect(ring({ versions: ['a', 'a', 'b c'], activeVersion: 'z', aliasName: 'alias/aws/x' })).toThrow(/^Stack\/Ring: 4 problems:/);
  });

  test('versionKey of an unknown label', () => {
    const stack = new Stack(new App(), 'Stack', { env });
    const r = new ImportedKeyRing(stack, 'Ring', { aliasName: 'alias/app', versions: ['v1', 'v2'] });
    expect(() => r.versionKey('v9')).toThrow(/^Stack\/Ring: versionKey: no version 'v9'; versions: v1, v2$/);
  });
});
