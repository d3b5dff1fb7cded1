import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { addGoldenPatternApp } from '../../examples/golden-pattern/app';
import {
  CustomerManagedKey, KeyAccessReport, KeyPerimeter, ReplicaKey, ServicePreset, ServiceVia, SharingTargets,
} from '../../src';
import { decide, KMS_STAR_POLICY, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const env = { account: ACCOUNT, region: REGION };
/** An account that appears nowhere in the policies. */
const STRANGER_ACCOUNT = '999999999999';

interface Synthesized {
  readonly app: App;
  readonly outdir: string;
  readonly json: any;
  readonly markdown: string;
  readonly world: World;
}

function synth(build: (app: App) => Stack[], fileName?: string): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const app = new App({ outdir });
  const stacks = build(app);
  Validations.of(app).addPlugins(new KeyAccessReport(fileName ? { fileName } : {}));
  app.synth();
  const base = fileName ?? 'key-access-report';
  return {
    app,
    outdir,
    json: JSON.parse(fs.readFileSync(path.join(outdir, `${base}.json`), 'utf8')),
    markdown: fs.readFileSync(path.join(outdir, `${base}.md`), 'utf8'),
    world: new World(...stacks),
  };
}

/** The patterns of the library in one app: a key with every kind of principal, a replica, a plain kms.Key. */
function patterns(app: App): Stack[] {
  const stack = new Stack(app, 'Keys', { env });
  const admins = new iam.Role(stack, 'Admins', { assumedBy: new iam.AccountRootPrincipal() });
  const users = new iam.Role(stack, 'Users', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const uploader = new iam.Role(stack, 'Uploader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const key = new CustomerManagedKey(stack, 'AppKey', {
    admins: [admins],
    users: [users],
    aliases: ['alias/report/app'],
    multiRegion: true,
  });
  key.allowUseVia(ServiceVia.s3(), { principals: [uploader] });
  key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app/orders'] }));
  key.shareForSnapshotCopy(SharingTargets.accounts(['222222222222', '333333333333']));
  key.shareForAmiLaunch(SharingTargets.organization('o-exampleorg1'));
  key.addPerimeter(KeyPerimeter.organization('o-exampleorg1'));

  const managers = new CustomerManagedKey(stack, 'ManagedKey', {
    admins: [admins],
    users: [users],
    keyPolicyManagers: [admins],
  });
  managers.grantDecrypt(uploader);

  const hmac = new CustomerManagedKey(stack, 'MacKey', { keySpec: kms.KeySpec.HMAC_256, keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC, admins: [admins], users: [users] });
  hmac.node.addDependency(key);

  const plain = new Stack(app, 'Plain', { env });
  new kms.Key(plain, 'PlainKey', { enableKeyRotation: true });

  const replicas = ReplicaKey.replicate(key, { regions: ['us-east-1'] });
  return [stack, plain, ...replicas.map((r) => Stack.of(r))];
}

