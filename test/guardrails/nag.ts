/**
 * Synthesizes an app with cdk-nag packs registered as validation plugins (as users register them) and
 * returns what the validation report holds.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnDeletionPolicy, IPolicyValidationPlugin, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KmsGoldenRules } from '../../src';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const REGION = 'us-east-1';

/** One violating construct of one rule (or finding) of the report. */
export interface Finding {
  readonly pack: string;
  /** `Pack-Rule` or `Pack-Rule[finding]`. */
  readonly ruleId: string;
  readonly severity: string;
  readonly path: string;
}

/** A new app whose synthesized output goes to a fresh temporary directory. */
export function newApp(): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'kms-golden-')) });
}

/** A stack of the test account and region. */
export function newStack(app: App, id = 'Stack', account = ACCOUNT, region = REGION): Stack {
  return new Stack(app, id, { env: { account, region } });
}

/**
 * Synthesizes the app with the given packs (KmsGoldenRules by default) as plugins and returns every
 * finding of the validation report, or none when synthesis passes.
 */
export function synthFindings(app: App, packs?: IPolicyValidationPlugin[]): Finding[] {
  Validations.of(app).addPlugins(...(packs ?? [new KmsGoldenRules(app)]));
  // The CDK prints the report as it fails synthesis; the test reads the file instead.
  const quiet = [jest.spyOn(console, 'error'), jest.spyOn(console, 'log'), jest.spyOn(console, 'warn')]
    .map((spy) => spy.mockImplementation(() => undefined));
  try {
    app.synth();
    return [];
  } catch (e) {
    if (!/validation-report\.json/.test((e as Error).message)) {
      throw e;
    }
  } finally {
    quiet.forEach((spy) => spy.mockRestore());
  }
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
  const out: Finding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const violation of plugin.violations ?? []) {
      for (const construct of violation.violatingConstructs ?? []) {
        out.push({ pack: plugin.pluginName, ruleId: violation.ruleName, severity: violation.severity, path: construct.constructPath });
      }
    }
  }
  return out;
}

/** The rule ids (with finding) reported on a construct path or on its children. */
export function ruleIdsAt(findings: Finding[], constructPath: string): string[] {
  return findings
    .filter((f) => f.path === constructPath || f.path.startsWith(`${constructPath}/`))
    .map((f) => f.ruleId)
    .sort();
}

/** The findings of one rule (`KmsGolden-KeyRotation` matches `KmsGolden-KeyRotation[...]` too). */
export function findingsOf(findings: Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.ruleId === rule || f.ruleId.startsWith(`${rule}[`));
}

/** The account root in the form the CDK writes it: Fn::Join of AWS::Partition and AWS::AccountId. */
export const ROOT_JOIN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };

/**
 * An L1 key with the given key policy statements that passes every rule not about its policy
 * (rotating, retained), so a test sees only what the statements cause.
 */
export function keyWithStatements(stack: Stack, id: string, statements: any[]): kms.CfnKey {
  const key = new kms.CfnKey(stack, id, {
    enableKeyRotation: true,
    keyPolicy: { Version: '2012-10-17', Statement: statements },
  });
  key.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  key.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  return key;
}

/** An Allow statement of a key policy. */
export function allow(principal: unknown, actions: string | string[], condition?: unknown): any {
  return { Effect: 'Allow', Principal: principal, Action: actions, Resource: '*', ...(condition ? { Condition: condition } : {}) };
}
