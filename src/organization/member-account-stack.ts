import {
  DockerImageAssetLocation,
  DockerImageAssetSource,
  FileAssetLocation,
  FileAssetSource,
  ISynthesisSession,
  Stack,
  StackSynthesizer,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { failInput } from '../private/validation';

/**
 * Properties of a {@link MemberAccountStack}.
 */
export interface MemberAccountStackProps {
  /**
   * The description of the stack that the StackSet creates in each member account.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * The stack that a {@link MemberAccountStackSet} deploys to every account of its organizational units and
 * regions: build it with the library's constructs (for example `EbsSharedKeyAccess` with the shared
 * key's ARN and roles found by name). It is not a stack of the app: `cdk deploy` never deploys it; its
 * template travels inside the StackSet (`TemplateBody`), so member accounts need no CDK bootstrap.
 *
 * It is environment-agnostic (each instance's account and region are `AWS::AccountId` and
 * `AWS::Region`), and it cannot hold assets (Lambda code, files, Docker images): member accounts have no
 * bootstrap bucket to read them from. Constructs that need assets fail when they are added, with this
 * stack's path. References to other stacks are refused at synth.
 */
export class MemberAccountStack extends Stack {
  constructor(scope: Construct, id: string, props: MemberAccountStackProps = {}) {
    super(scope, id, { description: props.description, synthesizer: new MemberAccountSynthesizer(), analyticsReporting: false });
  }

  /**
   * The template of the stack, as the StackSet sends it (resolved once the app is prepared).
   * @internal
   */
  public _renderTemplate(): any {
    return this._toCloudFormation();
  }
}

/**
 * Writes the template to the cloud assembly for reading, but emits no stack artifact (the StackSet carries
 * it), and refuses assets, which member accounts could not read.
 */
class MemberAccountSynthesizer extends StackSynthesizer {
  public addFileAsset(asset: FileAssetSource): FileAssetLocation {
    return this.refuseAsset(`file asset ${asset.fileName ?? asset.executable?.join(' ') ?? asset.sourceHash}`);
  }

  public addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    return this.refuseAsset(`Docker image asset ${asset.directoryName ?? asset.executable?.join(' ') ?? asset.sourceHash}`);
  }

  public synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
  }

  private refuseAsset(what: string): never {
    return failInput(this.boundStack.node.path,
      `a MemberAccountStack cannot hold assets (got a ${what}): StackSets deploy it to member accounts that have no CDK ` +
      'bootstrap bucket; use constructs without Lambda code or files (for a KMS grant, use EbsSharedKeyAccess without autoScalingGrant ' +
      'and create the grant in a stack of its own account)');
  }
}
