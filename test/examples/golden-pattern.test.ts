import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { addCompliancePacks, addGoldenPatternApp } from '../../examples/golden-pattern/app';
import { deniedCalls, deploymentCalls } from '../helpers/deployment';
import { World } from '../helpers/world';

const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

describe('the example golden-pattern app', () => {
  let deployed: World;

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

    // AND deploying it is allowed: every KMS call of CloudFormation and of the services that create the
    // table, the secret, the function, the log groups and the trail with the key, in every stack.
    const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    deployed = new World(...stacks);
  });

  test('every KMS call of deploying the example is allowed by its key policies (create, update, delete)', async () => {
    // The example's perimeter holds use to its organization: the deployer is a role of it.
    const calls = deploymentCalls(deployed, { deployerContext: { 'aws:PrincipalOrgID': 'o-exampleorgid1' } });
    const kinds = new Set(calls.map((c) => c.why.split(' ')[0]));
    for (const kind of ['AWS::DynamoDB::Table', 'AWS::SecretsManager::Secret', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::CloudTrail::Trail', 'AWS::KMS::ReplicaKey']) {
      expect(kinds).toContain(kind);
    }
    expect(await deniedCalls(deployed, calls)).toEqual([]);
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

describe('the multi-Region pattern of the example app', () => {
  function exampleApp(context: Record<string, unknown>): App {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'golden-')), context });
    addGoldenPatternApp(app, { account: '111111111111', region: 'eu-west-1' });
    return app;
  }
  const PRIMARY = 'GoldenPatternMultiRegionKeys';
  const REPLICAS = ['GoldenPatternMultiRegionKeys-us-east-1', 'GoldenPatternMultiRegionKeys-ap-southeast-2'];
  const app = exampleApp(CONTEXT);
  const stack = (id: string, of = app) => of.node.findChild(id) as Stack;
  const types = (id: string, of = app) => Object.values(Template.fromStack(stack(id, of)).toJSON().Resources).map((r: any) => r.Type).sort();

  test('a primary in eu-west-1 and replicas in us-east-1 and ap-southeast-2, deployed after it', () => {
    expect(REPLICAS.map((id) => stack(id).region)).toEqual(['us-east-1', 'ap-southeast-2']);
    for (const id of REPLICAS) {
      expect(stack(id).dependencies).toContain(stack(PRIMARY));
      Template.fromStack(stack(id)).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/golden-pattern/multi-region' });
    }
  });

  test('with the example\'s weak cross-stack references, the replicas read the primary\'s outputs: no custom resource, no Lambda', () => {
    expect(types(PRIMARY)).toEqual(['AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::KMS::Alias', 'AWS::KMS::Key']);
    for (const id of REPLICAS) {
      expect(types(id)).toEqual(['AWS::KMS::Alias', 'AWS::KMS::ReplicaKey']);
      Template.fromStack(stack(id)).hasResourceProperties('AWS::KMS::ReplicaKey', {
        PrimaryKeyArn: { 'Fn::GetStackOutput': { StackName: PRIMARY, Region: 'eu-west-1', OutputName: Match.stringLikeRegexp('ApplicationKey.*Arn') } },
      });
    }
  });

  test('with CDK\'s default (strong) references: an ExportWriter in the primary and an ExportReader per replica, scoped to /cdk/exports/ parameters', () => {
    // cdk-nag's rules inspect the typed L1 classes (CfnRole, CfnFunction): these framework resources are
    // raw CfnResources, which it does not inspect. They run at deployment only and hold no data.
    const strong = exampleApp({ ...CONTEXT, '@aws-cdk/core:defaultCrossStackReferences': 'strong' });
    expect(types(PRIMARY, strong)).toEqual(expect.arrayContaining(['AWS::IAM::Role', 'AWS::Lambda::Function', 'Custom::CrossRegionExportWriter']));
    expect(types(REPLICAS[0], strong)).toEqual(
      ['AWS::IAM::Role', 'AWS::KMS::Alias', 'AWS::KMS::ReplicaKey', 'AWS::Lambda::Function', 'Custom::CrossRegionExportReader'],
    );
    Template.fromStack(stack(REPLICAS[0], strong)).hasResourceProperties('AWS::IAM::Role', {
      Policies: [{
        PolicyName: 'Inline',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Effect: 'Allow',
            Action: ['ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource', 'ssm:GetParameters'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:us-east-1:111111111111:parameter/cdk/exports/${REPLICAS[0]}/*`]] },
          }],
        },
      }],
    });
  });
});
