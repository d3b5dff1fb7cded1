import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { addCompliancePacks } from '../../examples/golden-pattern/app';
import { ImportedKeyRing, KeyArnPublication } from '../../src';

const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

/** GIVEN a ring with a published active key ARN, read by the users, under every pack of the example app. */
function synth(): () => void {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ring-')), context: CONTEXT });
  const stack = new Stack(app, 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
  const admins = new iam.Role(stack, 'Admins', { assumedBy: new iam.AccountRootPrincipal() });
  const users = new iam.Role(stack, 'Users', { assumedBy: new iam.AccountRootPrincipal() });
  const ring = new ImportedKeyRing(stack, 'Ring', { aliasName: 'alias/app', versions: ['v1', 'v2'], admins: [admins], users: [users] });
  new KeyArnPublication(stack, 'KeyArn', { key: ring.activeKey, parameterName: '/app/kms-key-arn', readers: [users] });
  addCompliancePacks(app);
  return () => app.synth();
}

describe('an imported key ring and a key ARN publication under AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1 and CloudFormation validation', () => {
  test('no finding: the keys acknowledge the packs\' rotation rules themselves, with the reason (imported material cannot rotate)', () => {
    expect(synth()).not.toThrow();
  });

  test('the acknowledgements are the keys\' own, with their reason', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
    const ring = new ImportedKeyRing(stack, 'Ring', { aliasName: 'alias/app', versions: ['v1'] });
    const metadata = JSON.stringify(ring.versionKeys[0].node.metadata);
    expect(metadata).toContain('AwsSolutions-KMS5');
    expect(metadata).toContain('Imported key material cannot rotate automatically');
  });
});
