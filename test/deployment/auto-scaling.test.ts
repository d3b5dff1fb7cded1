import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CustomerManagedKey } from '../../src';
import { synthFindings } from '../guardrails/nag';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const SLR = `:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

function encryptedTemplate(stack: Stack, key: CustomerManagedKey, name?: string): ec2.CfnLaunchTemplate {
  return new ec2.CfnLaunchTemplate(stack, 'Template', {
    launchTemplateName: name,
    launchTemplateData: { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, kmsKeyId: key.keyArn } }] },
  });
}

function statementsOf(stack: Stack): any[] {
  const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
  return Object.values(keys).flatMap((k: any) => k.Properties.KeyPolicy.Statement);
}

const group = (stack: Stack, props: Partial<autoscaling.CfnAutoScalingGroupProps>) =>
  new autoscaling.CfnAutoScalingGroup(stack, 'Group', { minSize: '1', maxSize: '2', availabilityZones: [`${REGION}a`], ...props });

describe('Auto Scaling groups that launch from a launch template encrypted with the key', () => {
  test.each([
    ['LaunchTemplate by id', (t: ec2.CfnLaunchTemplate) => ({ launchTemplate: { launchTemplateId: t.ref, version: t.attrLatestVersionNumber } })],
    ['LaunchTemplate by literal name', (_t: ec2.CfnLaunchTemplate) => ({ launchTemplate: { launchTemplateName: 'fleet', version: '$Latest' } })],
    ['MixedInstancesPolicy', (t: ec2.CfnLaunchTemplate) => ({
      mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: t.ref, version: t.attrLatestVersionNumber } } },
    })],
  ])('%s: the key policy names the service-linked role with use and grants for AWS resources, without ViaService', (_n, groupProps) => {
    // GIVEN
    const stack = new Stack(new App(), 'Fleet', { env: { account: ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(stack, 'Key');
    const template = encryptedTemplate(stack, key, 'fleet');

    // WHEN
    group(stack, groupProps(template));

    // THEN
    const statements = statementsOf(stack);
    const use = statements.find((s) => s.Sid === 'AutoScalingServiceLinkedRoleUse');
    const grant = statements.find((s) => s.Sid === 'AutoScalingServiceLinkedRoleGrant');
    expect(JSON.stringify(use.Principal)).toContain(SLR);
    expect(use.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(use.Condition).toBeUndefined();
    expect(grant).toMatchObject({ Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } });
    Annotations.fromStack(stack).hasWarning('/Fleet/Key', Match.stringLikeRegexp('KMS refuses a key policy whose principal does not exist'));
  });

  test('a group with its own ServiceLinkedRoleARN gets that role, not the default one', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Fleet', { env: { account: ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(stack, 'Key');
    const template = encryptedTemplate(stack, key);
    const custom = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_fleet`;

    // WHEN
    group(stack, { launchTemplate: { launchTemplateId: template.ref, version: '1' }, serviceLinkedRoleArn: custom });

    // THEN
    const use = statementsOf(stack).find((s) => s.Sid === 'AutoScalingServiceLinkedRoleUse');
    expect(use.Principal).toEqual({ AWS: custom });
  });

  test('a service-linked role created in the key\'s stack is named by reference, and needs no warning', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Fleet', { env: { account: ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(stack, 'Key');
    const template = encryptedTemplate(stack, key);
    const role = new iam.CfnServiceLinkedRole(stack, 'Role', { awsServiceName: 'autoscaling.amazonaws.com', customSuffix: 'fleet' });

    // WHEN
    group(stack, {
      launchTemplate: { launchTemplateId: template.ref, version: '1' },
      serviceLinkedRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/${role.ref}`,
    });

    // THEN
    expect(JSON.stringify(statementsOf(stack).find((s) => s.Sid === 'AutoScalingServiceLinkedRoleUse').Principal)).toContain(stack.getLogicalId(role));
    Annotations.fromStack(stack).hasNoWarning('/Fleet/Key', Match.stringLikeRegexp('service-linked role'));
  });

  test('a template that no group launches from, or a group of another template, adds no statement for the role', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Fleet', { env: { account: ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(stack, 'Key');
    encryptedTemplate(stack, key);
    const plain = new ec2.CfnLaunchTemplate(stack, 'Plain', { launchTemplateData: { instanceType: 't3.micro' } });

    // WHEN
    group(stack, { launchTemplate: { launchTemplateId: plain.ref, version: '1' } });

    // THEN
    expect(statementsOf(stack).map((s) => s.Sid)).not.toContain('AutoScalingServiceLinkedRoleUse');
  });

  test('a group of another account that names a launch template like the key\'s is not taken for it', () => {
    // GIVEN
    const app = new App();
    const fleet = new Stack(app, 'Fleet', { env: { account: ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(fleet, 'Key');
    encryptedTemplate(fleet, key, 'fleet');
    const partner = new Stack(app, 'Partner', { env: { account: '222222222222', region: REGION } });

    // WHEN
    group(partner, { launchTemplate: { launchTemplateName: 'fleet', version: '1' } });

    // THEN
    expect(statementsOf(fleet).map((s) => s.Sid)).not.toContain('AutoScalingServiceLinkedRoleUse');
  });

  test('a service-linked role named by a reference to another stack is refused: the key policy could not name it', () => {
    // GIVEN
    const app = new App();
    const keys = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(keys, 'Key');
    const fleet = new Stack(app, 'Fleet', { env: { account: ACCOUNT, region: REGION } });
    const template = encryptedTemplate(fleet, key);
    const role = new iam.CfnServiceLinkedRole(fleet, 'Role', { awsServiceName: 'autoscaling.amazonaws.com', customSuffix: 'fleet' });

    // WHEN
    group(fleet, {
      launchTemplate: { launchTemplateId: template.ref, version: '1' },
      serviceLinkedRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/${role.ref}`,
    });

    // THEN
    expect(() => app.synth()).toThrow(/Fleet\/Group \(LaunchTemplate\.LaunchTemplateId\) names its service-linked role \(ServiceLinkedRoleARN\) by a reference to stack Fleet/);
  });

  test('KmsGoldenRules finds nothing on the key: the role neither administers nor leaves the account', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Fleet', { env: { account: ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(stack, 'Key', { users: [new iam.Role(stack, 'Users', { assumedBy: new iam.AccountRootPrincipal() })] });
    const template = encryptedTemplate(stack, key);

    // WHEN
    group(stack, { launchTemplate: { launchTemplateId: template.ref, version: '1' } });

    // THEN
    expect(synthFindings(app)).toEqual([]);
  });
});
