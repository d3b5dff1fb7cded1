/**
 * KmsGoldenRules on key policies written by others: each fixture of test/guardrails/corpus is a few lines
 * of a public template (its source in the fixture's header), loaded with CfnInclude into one app that is
 * synthesized once. For each key, the test states the findings expected and why, and checks every
 * finding, and every absence of one, against an IAM simulation (iam-simulate) of the same policy with
 * the template's parameters at their defaults. The simulator does not derive the caller's identity keys
 * (`aws:PrincipalArn`, `aws:PrincipalAccount`, `kms:CallerAccount`): every request carries them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { Finding, newApp, REGION, synthFindings } from './nag';
import { decide, KMS_STAR_POLICY } from '../helpers/world';

const OWN = '111111111111';
const CFN_NAG_ACCOUNT = '111122223333';
/** An account no policy of the corpus names. */
const OUTSIDER = '999999999999';
/** The organization of the deployer (the data perimeter fixture's). */
const ORG = 'o-a1b2c3d4e5';

interface CorpusKey {
  /** The fixture file of test/guardrails/corpus. */
  readonly file: string;
  /** The key's account (the stack's env). */
  readonly account?: string;
  /** Every KmsGolden finding expected on the key (rule id, with the finding where the rule has one). */
  readonly findings: string[];
  /** Why, in one line. */
  readonly why: string;
}

const G = 'KmsGolden-';
const RETAIN = `${G}RetainPolicy`;
const ROTATION = `${G}KeyRotation`;

