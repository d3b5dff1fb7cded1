import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { addCompliancePacks, addGoldenPatternApp } from '../../examples/golden-pattern/app';

const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

describe('the example golden-pattern app', () => {
  test('cdk.json turns on CloudFormation\'s own validation rules as errors', () => {
    expect(CONTEXT['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  });

  test('synthesizes with no finding of KmsGoldenRules, AwsSolutions, NIST 800-53 rev 5, HIPAA, PCI DSS 3.2.1 or CloudFormation validation', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-'));
    const app = new App({ outdir, context: CONTEXT });
    addGoldenPatternApp(app, { account: '111111111111', region: 'eu-west-1' });

    // A finding of any pack or of CloudFormation validation fails synth.
    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const violations = (report.pluginReports ?? []).flatMap((r: any) => r.violations ?? []);
    expect(violations).toEqual([]);
  });

  test('the same checks are live: a plain kms.Key without rotation fails them', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-')), context: CONTEXT });
    new kms.Key(new Stack(app, 'Plain'), 'Key');
    // AwsSolutions-KMS5: a symmetric key without rotation.
    addCompliancePacks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-KMS5/);
  });

  test('the same checks are live: CloudFormation validation rejects a bad pending window', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-')), context: CONTEXT });
    new kms.CfnKey(new Stack(app, 'Raw'), 'Key', { pendingWindowInDays: 3, enableKeyRotation: true, keyPolicy: {} });
    expect(() => app.synth()).toThrow(/PendingWindowInDays: 3 is less than the minimum of 7/);
  });
});
