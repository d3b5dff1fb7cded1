/**
 * KmsGoldenRules on the CloudFormation constructs of templates written by hand: each false finding, each
 * miss and the throwing rule reported on real templates (issue 17), as one key each in one app
 * synthesized once. Keys are plain `CfnResource`s holding the constructs as a template would.
 */
import { App, CfnCondition, CfnDeletionPolicy, CfnParameter, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { ACCOUNT, Finding, newApp, OTHER_ACCOUNT, REGION, ROOT_JOIN, synthFindings } from './nag';
import * as rules from '../../src/guardrails/rules';
import { decide, KMS_STAR_POLICY } from '../helpers/world';

const G = 'KmsGolden-';
const ROOT_ADMIN = { Effect: 'Allow', Principal: { AWS: ROOT_JOIN }, Action: 'kms:*', Resource: '*' };
const OWN_ACCOUNT = { Ref: 'AWS::AccountId' };
const USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:CreateGrant', 'kms:DescribeKey'];

/** A template-like stack: a parameter without a default (so a free condition), one with a default. */
function templateStack(app: App, id: string): Stack {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
  const free = new CfnParameter(stack, 'Mode', { type: 'String' });
  free.overrideLogicalId('Mode');
  const withDefault = new CfnParameter(stack, 'Stage', { type: 'String', default: 'prod' });
  withDefault.overrideLogicalId('Stage');
  new CfnCondition(stack, 'IsStrict', { expression: Fn.conditionEquals(free.valueAsString, 'strict') }).overrideLogicalId('IsStrict');
  new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(withDefault.valueAsString, 'prod') }).overrideLogicalId('IsProd');
  return stack;
}

/** A key as a hand-written template declares it: rotating and retained unless the properties say otherwise. */
function key(stack: Stack, id: string, properties: Record<string, unknown>): CfnResource {
  const resource = new CfnResource(stack, id, {
    type: 'AWS::KMS::Key',
    properties: { EnableKeyRotation: true, ...properties },
  });
  resource.overrideLogicalId(id);
  resource.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  resource.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  return resource;
}

function policy(...statements: unknown[]): unknown {
  return { Version: '2012-10-17', Statement: statements };
}

/** What a principal of another account may do with the policy, by a direct call with no context. */
async function outsiderMay(keyPolicy: any, action: string): Promise<boolean> {
  return await decide({
    principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/Outsider`,
    action,
    resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`,
    resourceAccount: ACCOUNT,
    identityPolicies: [KMS_STAR_POLICY],
    resourcePolicy: keyPolicy,
    context: { 'kms:CallerAccount': OTHER_ACCOUNT },
  }) === 'Allowed';
}