const CORPUS: CorpusKey[] = [
  {
    file: 'sra-cloudtrail-org.yaml',
    findings: [
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      RETAIN,
    ],
    why: 'two other accounts decrypt any CloudTrail ciphertext with only a Null check; CloudTrail itself is held to an encryption context',
  },
  {
    file: 'sra-secrets.yaml',
    findings: [`${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`, RETAIN],
    why: 'CreateGrant to * held by kms:ViaService and aws:PrincipalOrgID is no finding; the management account decrypts directly',
  },
  {
    file: 'sra-config-delivery.yaml',
    findings: [
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      RETAIN,
      `${G}ServicePrincipalSource[Principal::config.amazonaws.com]`,
    ],
    why: 'Config may encrypt for any account\'s delivery channel; two accounts decrypt without a condition',
  },
  {
    file: 'sra-config-sns.yaml',
    findings: [RETAIN, `${G}ServicePrincipalSource[Principal::config.amazonaws.com]`],
    why: 'Config may use the key for any account (no aws:SourceAccount); alias creation held to CloudFormation is not administration',
  },
  {
    file: 'sra-guardduty-delivery.yaml',
    findings: [
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      RETAIN,
      `${G}ServicePrincipalSource[Principal::guardduty.af-south-1.amazonaws.com]`,
      `${G}ServicePrincipalSource[Principal::guardduty.amazonaws.com]`,
    ],
    why: 'GuardDuty of any account may encrypt with the key; two accounts decrypt without a condition',
  },
  {
    file: 'sra-macie-delivery.yaml',
    findings: [
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      RETAIN,
      `${G}ServicePrincipalSource[Principal::macie.amazonaws.com]`,
    ],
    why: 'Macie of any account may encrypt with the key; two accounts decrypt without a condition',
  },
  {
    file: 'sra-security-lake.yaml',
    findings: [
      `${G}CrossAccountCreateGrant[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}CrossAccountCreateGrant[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      `${G}NoWildcardActions[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}NoWildcardActions[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      RETAIN,
      `${G}SeparationOfDuties[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`,
      `${G}SeparationOfDuties[Principal::arn:\${AWS::Partition}:iam::333333333333:root]`,
      `${G}ServicePrincipalSource[Principal::s3.amazonaws.com]`,
    ],
    why: 'two other accounts hold kms:*; S3 of any account may use the key; the Fn::If statement (default true) is read',
  },
  {
    file: 'sra-malware-protection.yaml',
    findings: [RETAIN],
    why: 'the default policy as one statement object, on a key that exists under a condition; deleted with its stack',
  },
  {
    file: 'cfn-nag-wildcard-principal.yaml',
    account: CFN_NAG_ACCOUNT,
    findings: [`${G}CrossAccountNarrowed[Principal::*]`, `${G}PublicPrincipal`, RETAIN],
    why: 'Principal * may generate data keys with no condition (a canonical user administers: not an AWS principal)',
  },
  {
    file: 'cfn-nag-aws-wildcard-principal.yaml',
    account: CFN_NAG_ACCOUNT,
    findings: [
      `${G}CrossAccountCreateGrant[Principal::*]`,
      `${G}CrossAccountNarrowed[Principal::*]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}PublicPrincipal`,
      RETAIN,
      `${G}SeparationOfDuties[Principal::*]`,
    ],
    why: '{"AWS": "*"} holds kms:Create* (CreateAlias and CreateGrant) with no condition',
  },
  {
    file: 'cfn-nag-aws-array-wildcard-principal.yaml',
    account: CFN_NAG_ACCOUNT,
    findings: [
      `${G}CrossAccountCreateGrant[Principal::*]`,
      `${G}CrossAccountNarrowed[Principal::*]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}PublicPrincipal`,
      RETAIN,
      `${G}SeparationOfDuties[Principal::*]`,
    ],
    why: 'the same with * inside a principal list',
  },
  {
    file: 'cfn-nag-without-wildcard-principal.yaml',
    account: CFN_NAG_ACCOUNT,
    findings: [
      `${G}CrossAccountCreateGrant[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Bob]`,
      RETAIN,
      `${G}SeparationOfDuties[Principal::arn:aws:iam::123456789012:user/Alice]`,
    ],
    why: 'users of another account; Alice\'s kms:Create* is CreateAlias (administration) and CreateGrant (use)',
  },
  {
    file: 'cfn-nag-rotation-false-string.yaml',
    account: CFN_NAG_ACCOUNT,
    findings: [
      `${G}CrossAccountCreateGrant[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Bob]`,
      ROTATION,
      RETAIN,
      `${G}SeparationOfDuties[Principal::arn:aws:iam::123456789012:user/Alice]`,
    ],
    why: 'EnableKeyRotation "false" (a string) does not rotate',
  },
  {
    file: 'cfn-nag-rotation-absent.yaml',
    account: CFN_NAG_ACCOUNT,
    findings: [
      `${G}CrossAccountCreateGrant[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Alice]`,
      `${G}CrossAccountNarrowed[Principal::arn:aws:iam::123456789012:user/Bob]`,
      ROTATION,
      RETAIN,
      `${G}SeparationOfDuties[Principal::arn:aws:iam::123456789012:user/Alice]`,
    ],
    why: 'no EnableKeyRotation: a symmetric key that does not rotate',
  },
  {
    file: 'cfn-templates-log-setup-management.yaml',
    findings: [
      `${G}KeyPolicyLockout`,
      ROTATION,
      RETAIN,
      `${G}SeparationOfDuties[Principal::arn:aws:iam::\${AWS::AccountId}:role/Admin]`,
      `${G}ServicePrincipalSource[Principal::logs.amazonaws.com]`,
    ],
    why: 'only role/Admin may rewrite the policy (not the root, not the deployer); Admin also generates data keys',
  },
  {
    file: 'cfn-templates-replication-destination.yaml',
    findings: [`${G}CrossAccountNarrowed[Principal::arn:\${AWS::Partition}:iam::222222222222:root]`, RETAIN],
    why: 'the source account encrypts with no kms:ViaService (S3) condition',
  },
  { file: 'cfn-templates-replication-source.yaml', findings: [RETAIN], why: 'the default policy, written out' },
  {
    file: 'cfn-templates-cloudfront-logging.yaml',
    findings: [RETAIN, `${G}SeparationOfDuties[Principal::arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/AdministratorAccess-app]`],
    why: 'the administrator role holds kms:Create*, CreateGrant included',
  },
  { file: 'cfn-templates-ecs-schedule.yaml', findings: [RETAIN], why: 'no KeyPolicy: the default policy' },
  {
    file: 'serverless-apigw-observability.yaml',
    findings: [RETAIN, `${G}ServicePrincipalSource[Principal::cloudwatch.amazonaws.com]`, `${G}ServicePrincipalSource[Principal::sns.amazonaws.com]`],
    why: 'CloudWatch and SNS may use the key for any account\'s topics',
  },
  { file: 'serverless-cognito-sns.yaml', findings: [ROTATION, RETAIN], why: 'the default policy; no rotation' },
  {
    file: 'serverless-eventbridge-oauth.yaml',
    findings: [RETAIN, `${G}ServicePrincipalSource[Principal::events.amazonaws.com]`],
    why: 'EventBridge may use the key for any account\'s connections',
  },
  {
    file: 'serverless-msk-secrets.yaml',
    findings: [`${G}PendingWindow`, RETAIN],
    why: 'CreateGrant to * held by the own kms:CallerAccount and kms:ViaService is neither public nor cross-account; 7-day window',
  },
  { file: 'cdk-integ-bypass-policy-lockout.yaml', findings: [ROTATION, RETAIN], why: 'the default policy; no rotation' },
  { file: 'data-perimeter-identity-network.yaml', findings: [], why: 'perimeter Deny statements over the default policy leave the deployer in' },
  {
    file: 'cloudtrail-console-default.yaml',
    findings: [],
    why: 'CloudTrail\'s documented policy: decrypt held to the own account and trail ciphertexts, alias creation through EC2',
  },
  { file: 'domain-protect-logs.yaml', findings: [], why: 'CloudWatch Logs held to the account\'s log groups by encryption context' },
  {
    file: 'rizkiprass-logs-region-placeholder.yaml',
    findings: [],
    why: 'held to an encryption context (the literal "region" makes it match nothing, a mistake no rule can see)',
  },
  { file: 'dxw-cloudwatch-sns.yaml', findings: [], why: 'CloudWatch held to one topic by encryption context' },
  { file: 'minamijoyo-default.yaml', findings: [ROTATION, RETAIN], why: 'the default policy, written out; no rotation' },
];

const CORPUS_DIR = path.join(__dirname, 'corpus');

/** Rules whose findings the simulation checks (the others are about properties, not access). */
const ACCESS_RULES = ['CrossAccountCreateGrant', 'CrossAccountNarrowed', 'KeyPolicyLockout', 'NoWildcardActions', 'PublicPrincipal', 'SeparationOfDuties', 'ServicePrincipalSource'];

interface Loaded {
  readonly key: CorpusKey;
  readonly stack: Stack;
}

let app: App;
let loaded: Loaded[];
let findings: Finding[];

beforeAll(() => {
  app = newApp();
  loaded = CORPUS.map((key) => {
    const stack = new Stack(app, stackIdOf(key.file), { env: { account: key.account ?? OWN, region: REGION } });
    new CfnInclude(stack, 'Template', { templateFile: path.join(CORPUS_DIR, key.file) });
    return { key, stack };
  });
  findings = synthFindings(app);
});

test('the corpus holds at least 30 keys, every fixture of the folder', () => {
  expect(CORPUS.length).toBeGreaterThanOrEqual(30);
  expect(CORPUS.map((k) => k.file).sort()).toEqual(fs.readdirSync(CORPUS_DIR).sort());
});

describe.each(CORPUS.map((key) => [key.file, key] as const))('%s', (_file, key) => {
  test(`findings: ${key.why}`, () => {
    expect(findingsOn(key)).toEqual([...key.findings].sort());
  });

  test('every access finding, and every absence of one, is what IAM decides', async () => {
    const { stack } = loaded.find((l) => l.key === key)!;
    const simulated = await simulatedFindings(stack);
    expect(findingsOn(key).filter((f) => ACCESS_RULES.some((r) => f.startsWith(`${G}${r}`)))).toEqual(simulated);
  });
});

function stackIdOf(file: string): string {
  return file.replace(/\.yaml$/, '');
}

function findingsOn(key: CorpusKey): string[] {
  const at = `${stackIdOf(key.file)}/Template/Key`;
  return findings.filter((f) => f.path === at).map((f) => f.ruleId).sort();
}

// ---------------------------------------------------------------------------------------------------
// The simulation side: the key policy with the template's parameters at their defaults, and requests
// that would show each kind of finding.
// ---------------------------------------------------------------------------------------------------

interface TemplateContext {
  readonly template: any;
  readonly account: string;
}

/** The synthesized template of a stack (the synthesis above wrote it before its validation failed). */
function templateOf(stack: Stack): any {
  return JSON.parse(fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf8'));
}

const NO_VALUE = Symbol('NoValue');

/**
 * Resolves a template value: conditions and parameters at their defaults; with `concrete`, pseudo
 * parameters too (partition aws, the stack's account and region), so that what is left is the policy
 * IAM would evaluate. Without it, the value keeps the spelling finding ids use.
 */
function resolve(value: any, ctx: TemplateContext, concrete: boolean): any {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx, concrete)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = value[fn];
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': ctx.account, 'AWS::Region': REGION };
    switch (fn) {
      case 'Ref':
        if (arg === 'AWS::NoValue') return NO_VALUE;
        if (ctx.template.Parameters?.[arg]) return String(ctx.template.Parameters[arg].Default);
        return concrete && pseudo[arg] ? pseudo[arg] : value;
      case 'Fn::If':
        return resolve(condition(arg[0], ctx) ? arg[1] : arg[2], ctx, concrete);
      case 'Fn::Sub': {
        const text = String(arg).replace(/\$\{([^}]+)\}/g, (whole, name) => {
          if (ctx.template.Parameters?.[name]) return String(ctx.template.Parameters[name].Default);
          return concrete && pseudo[name] ? pseudo[name] : whole;
        });
        return concrete ? text : { 'Fn::Sub': text };
      }
      case 'Fn::Join': {
        const parts = resolve(arg[1], ctx, concrete);
        return parts.every((p: unknown) => typeof p === 'string') ? parts.join(arg[0]) : { 'Fn::Join': [arg[0], parts] };
      }
      default:
        break;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(value[k], ctx, concrete)]).filter(([, v]) => v !== NO_VALUE));
}