describe('KeyAccessReport on the patterns', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth(patterns);
  });

  test('reports every key of the app, whoever made it, in a stable order', () => {
    const ids = s.json.keys.map((k: any) => `${k.stack}/${k.logicalId}`);
    expect(ids).toEqual([...ids].sort());
    expect(s.json.keys.map((k: any) => k.type)).toEqual(expect.arrayContaining(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']));
    expect(s.json.keys.some((k: any) => k.stack === 'Plain')).toBe(true);
    expect(s.json.keys).toHaveLength(5);
  });

  test('names principals by construct path and logical id, never by token', () => {
    expect(s.markdown).not.toMatch(/\$\{Token\[/);
    expect(s.markdown).toContain('role Keys/Admins');
    expect(s.markdown).toContain('role Keys/Users');
    const appKey = keyOf(s, 'AppKey');
    expect(appKey.principals.find((p: any) => p.display.startsWith('role Keys/Users'))?.logicalId).toMatch(/^Users/);
  });

  test('holds no timestamp: two syntheses write the same bytes', () => {
    const again = synth(patterns);
    expect(again.markdown).toEqual(s.markdown);
    expect(JSON.stringify(again.json)).toEqual(JSON.stringify(s.json));
  });

  test('admins administer and never use; users use and never administer', () => {
    const k = keyOf(s, 'ManagedKey');
    const admins = rowOf(k, 'role Keys/Admins');
    const users = rowOf(k, 'role Keys/Users');
    expect(k.cells[admins.id].administer.verdict).toBe('allowed');
    expect(k.cells[admins.id]['rewrite-policy'].verdict).toBe('allowed');
    expect(k.cells[admins.id].decrypt.verdict).toBe('denied');
    expect(k.cells[admins.id]['any-grant'].verdict).toBe('denied');
    expect(k.cells[users.id].decrypt.verdict).toBe('allowed');
    expect(k.cells[users.id]['rewrite-policy'].verdict).toBe('denied');
    expect(k.cells[users.id].administer.verdict).toBe('denied');
  });

  test('a key shared with the organization: the report shows that its own admins may decrypt through EC2 as members', () => {
    const k = keyOf(s, 'AppKey');
    const admins = rowOf(k, 'role Keys/Admins');
    expect(k.cells[admins.id].decrypt.verdict).toBe('conditional');
    expect(k.cells[admins.id].decrypt.words).toMatch(/from principals of organization `o-exampleorg1`.*through EC2 in eu-west-1|through EC2 in eu-west-1.*from principals of organization `o-exampleorg1`/);
  });

  test('conditions in words: through a service, for log groups, for accounts, for the organization', () => {
    expect(s.markdown).toContain('through S3 in eu-west-1');
    expect(s.markdown).toContain('through EC2 in eu-west-1');
    expect(s.markdown).toContain('for log group');
    expect(s.markdown).toContain('principals of accounts 222222222222, 333333333333');
    expect(s.markdown).toContain('principals of organization o-exampleorg1');
  });

  test('the replica shows the same access model for its own region', () => {
    const replica = s.json.keys.find((k: any) => k.type === 'AWS::KMS::ReplicaKey');
    expect(JSON.stringify(replica.cells)).toContain('ec2.us-east-1.amazonaws.com');
    expect(replica.principals.map((p: any) => p.kind)).toEqual(keyOf(s, 'AppKey').principals.map((p: any) => p.kind));
  });

  test('the policy size against the limit', () => {
    const k = keyOf(s, 'AppKey');
    expect(k.policy.limit).toBe(32768);
    expect(k.policy.bytes).toBeGreaterThan(1000);
    expect(s.markdown).toMatch(/Key policy: up to [\d,]+ of 32,768 bytes/);
  });

  test('a plain kms.Key shows the account-wide use that aws-cdk-lib\'s default key policy gives', () => {
    const k = keyOf(s, 'PlainKey');
    const root = k.principals.find((p: any) => p.kind === 'account-root');
    expect(root.value).toBe(ACCOUNT);
    expect(k.cells[root.id].decrypt.verdict).toBe('allowed');
    expect(k.cells[root.id]['any-grant'].verdict).toBe('allowed');
    expect(k.findings.join('\n')).toMatch(/every IAM principal of that account whose own policy allows it can use the key/);
  });

  test('every cell agrees with IAM simulation of the same key policy (at least one request per cell)', async () => {
    const { requests, disagreements } = await simulateCells(s.world, s.json.keys);
    expect(disagreements).toEqual([]);
    expect(requests).toBeGreaterThan(200);
  });

  test('control: a report that claimed more or less than the policy gives would disagree with the simulation', async () => {
    const key = JSON.parse(JSON.stringify(keyOf(s, 'ManagedKey')));
    const admins = rowOf(key, 'role Keys/Admins');
    const users = rowOf(key, 'role Keys/Users');
    key.cells[admins.id].decrypt = { verdict: 'allowed', actions: ['kms:Decrypt'], conditions: [], deniedWhen: [] };
    key.cells[users.id].decrypt = { verdict: 'denied', actions: [], conditions: [], deniedWhen: [] };
    const { disagreements } = await simulateCells(s.world, [key]);
    expect(disagreements).toEqual([
      expect.stringContaining('role Keys/Admins (Admins8B360DEA) decrypt (allowed) kms:Decrypt: ImplicitlyDenied'),
      expect.stringContaining('role Keys/Users (Users0A0EEA89) decrypt (denied) kms:Decrypt: Allowed'),
      expect.stringContaining('role Keys/Users (Users0A0EEA89) decrypt (denied) kms:ReEncryptFrom: Allowed'),
    ]);
  });
});

/**
 * Asks the simulator, for every cell of the given keys, the request the cell speaks of: allowed cells
 * with the principal's own context, conditional ones with a context that meets the conditions (and,
 * when a bare request cannot, without it), denied ones for every action of the capability.
 */
async function simulateCells(world: World, keys: any[]): Promise<{ requests: number; disagreements: string[] }> {
  let requests = 0;
  const disagreements: string[] = [];
  for (const key of keys) {
    const keyId = `${key.stack}/${key.logicalId}`;
    const policy = world.keyPolicy(keyId);
    const keyArn = world.arnOf(keyId);
    for (const row of key.principals) {
      for (const cap of key.capabilities) {
        const cell = key.cells[row.id][cap.id];
        const who = requester(world, key, row);
        // KMS sets kms:CallerAccount on every request; the simulator takes it from the context.
        const callerAccount = /^arn:aws:iam::(\d{12}):/.exec(who.principal)?.[1];
        // So are aws:PrincipalArn and aws:PrincipalAccount, which AWS sets on every request of an IAM principal.
        const requestIdentity = callerAccount ? { 'kms:CallerAccount': callerAccount, 'aws:PrincipalArn': who.principal, 'aws:PrincipalAccount': callerAccount } : {};
        const base = { ...requestIdentity, ...who.context, ...grantContext(cap.id) };
        const label = `${keyId} ${row.display} ${cap.id} (${cell.verdict})`;
        const check = async (action: string, context: Record<string, any>, identity: any[], expectAllowed: boolean) => {
          requests++;
          const decision = await decide({
            principal: who.principal,
            action,
            resource: keyArn,
            resourceAccount: key.account,
            identityPolicies: identity,
            resourcePolicy: policy,
            context,
          });
          if ((decision === 'Allowed') !== expectAllowed) {
            disagreements.push(`${label} ${action}: ${decision} with ${JSON.stringify(context)}`);
          }
        };
        if (cell.verdict === 'denied') {
          for (const action of cap.actions) {
            await check(action, base, who.identityPolicies, false);
          }
        } else if (cell.verdict === 'allowed') {
          await check(cell.actions[0], base, who.identityPolicies, true);
        } else {
          const satisfied = { ...base, ...satisfying(world, keyId, cell.conditions[0] ?? []), ...avoiding(world, keyId, cell.deniedWhen) };
          const needsIdentity = (cell.conditions[0] ?? []).some((c: any) => c.key === 'iam:IdentityPolicy');
          await check(cell.actions[0], satisfied, needsIdentity ? [KMS_STAR_POLICY] : who.identityPolicies, true);
          if (cell.conditions.length > 0 && cell.conditions.every((alt: any[]) => alt.some(strict))) {
            await check(cell.actions[0], base, who.identityPolicies, false);
          }
        }
      }
    }
  }
  return { requests, disagreements };
}

describe('KeyAccessReport on a key whose launch template an Auto Scaling group launches from', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth((app) => {
      const stack = new Stack(app, 'Fleet', { env });
      const users = new iam.Role(stack, 'Users', { assumedBy: new iam.AccountRootPrincipal() });
      const key = new CustomerManagedKey(stack, 'VolumeKey', { users: [users] });
      const template = new ec2.LaunchTemplate(stack, 'Template', {
        machineImage: ec2.MachineImage.genericLinux({ [REGION]: 'ami-0123456789abcdef0' }),
        instanceType: new ec2.InstanceType('t3.micro'),
        blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, kmsKey: key }) }],
      });
      new autoscaling.AutoScalingGroup(stack, 'Group', {
        vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: [`${REGION}a`], publicSubnetIds: ['subnet-1'] }),
        vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        launchTemplate: template,
      });
      return [stack];
    });
  });

  test('shows the service-linked role as a user with grants for AWS resources only, and no finding', () => {
    const k = keyOf(s, 'VolumeKey');
    const role = rowOf(k, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`);
    expect(k.cells[role.id].decrypt.verdict).toBe('allowed');
    expect(k.cells[role.id]['grants-for-aws-resources'].verdict).toBe('allowed');
    expect(k.cells[role.id]['any-grant'].verdict).toBe('denied');
    expect(k.cells[role.id].administer.verdict).toBe('denied');
    expect(k.findings).toEqual([]);
  });

  test('every cell agrees with IAM simulation', async () => {
    const { disagreements } = await simulateCells(s.world, [keyOf(s, 'VolumeKey')]);
    expect(disagreements).toEqual([]);
  });
});

describe('KeyAccessReport on the example app: every pattern of the library', () => {
  const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
  let json: any;
  let world: World;
  beforeAll(() => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-example-'));
    const app = new App({ outdir, context: CONTEXT });
    addGoldenPatternApp(app, env);
    app.synth();
    json = JSON.parse(fs.readFileSync(path.join(outdir, 'key-access-report.json'), 'utf8'));
    world = new World(...app.node.children.filter((c): c is Stack => Stack.isStack(c)));
  });

  test('the example app writes the report, one section per key', () => {
    expect(json.keys.length).toBeGreaterThan(5);
  });

  test('every cell of every key agrees with IAM simulation (sharing, replication, deployers, presets, replicas, grants across stacks)', async () => {
    const { requests, disagreements } = await simulateCells(world, json.keys);
    expect(disagreements).toEqual([]);
    expect(requests).toBeGreaterThan(500);
  });
});

describe('KeyAccessReport snapshots', () => {
  test('a small key', () => {
    const s = synth((app) => {
      const stack = new Stack(app, 'Small', { env });
      const admins = new iam.Role(stack, 'Admins', { assumedBy: new iam.AccountRootPrincipal() });
      const users = new iam.Role(stack, 'Users', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
      new CustomerManagedKey(stack, 'Key', { admins: [admins], users: [users], aliases: ['alias/small'] });
      return [stack];
    });
    expect(s.markdown).toMatchSnapshot();
  });

  test('a key shared with 2,000 accounts stays readable: a count in Markdown, the whole list in JSON', () => {
    const accounts = Array.from({ length: 2000 }, (_, i) => String(100000000000 + i * 7919));
    const s = synth((app) => {
      const stack = new Stack(app, 'Shared', { env });
      const admins = new iam.Role(stack, 'Admins', { assumedBy: new iam.AccountRootPrincipal() });
      const key = new CustomerManagedKey(stack, 'Key', { admins: [admins] });
      key.shareForSnapshotCopy(SharingTargets.accounts(accounts));
      return [stack];
    });
    expect(s.markdown).toMatchSnapshot();
    expect(s.markdown.length).toBeLessThan(6000);
    expect(s.markdown).toContain('principals of 2,000 accounts');
    const row = s.json.keys[0].principals.find((p: any) => p.kind === 'accounts');
    expect(row.members).toHaveLength(2000);
    expect([...row.members].sort()).toEqual([...accounts].sort());
  });

  test('the file name is an option, and a bad one is refused', () => {
    const s = synth((app) => [new Stack(app, 'Empty', { env })], 'keys');
    expect(s.markdown).toContain('The app has no KMS key.');
    expect(() => new KeyAccessReport({ fileName: '../escape' })).toThrow(/fileName must be 1-100 characters .* got '\.\.\/escape'/);
  });
});

function keyOf(s: Synthesized, logicalIdPrefix: string): any {
  const k = s.json.keys.find((x: any) => x.type === 'AWS::KMS::Key' && x.logicalId.startsWith(logicalIdPrefix));
  if (!k) throw new Error(`no key ${logicalIdPrefix}`);
  return k;
}

function rowOf(key: any, displayPrefix: string): any {
  const row = key.principals.find((p: any) => p.display.startsWith(displayPrefix));
  if (!row) throw new Error(`no row ${displayPrefix} in ${key.principals.map((p: any) => p.display).join(', ')}`);
  return row;
}

/** Who asks for a row: a concrete principal, its identity policies and the context that places it. */
function requester(world: World, key: any, row: any): { principal: string; identityPolicies: any[]; context: Record<string, any> } {
  const keyId = `${key.stack}/${key.logicalId}`;
  const outsider = (account: string) => `arn:aws:iam::${account}:role/Requester`;
  switch (row.kind) {
    case 'anyone':
      return { principal: outsider(STRANGER_ACCOUNT), identityPolicies: [KMS_STAR_POLICY], context: {} };
    case 'accounts':
      return { principal: outsider(row.members[0]), identityPolicies: [KMS_STAR_POLICY], context: {} };
    case 'organization':
      return { principal: outsider(STRANGER_ACCOUNT), identityPolicies: [KMS_STAR_POLICY], context: { 'aws:PrincipalOrgID': row.members[0] } };
    case 'organization-paths':
      return { principal: outsider(STRANGER_ACCOUNT), identityPolicies: [KMS_STAR_POLICY], context: { 'aws:PrincipalOrgPaths': [row.members[0].replace(/\*$/, '')] } };
    case 'account-root':
      return { principal: outsider(row.value), identityPolicies: [KMS_STAR_POLICY], context: {} };
    case 'service':
      return { principal: row.value, identityPolicies: [], context: {} };
    default: {
      const arn = row.logicalId ? world.arnOf(`${row.stack}/${row.logicalId}`) : concrete(world, keyId, row.value);
      return { principal: arn, identityPolicies: [], context: {} };
    }
  }
}

function grantContext(capability: string): Record<string, string> {
  if (capability === 'grants-for-aws-resources') return { 'kms:GrantIsForAWSResource': 'true' };
  if (capability === 'any-grant') return { 'kms:GrantIsForAWSResource': 'false' };
  return {};
}

/** Whether a request without the clause's key fails it (so a bare request must be refused). */
function strict(c: any): boolean {
  return c.key !== 'iam:IdentityPolicy' && !/IfExists$/i.test(c.operator) && !/^Null$/i.test(c.operator) && !/not/i.test(c.operator);
}

/** Report values hold `${Logical.Arn}` and `${Logical}` for references: the world resolves them. */
function concrete(world: World, keyId: string, text: string): string {
  void keyId;
  return text.replace(/\$\{([A-Za-z0-9-]+)\/([A-Za-z0-9]+)(?:\.([A-Za-z]+))?\}/g, (m, stack: string, id: string, attr?: string) => {
    try {
      return attr ? world.resolveIn(`${stack}/${id}`, { 'Fn::GetAtt': [id, attr] }) : world.resolveIn(`${stack}/${id}`, { Ref: id });
    } catch {
      return m;
    }
  });
}

/** A request context under which every clause holds. */
function satisfying(world: World, keyId: string, clauses: any[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const c of clauses) {
    if (c.key === 'iam:IdentityPolicy') continue;
    const values = c.values.map((v: string) => concrete(world, keyId, v).replace(/\*/g, 'x').replace(/\?/g, 'x'));
    const op = c.operator.replace(/^For(Any|All)Value:/i, '').replace(/IfExists$/i, '');
    if (/^Null$/i.test(op)) {
      if (values[0] === 'false') out[c.key] = 'x';
    } else if (/not/i.test(op)) {
      if (!/IfExists$/i.test(c.operator)) out[c.key] = 'not-' + values[0];
    } else if (/^ForAnyValue:/i.test(c.operator) || c.key.toLowerCase() === 'aws:principalorgpaths') {
      out[c.key] = [values[0]];
    } else {
      out[c.key] = values[0];
    }
  }
  return out;
}

/** A request context under which no Deny of the cell applies: one clause of each made false. */
function avoiding(world: World, keyId: string, denials: any[][]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const clauses of denials) {
    // The simulator computes aws:PrincipalIsAWSService from the principal: falsify another clause.
    const c = clauses.find((x) => !/^aws:(PrincipalIsAWSService|ViaAWSService)$/i.test(x.key)) ?? clauses[0];
    const value = concrete(world, keyId, c.values[0] ?? 'x');
    const op = c.operator.replace(/IfExists$/i, '');
    if (/^Bool$/i.test(op)) out[c.key] = value === 'true' ? 'false' : 'true';
    else if (/not/i.test(op)) out[c.key] = /orgpaths/i.test(c.key) ? [value.replace(/\*$/, '')] : value;
    else out[c.key] = 'other';
  }
  return out;
}
