import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { addCompliancePacks } from './examples/golden-pattern/app';
import { SharingPatternStack } from './examples/golden-pattern/sharing-pattern';
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'flag-'));
const app = new App({ outdir, context: { '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true, '@aws-cdk/core:validateAgainstDefaultRules': true } });
new SharingPatternStack(app, 'Sharing', { env: { account: '111111111111', region: 'eu-west-1' } });
addCompliancePacks(app);
try { app.synth(); console.log('synth ok'); } catch (e) { console.log('synth failed', String(e).slice(0, 3000)); }
const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
const v = (report.pluginReports ?? []).flatMap((r: any) => r.violations ?? []);
console.log(JSON.stringify(v.map((x: any) => [x.ruleName, x.violatingResources?.map((r: any) => r.resourceLogicalId)]), null, 0).slice(0, 3000));
const t = JSON.parse(fs.readFileSync(path.join(outdir, 'Sharing.template.json'), 'utf8'));
console.log(Object.entries<any>(t.Resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup').map(([id]) => id));