describe('KmsGoldenRules on constructs of hand-written templates', () => {
  let findings: Finding[];
  const at = (id: string) => findings.filter((f) => f.path === `Stack/${id}`).map((f) => f.ruleId).sort();

  beforeAll(() => {
    const app = newApp();
    const stack = templateStack(app, 'Stack');
    // False finding 1: a condition written with Fn::If whose branches both hold * to the own account.
    key(stack, 'IfBothBranchesNarrow', {
      KeyPolicy: policy(ROOT_ADMIN, {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: USE,
        Resource: '*',
        Condition: {
          'Fn::If': ['IsStrict',
            { StringEquals: { 'kms:CallerAccount': OWN_ACCOUNT, 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
            { StringEquals: { 'kms:CallerAccount': OWN_ACCOUNT } }],
        },
      }),
    });
    // Its control: one branch with no condition at all.
    key(stack, 'IfOneBranchOpen', {
      KeyPolicy: policy(ROOT_ADMIN, {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { 'Fn::If': ['IsStrict', { StringEquals: { 'kms:CallerAccount': OWN_ACCOUNT } }, { Ref: 'AWS::NoValue' }] },
      }),
    });
    // False finding 2: CreateGrant to * held by the own kms:CallerAccount and kms:ViaService.
    key(stack, 'CreateGrantOwnCallerViaService', {
      KeyPolicy: policy(ROOT_ADMIN, {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: USE,
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': OWN_ACCOUNT, 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      }),
    });
    // False finding 3: CreateGrant held by kms:ViaService and aws:PrincipalOrgID.
    key(stack, 'CreateGrantOrgViaService', {
      KeyPolicy: policy(ROOT_ADMIN, {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: USE,
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      }),
    });
    // Its control: the organization alone lets any of its accounts grant to anyone.
    key(stack, 'CreateGrantOrgOnly', {
      KeyPolicy: policy(ROOT_ADMIN, {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    });
    // False finding 4: alias creation held to a service plus Decrypt held to CloudTrail ciphertexts.
    const reader = `arn:aws:iam::${ACCOUNT}:role/LogReader`;
    key(stack, 'AliasViaServicePlusTrailDecrypt', {
      KeyPolicy: policy(ROOT_ADMIN,
        { Effect: 'Allow', Principal: { AWS: reader }, Action: 'kms:CreateAlias', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } } },
        { Effect: 'Allow', Principal: { AWS: reader }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` } } }),
    });
    // Its control: the same principal creating aliases directly.
    key(stack, 'AliasDirectPlusDecrypt', {
      KeyPolicy: policy(ROOT_ADMIN,
        { Effect: 'Allow', Principal: { AWS: reader }, Action: 'kms:CreateAlias', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: reader }, Action: 'kms:Decrypt', Resource: '*' }),
    });
    // Miss 1: only a named role may rewrite the policy, the root nothing.
    const admin = `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`;
    key(stack, 'OnlyNamedRoleRewrites', {
      KeyPolicy: policy({ Effect: 'Allow', Principal: { AWS: admin }, Action: ['kms:PutKeyPolicy', 'kms:DescribeKey'], Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: ROOT_JOIN }, Action: 'kms:DescribeKey', Resource: '*' }),
    });
    key(stack, 'DeployerRewrites', {
      KeyPolicy: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}` }, Action: 'kms:*', Resource: '*' }),
    });
    key(stack, 'RootDeniedButOneRole', {
      KeyPolicy: policy(ROOT_ADMIN, {
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:PutKeyPolicy',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': admin } },
      }, { Effect: 'Allow', Principal: { AWS: admin }, Action: 'kms:PutKeyPolicy', Resource: '*' }),
    });
    // Miss 2: a statement inside a statement-level Fn::If.
    key(stack, 'StatementIfFree', {
      KeyPolicy: policy(ROOT_ADMIN, { 'Fn::If': ['IsStrict', { Ref: 'AWS::NoValue' }, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] }),
    });
    key(stack, 'StatementIfDefaultSafe', {
      KeyPolicy: policy(ROOT_ADMIN, { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] }),
    });
    // Miss 3: a policy that cannot be read.
    key(stack, 'TransformedStatement', {
      KeyPolicy: policy(ROOT_ADMIN, { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/statement.yaml' } } }),
    });
    key(stack, 'TransformedStatementList', {
      KeyPolicy: { Version: '2012-10-17', Statement: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/statements.yaml' } } } },
    });
    // Miss 4: service principals without a source condition.
    key(stack, 'ServicesWithoutSource', {
      KeyPolicy: policy(ROOT_ADMIN,
        { Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 's3.amazonaws.com'] }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' },
        { Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: 'kms:Encrypt*', Resource: '*', Condition: { StringEqualsIfExists: { 'aws:SourceAccount': ACCOUNT } } },
        { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey', Resource: '*' }),
    });
    key(stack, 'ServicesWithSource', {
      KeyPolicy: policy(ROOT_ADMIN,
        { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': OWN_ACCOUNT } } },
        { Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: 'kms:Encrypt*', Resource: '*', Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } } }),
    });
    findings = synthFindings(app);
  });

  test('Fn::If whose branches both hold * to the own account: no finding', () => {
    expect(at('IfBothBranchesNarrow')).toEqual([]);
  });

  test('Fn::If with one branch open: the finding, since that branch gives the access', () => {
    expect(at('IfOneBranchOpen')).toEqual([`${G}CrossAccountNarrowed[Principal::*]`, `${G}PublicPrincipal`]);
  });

  test('both branches as IAM sees them: narrowed ones keep other accounts out, the open one lets them in', async () => {
    const narrowed = (condition: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', ...(condition ? { Condition: condition } : {}) }] });
    expect(await outsiderMay(narrowed({ StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } }), 'kms:Decrypt')).toBe(false);
    expect(await outsiderMay(narrowed({ StringEquals: { 'kms:CallerAccount': ACCOUNT } }), 'kms:Decrypt')).toBe(false);
    expect(await outsiderMay(narrowed(undefined), 'kms:Decrypt')).toBe(true);
  });

  test('CreateGrant to * held by the own kms:CallerAccount and kms:ViaService: no finding', () => {
    expect(at('CreateGrantOwnCallerViaService')).toEqual([]);
  });

  test('CreateGrant held by kms:ViaService and aws:PrincipalOrgID: no finding; the organization alone: a finding', () => {
    expect(at('CreateGrantOrgViaService')).toEqual([]);
    // * narrowed to the organization is the organization; its every identity grants directly.
    expect(at('CreateGrantOrgOnly')).toEqual([`${G}CrossAccountCreateGrant[Principal::o-a1b2c3d4e5]`, `${G}PublicPrincipal`]);
  });

  test('CreateGrant held by kms:ViaService: a direct call by another account of the organization cannot match, one through the service can', async () => {
    const keyPolicy = policy({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
    const ask = async (via?: string) => decide({
      principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/Member`,
      action: 'kms:CreateGrant',
      resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`,
      resourceAccount: ACCOUNT,
      identityPolicies: [KMS_STAR_POLICY],
      resourcePolicy: keyPolicy,
      context: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5', 'kms:CallerAccount': OTHER_ACCOUNT, 'aws:PrincipalArn': `arn:aws:iam::${OTHER_ACCOUNT}:role/Member`, ...(via ? { 'kms:ViaService': via } : {}) },
    });
    expect(await ask()).not.toEqual('Allowed');
    expect(await ask('secretsmanager.us-east-1.amazonaws.com')).toEqual('Allowed');
  });

  test('alias creation through a service and CloudTrail decrypt are not administration plus use; direct ones are', () => {
    expect(at('AliasViaServicePlusTrailDecrypt')).toEqual([]);
    expect(at('AliasDirectPlusDecrypt')).toEqual([`${G}SeparationOfDuties[Principal::arn:aws:iam::${ACCOUNT}:role/LogReader]`]);
  });

  test('only a named role may rewrite the policy: lockout; the deployer or the root may: none', () => {
    expect(at('OnlyNamedRoleRewrites')).toEqual([`${G}KeyPolicyLockout`]);
    expect(at('DeployerRewrites')).not.toContain(`${G}KeyPolicyLockout`);
    expect(at('RootDeniedButOneRole')).toEqual([`${G}KeyPolicyLockout`]);
  });

  test('a statement inside a statement-level Fn::If is read: free condition, finding; default branch safe, none', () => {
    expect(at('StatementIfFree')).toEqual([`${G}CrossAccountNarrowed[Principal::*]`, `${G}PublicPrincipal`]);
    expect(at('StatementIfDefaultSafe')).toEqual([]);
  });

  test('a policy part the pack cannot read is a finding that names it (and no lockout guess)', () => {
    expect(at('TransformedStatement')).toEqual([`${G}UnreadablePolicy[KeyPolicy.Statement.1::Fn::Transform]`]);
    expect(at('TransformedStatementList')).toEqual([`${G}UnreadablePolicy[KeyPolicy.Statement::Fn::Transform]`]);
  });

  test('service principals given use without a source condition are findings; DescribeKey alone and held ones are not', () => {
    expect(at('ServicesWithoutSource')).toEqual([
      `${G}ServicePrincipalSource[Principal::events.amazonaws.com]`,
      `${G}ServicePrincipalSource[Principal::logs.amazonaws.com]`,
      `${G}ServicePrincipalSource[Principal::s3.amazonaws.com]`,
    ]);
    expect(at('ServicesWithSource')).toEqual([]);
  });
});

describe('no rule throws on a token, in any property the rules read', () => {
  const RULES = Object.entries(rules);
  const FREE = { Ref: 'Mode' };
  const CASES: [string, Record<string, unknown>, string[]][] = [
    ['KeySpec', { KeySpec: FREE }, []],
    ['KeySpec by Fn::If on a free condition', { KeySpec: { 'Fn::If': ['IsStrict', 'RSA_2048', 'SYMMETRIC_DEFAULT'] } }, []],
    ['Origin', { Origin: FREE }, []],
    ['EnableKeyRotation', { EnableKeyRotation: FREE }, ['KeyRotation:DeployTime::EnableKeyRotation']],
    ['EnableKeyRotation by Fn::If, true in both branches', { EnableKeyRotation: { 'Fn::If': ['IsStrict', true, 'true'] } }, []],
    ['EnableKeyRotation by Fn::If, false in one branch', { EnableKeyRotation: { 'Fn::If': ['IsStrict', true, false] } }, ['KeyRotation']],
    ['EnableKeyRotation by Fn::If on an asymmetric-or-symmetric KeySpec', {
      KeySpec: { 'Fn::If': ['IsStrict', 'RSA_2048', 'SYMMETRIC_DEFAULT'] },
      EnableKeyRotation: { 'Fn::If': ['IsStrict', false, true] },
    }, []],
    ['EnableKeyRotation from a parameter with a default', { EnableKeyRotation: { Ref: 'Rotate' } }, []],
    ['EnableKeyRotation from a parameter with allowed values only', { EnableKeyRotation: { Ref: 'RotateChoice' } }, ['KeyRotation']],
    ['PendingWindowInDays', { PendingWindowInDays: FREE }, ['PendingWindow:DeployTime::PendingWindowInDays']],
    ['KeyPolicy', { KeyPolicy: FREE }, ['UnreadablePolicy:KeyPolicy::Ref Mode']],
    ['KeyPolicy Statement', { KeyPolicy: { Statement: { 'Fn::ImportValue': 'shared-statements' } } }, ['UnreadablePolicy:KeyPolicy.Statement::Fn::ImportValue']],
    ['a statement Effect', { KeyPolicy: policy({ ...ROOT_ADMIN, Effect: FREE }) }, ['UnreadablePolicy:KeyPolicy.Statement.0.Effect::Ref Mode']],
    ['a statement Action', { KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: { AWS: ROOT_JOIN }, Action: FREE, Resource: '*' }) }, ['UnreadablePolicy:KeyPolicy.Statement.1.Action::Ref Mode']],
    ['a statement Principal', { KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: FREE, Action: 'kms:Decrypt', Resource: '*' }) }, ['UnreadablePolicy:KeyPolicy.Statement.1.Principal::Ref Mode']],
    ['an AWS principal', { KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: { AWS: FREE }, Action: 'kms:Decrypt', Resource: '*' }) }, []],
    ['a statement Condition', { KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: { AWS: ROOT_JOIN }, Action: 'kms:Decrypt', Resource: '*', Condition: FREE }) }, ['UnreadablePolicy:KeyPolicy.Statement.1.Condition::Ref Mode']],
    // Judged on every value it can take: the account may be another one, whose every identity decrypts directly.
    ['a condition value', { KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': FREE } } }) }, ['PublicPrincipal']],
    ['a service principal', { KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: { Service: FREE }, Action: 'kms:Decrypt', Resource: '*' }) }, ['ServicePrincipalSource:Principal::${Mode}']],
    ['MultiRegion, with the root only', { MultiRegion: FREE }, []],
    // A key that may be multi-Region: ReplicateKey is judged.
    ['MultiRegion, with ReplicateKey for a role', {
      MultiRegion: FREE,
      KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Ops` }, Action: 'kms:ReplicateKey', Resource: '*' }),
    }, [`ReplicateKey:Principal::arn:aws:iam::${ACCOUNT}:role/Ops`]],
    ['MultiRegion by Fn::If on a free condition', {
      MultiRegion: { 'Fn::If': ['IsStrict', true, false] },
      KeyPolicy: policy(ROOT_ADMIN, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Ops` }, Action: 'kms:ReplicateKey', Resource: '*' }),
    }, [`ReplicateKey:Principal::arn:aws:iam::${ACCOUNT}:role/Ops`]],
    ['KeyUsage (the spec alone decides whether the key can rotate)', { KeyUsage: FREE }, []],
    ['a KeyPolicy string that is not JSON', { KeyPolicy: 'not a policy' }, ['UnreadablePolicy:KeyPolicy::not JSON']],
  ];

  let stack: Stack;
  beforeAll(() => {
    const app = newApp();
    stack = templateStack(app, 'Tokens');
    new CfnParameter(stack, 'Rotate', { type: 'String', default: 'true' }).overrideLogicalId('Rotate');
    new CfnParameter(stack, 'RotateChoice', { type: 'String', allowedValues: ['true', 'false'] }).overrideLogicalId('RotateChoice');
  });

  test.each(CASES)('%s: every rule returns, with the documented result', (name, properties, expected) => {
    const node = key(stack, `Key${name.replace(/[^A-Za-z0-9]/g, '')}`, { KeyPolicy: policy(ROOT_ADMIN), ...properties });
    const results: string[] = [];
    for (const [ruleName, rule] of RULES) {
      const result = rule(node);
      if (Array.isArray(result)) results.push(...result.map((f) => `${ruleName}:${f}`));
      else if (result === NagRuleCompliance.NON_COMPLIANT) results.push(ruleName);
    }
    expect(results.sort()).toEqual(expected);
  });

  test('a replica whose PrimaryKeyArn and policy come from parameters', () => {
    const replica = new CfnResource(stack, 'Replica', {
      type: 'AWS::KMS::ReplicaKey',
      properties: { PrimaryKeyArn: FREE, KeyPolicy: policy(ROOT_ADMIN), PendingWindowInDays: 30 },
    });
    replica.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    replica.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    for (const [, rule] of RULES) {
      expect(() => rule(replica)).not.toThrow();
    }
  });
});