function condition(name: string, ctx: TemplateContext): boolean {
  const evaluate = (e: any): boolean => {
    const [[fn, arg]] = Object.entries(e) as [string, any][];
    if (fn === 'Fn::Equals') return resolve(arg[0], ctx, true) === resolve(arg[1], ctx, true);
    if (fn === 'Fn::Not') return !evaluate(arg[0]);
    throw new Error(`condition function ${fn} not modelled by the test`);
  };
  return evaluate(ctx.template.Conditions[name]);
}

/** How a finding id writes a principal: Fn::Sub as its template, Fn::Join joined, Ref as ${Name}. */
function label(value: any): string {
  if (typeof value === 'string') return value;
  if (value['Fn::Sub'] !== undefined) return value['Fn::Sub'];
  if (value['Fn::Join'] !== undefined) return value['Fn::Join'][1].map(label).join(value['Fn::Join'][0]);
  if (value.Ref !== undefined) return `\${${value.Ref}}`;
  throw new Error(`no label for ${JSON.stringify(value)}`);
}

/** Whether an action is among a statement's action patterns (IAM matches them case-insensitively). */
function matches(patterns: string[], action: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.replace(/\*/g, '.*')}$`, 'i').test(action));
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const MANAGEMENT = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CreateAlias', 'kms:UpdateAlias', 'kms:CancelKeyDeletion', 'kms:TagResource', 'kms:EnableKeyRotation', 'kms:UpdateKeyDescription'];
const CRYPTO = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:CreateGrant'];
/** A sample no list of named actions covers: a statement allowing all of them allows every action. */
const EVERY_ACTION_SAMPLE = ['kms:PutKeyPolicy', 'kms:Decrypt', 'kms:CreateGrant', 'kms:GetParametersForImport', 'kms:RotateKeyOnDemand', 'kms:Sign', 'kms:ReplicateKey', 'kms:DeriveSharedSecret'];
/** Keys that narrow a principal to accounts, an organization or a service. */
const NARROWING = /^(kms:calleraccount|aws:principalaccount|aws:principalorgid|kms:viaservice)$/i;
/** Keys that tie a service principal to the resource it acts for. */
const SOURCE = /^(aws:sourcearn|aws:sourceaccount|aws:sourceorgid|aws:sourceorgpaths|kms:encryptioncontext:.+)$/i;

/**
 * The request context that satisfies a statement's conditions, except the keys `omit` selects: the most
 * a caller can make of the statement. Negated operators get a value other than theirs.
 */
function satisfying(conditionBlock: any, omit: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [operator, byKey] of Object.entries<any>(conditionBlock ?? {})) {
    const op = operator.toLowerCase().replace(/ifexists$/, '').replace(/^for(any|all)value:/, '');
    for (const [key, raw] of Object.entries<any>(byKey)) {
      if (omit(key)) continue;
      const first = String(asList(raw)[0]);
      if (op === 'null') {
        if (first === 'false') out[key] = 'present';
      } else if (op.includes('not')) {
        out[key] = 'matches-nothing-listed';
      } else if (op.startsWith('ipaddress')) {
        out[key] = first.split('/')[0];
      } else {
        out[key] = first.replace(/\*/g, 'x').replace(/\?/g, 'x');
      }
    }
  }
  return out;
}

/**
 * The keys IAM derives from an IAM principal making the request, which iam-simulate does not:
 * `aws:PrincipalArn`, `aws:PrincipalAccount` and `kms:CallerAccount`. They win over what a test puts
 * in the context, so no request claims an account other than its caller's. Service principals carry none.
 */
function identityContext(principal: string): Record<string, string> {
  if (!principal.startsWith('arn:')) return {};
  const account = principal.split(':')[4];
  return { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account, 'kms:CallerAccount': account };
}

/** The findings of the access rules that the simulation shows, as finding ids, sorted. */
async function simulatedFindings(stack: Stack): Promise<string[]> {
  const template = templateOf(stack);
  const ctx: TemplateContext = { template, account: stack.account };
  const props = template.Resources.Key.Properties;
  const defaultPolicy = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ctx.account}:root` }, Action: 'kms:*', Resource: '*' }] };
  const written = props.KeyPolicy === undefined ? defaultPolicy : resolve(props.KeyPolicy, ctx, false);
  const policy = props.KeyPolicy === undefined ? defaultPolicy : resolve(props.KeyPolicy, ctx, true);
  const writtenStatements = asList<any>(written.Statement);
  const statements = asList<any>(policy.Statement);
  const keyArn = `arn:aws:kms:${REGION}:${ctx.account}:key/00000000-0000-4000-8000-000000000000`;
  const ownRoot = `arn:aws:iam::${ctx.account}:root`;
  const denies = statements.filter((st) => st.Effect === 'Deny');
  // Findings name the principal of a statement: a request is asked of that statement (and the policy's
  // Deny statements), or of the whole policy for the lockout.
  const allowed = async (principal: string, action: string, context: Record<string, string>, identity = [KMS_STAR_POLICY], of: any[] = statements) =>
    (await decide({
      principal,
      action,
      resource: keyArn,
      resourceAccount: ctx.account,
      identityPolicies: identity,
      resourcePolicy: { Version: '2012-10-17', Statement: of === statements ? statements : [...of, ...denies] },
      context: { ...context, ...identityContext(principal) },
    })) === 'Allowed';
  const out = new Set<string>();

  const deployer = `arn:aws:iam::${ctx.account}:role/cdk-hnb659fds-cfn-exec-role-${ctx.account}-${REGION}`;
  const administrator = [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
  if (!await allowed(deployer, 'kms:PutKeyPolicy', { 'aws:PrincipalOrgID': ORG, 'kms:CallerAccount': ctx.account }, administrator)) {
    out.add(`${G}KeyPolicyLockout`);
  }

  const holdings = new Map<string, { admin: boolean; use: boolean }>();
  for (const [i, st] of statements.entries()) {
    if (st.Effect !== 'Allow') continue;
    const principals = st.Principal === '*' ? [['AWS', '*', '*']] : Object.entries<any>(st.Principal).flatMap(([type, v]) =>
      asList(v).map((value: any, j: number) => [type, value, label(asList(writtenStatements[i].Principal[type])[j])]));
    const actions = asList<string>(st.Action);
    for (const [type, value, name] of principals as [string, string, string][]) {
      if (type === 'Service') {
        const crypto = CRYPTO.find((a) => matches(actions, a));
        const foreign = {
          ...satisfying(st.Condition, (k) => SOURCE.test(k)),
          'aws:SourceAccount': OUTSIDER,
          'aws:SourceArn': `arn:aws:s3:::foreign-${OUTSIDER}`,
          ...Object.fromEntries(Object.values<any>(st.Condition ?? {}).flatMap((b) => Object.keys(b))
            .filter((k) => /^kms:encryptioncontext:/i.test(k)).map((k) => [k, `arn:aws:foreign:${REGION}:${OUTSIDER}:x/y`])),
        };
        if (crypto && await allowed(value, crypto, foreign, [], [st])) out.add(`${G}ServicePrincipalSource[Principal::${name}]`);
        continue;
      }
      if (type !== 'AWS' || value === ownRoot || value === ctx.account) continue;
      const account = value === '*' ? undefined : value.split(':')[4];
      const action = [...CRYPTO, ...MANAGEMENT, 'kms:DescribeKey'].find((a) => matches(actions, a))!;
      const label_ = name === '*' ? '*' : name;
      // Another account, or anyone: a direct call carrying none of the narrowing keys.
      if (account !== ctx.account) {
        const caller = value === '*' ? `arn:aws:iam::${OUTSIDER}:role/Prober` : value.endsWith(':root') ? `arn:aws:iam::${account}:role/Prober` : value;
        if (await allowed(caller, action, satisfying(st.Condition, (k) => NARROWING.test(k)), [KMS_STAR_POLICY], [st])) {
          out.add(`${G}CrossAccountNarrowed[Principal::${label_}]`);
          if (value === '*') out.add(`${G}PublicPrincipal`);
        }
        const granting = value === '*' ? asList<string>(st.Condition?.StringEquals?.['kms:CallerAccount']).filter((a) => a !== ctx.account) : [account!];
        for (const acct of value === '*' && granting.length === 0 ? [OUTSIDER] : granting) {
          const grantor = value === '*' || value.endsWith(':root') ? `arn:aws:iam::${acct}:role/Prober` : value;
          const context = {
            ...satisfying(st.Condition, (k) => /^(kms:viaservice|kms:grantisforawsresource|kms:granteeprincipal|kms:calleraccount)$/i.test(k)),
            'kms:CallerAccount': acct,
            'kms:GrantIsForAWSResource': 'false',
            'kms:GranteePrincipal': `arn:aws:iam::${acct}:role/Grantee`,
          };
          if (await allowed(grantor, 'kms:CreateGrant', context, [KMS_STAR_POLICY], [st])) out.add(`${G}CrossAccountCreateGrant[Principal::${label_}]`);
        }
      }
      // Administration and use, each by a direct call (through a service is the service's doing).
      const self = value === '*' ? `arn:aws:iam::${ctx.account}:role/Prober` : value.endsWith(':root') ? `arn:aws:iam::${account}:role/Prober` : value;
      const identity = account === ctx.account || value === '*' ? [] : [KMS_STAR_POLICY];
      const direct = satisfying(st.Condition, (k) => /^kms:viaservice$/i.test(k));
      const h = holdings.get(label_) ?? { admin: false, use: false };
      for (const a of MANAGEMENT) if (!h.admin && await allowed(self, a, direct, identity, [st])) h.admin = true;
      for (const a of CRYPTO) if (!h.use && await allowed(self, a, direct, identity, [st])) h.use = true;
      holdings.set(label_, h);
      const full = satisfying(st.Condition, () => false);
      let every = true;
      for (const a of EVERY_ACTION_SAMPLE) if (every && !await allowed(self, a, full, identity, [st])) every = false;
      if (every) out.add(`${G}NoWildcardActions[Principal::${label_}]`);
    }
  }
  for (const [name, h] of holdings) if (h.admin && h.use) out.add(`${G}SeparationOfDuties[Principal::${name}]`);
  return [...out].sort();
}
