import * as fs from 'fs';
import * as path from 'path';
import { CfnElement, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Stage } from 'aws-cdk-lib';
import { accessMatrix, AccessCell, AccessMatrix, AccessRow, capabilitiesFor, compareText, conditionsInWords } from '../private/access-matrix';
import { LIST_SUMMARY_THRESHOLD } from '../private/condition-words';
import { ResolvedStatement } from '../private/key-policy-analyzer';
import { deployedLength, KEY_POLICY_MAX_BYTES } from '../private/policy-size';

/** Options of the key access report. */
export interface KeyAccessReportProps {
  /**
   * Base name of the report files written in the cloud assembly directory (`<name>.md` and `<name>.json`).
   *
   * @default 'key-access-report'
   */
  readonly fileName?: string;
}

/**
 * Writes, at synth, who can do what with every KMS key of an app (`AWS::KMS::Key` and
 * `AWS::KMS::ReplicaKey`, whoever made them): a Markdown report for reviewers and a JSON report for
 * tools, next to the templates in the cloud assembly.
 *
 * For each key: a matrix of principals (named roles and users, account roots, the accounts or
 * organization a `*` is narrowed to, service principals, the deployer) against capabilities
 * (administer, rewrite the policy, replicate, aliases, the use actions of the key's spec, grants), each
 * cell allowed, denied or allowed only under conditions written in words; the findings; and the policy
 * size against the limit. Ordering is stable and the report holds no timestamp, so its diff is what
 * changed in the access.
 *
 * It is a validation plugin: turn it on for the whole app in one line. It never fails the synth.
 *
 * @example
 * import { App, Validations } from 'aws-cdk-lib';
 * import { KeyAccessReport } from 'cdk-kms-patterns';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new KeyAccessReport());
 */
export class KeyAccessReport implements IPolicyValidationPlugin {
  /** The name of the plugin in the validation report. */
  public readonly name: string = 'KeyAccessReport';

  /** The rules of the plugin: none, the report never fails the synth. */
  public readonly ruleIds?: string[] = [];

  private readonly fileName: string;

  /**
   * @param props options of the report
   */
  constructor(props: KeyAccessReportProps = {}) {
    const fileName = props.fileName ?? 'key-access-report';
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(fileName)) {
      throw new Error(`KeyAccessReport: fileName must be 1-100 characters of letters, digits, '.', '_' or '-', got '${fileName}'`);
    }
    this.fileName = fileName;
  }

  /**
   * Writes the reports; reports no violation.
   *
   * @param context the templates of the app
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = buildReport(context);
    const outdir = Stage.isStage(context.appConstruct)
      ? context.appConstruct.outdir
      : path.dirname(context.stackTemplates[0]?.templatePath ?? '.');
    fs.writeFileSync(path.join(outdir, `${this.fileName}.json`), JSON.stringify(report, undefined, 2) + '\n');
    fs.writeFileSync(path.join(outdir, `${this.fileName}.md`), renderMarkdown(report, `${this.fileName}.json`));
    return { success: true, violations: [] };
  }
}

/** The machine-readable report. */
interface ReportJson {
  readonly keys: KeyReport[];
}

interface KeyReport {
  readonly stack: string;
  readonly template: string;
  readonly logicalId: string;
  readonly constructPath?: string;
  readonly type: string;
  readonly account?: string;
  readonly region?: string;
  readonly keySpec: string;
  readonly multiRegion: boolean;
  readonly primaryKey?: string;
  readonly policy: { readonly bytes: number; readonly limit: number; readonly defaultPolicy: boolean };
  readonly findings: string[];
  readonly principals: (AccessRow & { readonly display: string; readonly logicalId?: string; readonly stack?: string })[];
  readonly capabilities: { readonly id: string; readonly title: string; readonly actions: readonly string[] }[];
  readonly cells: Record<string, Record<string, AccessCell & { readonly words?: string; readonly deniedWhenWords?: string }>>;
}

/** What KMS applies when a key has no policy: the account root may do everything. */
const DEFAULT_POLICY: ResolvedStatement[] = [{ Effect: 'Allow', Principal: { AWS: '${AWS::AccountId}' }, Action: 'kms:*' }];

/** A synthesized stack of the app, as the report reads it. */
interface StackTemplate {
  readonly path: string;
  readonly templateName: string;
  readonly template: any;
  readonly account?: string;
  readonly region?: string;
  readonly stackName?: string;
  /** Construct paths of the stack's resources, by logical id. */
  readonly constructPaths: Map<string, string>;
}

function buildReport(context: IPolicyValidationContext): ReportJson {
  const stacksByPath = new Map<string, Stack>();
  for (const c of context.appConstruct.node.findAll()) {
    if (Stack.isStack(c)) stacksByPath.set(c.node.path, c);
  }
  const stacks: StackTemplate[] = [...context.stackTemplates]
    .sort((a, b) => compareText(a.stackConstructPath, b.stackConstructPath))
    .map((st) => {
      const construct = stacksByPath.get(st.stackConstructPath);
      return {
        path: st.stackConstructPath,
        templateName: path.basename(st.templatePath),
        template: JSON.parse(fs.readFileSync(st.templatePath, 'utf8')),
        account: st.accountId,
        region: st.region,
        stackName: construct?.stackName,
        constructPaths: construct ? constructPathsOf(construct) : new Map(),
      };
    });
  const keys: KeyReport[] = [];
  for (const stack of stacks) {
    const resources: Record<string, any> = stack.template.Resources ?? {};
    for (const logicalId of Object.keys(resources).sort()) {
      const resource = resources[logicalId];
      if (resource?.Type === 'AWS::KMS::Key' || resource?.Type === 'AWS::KMS::ReplicaKey') {
        keys.push(keyReport(stack, logicalId, resource, stacks));
      }
    }
  }
  return { keys: keys.sort((a, b) => compareText(`${a.stack}/${a.logicalId}`, `${b.stack}/${b.logicalId}`)) };
}

/** The construct path of each CloudFormation resource of a stack (not of its nested stacks), by logical id. */
function constructPathsOf(stack: Stack): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (CfnElement.isCfnElement(c) && Stack.of(c) === stack) {
      out.set(stack.resolve(c.logicalId), c.node.path);
    }
  }
  return out;
}

function keyReport(stack: StackTemplate, logicalId: string, resource: any, stacks: StackTemplate[]): KeyReport {
  const props = resource.Properties ?? {};
  const render = renderer(stack, stacks);
  const account = stack.account;
  const rawPolicy = typeof props.KeyPolicy === 'string' ? JSON.parse(props.KeyPolicy) : props.KeyPolicy;
  const statements: ResolvedStatement[] = rawPolicy === undefined
    ? DEFAULT_POLICY
    : (Array.isArray(rawPolicy.Statement) ? rawPolicy.Statement : [rawPolicy.Statement]).filter((st: unknown) => st !== undefined);
  const keySpec = typeof props.KeySpec === 'string' ? props.KeySpec : 'SYMMETRIC_DEFAULT';
  const keyUsage = typeof props.KeyUsage === 'string' ? props.KeyUsage : undefined;
  const multiRegion = resource.Type === 'AWS::KMS::ReplicaKey' || props.MultiRegion === true;
  const matrix = accessMatrix(statements, capabilitiesFor(keySpec, keyUsage, multiRegion), render, account);
  const principals = matrix.rows.map((row) => ({ ...row, ...describe(row, stacks) }));
  const cells: KeyReport['cells'] = {};
  for (const row of matrix.rows) {
    cells[row.id] = {};
    for (const [cap, cell] of Object.entries(matrix.cells[row.id])) {
      cells[row.id][cap] = {
        ...cell,
        ...(cell.conditions.length > 0 ? { words: conditionsInWords(cell.conditions) } : {}),
        ...(cell.deniedWhen.length > 0 ? { deniedWhenWords: conditionsInWords(cell.deniedWhen) } : {}),
      };
    }
  }
  return {
    stack: stack.path,
    template: stack.templateName,
    logicalId,
    constructPath: stack.constructPaths.get(logicalId) ?? resource.Metadata?.['aws:cdk:path'],
    type: resource.Type,
    account,
    region: stack.region,
    keySpec,
    multiRegion,
    primaryKey: props.PrimaryKeyArn !== undefined ? render(props.PrimaryKeyArn) : undefined,
    policy: {
      bytes: deployedLength(rawPolicy ?? { Statement: DEFAULT_POLICY }),
      limit: KEY_POLICY_MAX_BYTES,
      defaultPolicy: rawPolicy === undefined,
    },
    findings: findingsOf(matrix, rawPolicy === undefined),
    principals,
    capabilities: matrix.capabilities.map((c) => ({ id: c.id, title: c.title, actions: c.actions })),
    cells,
  };
}

const USE_CAPABILITIES = ['encrypt', 'decrypt', 'generate-mac', 'verify-mac', 'sign', 'verify', 'derive-shared-secret'];
const ADMIN_CAPABILITIES = ['administer', 'rewrite-policy', 'replicate', 'aliases'];

/** What a reviewer must look at, read from the matrix. */
function findingsOf(matrix: AccessMatrix, defaultPolicy: boolean): string[] {
  const out: string[] = [];
  if (defaultPolicy) {
    out.push('The key has no key policy: KMS applies its default, which lets every IAM principal of the account whose own policy allows it administer and use the key.');
  }
  const holds = (row: AccessRow, caps: string[]) => caps.filter((c) => matrix.cells[row.id][c] !== undefined && matrix.cells[row.id][c].verdict !== 'denied');
  let rewriters = 0;
  for (const row of matrix.rows) {
    const admin = holds(row, ADMIN_CAPABILITIES);
    const use = holds(row, [...USE_CAPABILITIES, 'any-grant']);
    if (holds(row, ['rewrite-policy']).length > 0) rewriters++;
    const who = rowTitle(row);
    if (row.kind === 'anyone' && (admin.length > 0 || use.length > 0)) {
      out.push(`${who} may ${[...admin, ...use].join(', ')}${unconditional(matrix, row, [...admin, ...use]) ? ' with no condition' : ' (only under conditions)'}.`);
    }
    if (row.kind === 'account-root' && use.length > 0) {
      out.push(`${who} may ${use.join(', ')}: every IAM principal of that account whose own policy allows it can use the key.`);
    }
    if (row.kind !== 'account-root' && admin.length > 0 && use.length > 0) {
      out.push(`${who} both administers (${admin.join(', ')}) and uses (${use.join(', ')}) the key.`);
    }
    if (row.kind === 'service' && use.length > 0 && unconditional(matrix, row, use)) {
      out.push(`${who} may ${use.join(', ')} with no confused-deputy condition (aws:SourceAccount, aws:SourceArn or an encryption context).`);
    }
  }
  if (rewriters === 0) {
    out.push('No principal may rewrite the key policy (kms:PutKeyPolicy): the key cannot be changed again.');
  }
  return out;
}

function unconditional(matrix: AccessMatrix, row: AccessRow, caps: string[]): boolean {
  return caps.some((c) => matrix.cells[row.id][c]?.verdict === 'allowed');
}

/** A readable name for a row: a resource of the app by its construct path and logical id. */
function describe(row: AccessRow, stacks: StackTemplate[]): { display: string; logicalId?: string; stack?: string } {
  const ref = /^\$\{(.+)\/([A-Za-z0-9]+)\.Arn\}$/.exec(row.value);
  const owner = ref ? stacks.find((st) => st.path === ref[1]) : undefined;
  if (ref && owner) {
    const resource = owner.template.Resources?.[ref[2]];
    const cdkPath = owner.constructPaths.get(ref[2]) ?? resource?.Metadata?.['aws:cdk:path'];
    const kind = resource?.Type?.split('::').pop()?.toLowerCase() ?? 'resource';
    return { display: `${kind} ${cdkPath ? cdkPath.replace(/\/Resource$/, '') : ref[2]} (${ref[2]})`, logicalId: ref[2], stack: owner.path };
  }
  return { display: rowTitle(row) };
}

function rowTitle(row: AccessRow): string {
  switch (row.kind) {
    case 'anyone':
      return 'anyone (`*`)';
    case 'accounts':
      return row.members!.length > LIST_SUMMARY_THRESHOLD
        ? `principals of ${row.members!.length.toLocaleString('en-US')} accounts`
        : `principals of account${row.members!.length > 1 ? 's' : ''} ${row.members!.join(', ')}`;
    case 'organization':
      return `principals of organization ${row.members!.join(', ')}`;
    case 'organization-paths':
      return `principals under ${row.members!.join(', ')}`;
    case 'account-root':
      return `account ${row.value} (IAM policies)`;
    case 'deployer':
      return `deployer ${row.value}`;
    case 'service':
      return `service ${row.value}`;
    default:
      return row.value;
  }
}

/**
 * Intrinsics rendered readable: pseudo parameters replaced where the stack's environment is known, and
 * references to resources of the app, in this stack or carried from another (exports, outputs,
 * cross-region references), written `${<stack path>/<logical id>.<attribute>}`.
 */
function renderer(stack: StackTemplate, stacks: StackTemplate[]): (value: unknown) => string {
  const region = stack.region;
  const partition = region === undefined ? '${AWS::Partition}' : region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const pseudo: Record<string, string | undefined> = {
    'AWS::AccountId': stack.account,
    'AWS::Region': region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': region === undefined ? undefined : region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com',
  };
  const template = stack.template;
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value === null || typeof value !== 'object') return String(value);
    if (Array.isArray(value)) return value.map(render).join(',');
    const entries = Object.entries(value as Record<string, any>);
    if (entries.length !== 1) return JSON.stringify(value);
    const [[fn, arg]] = entries;
    switch (fn) {
      case 'Ref':
        return pseudo[arg] ?? (template.Parameters?.[arg] ? `\${param:${arg}}` : `\${${stack.path}/${arg}}`);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
        const carried = template.Resources?.[id]?.Type === 'Custom::CrossRegionExportReader' ? crossRegionExport(stacks, attr) : undefined;
        return carried ?? `\${${stack.path}/${id}.${attr}}`;
      }
      case 'Fn::Join':
        return Array.isArray(arg?.[1]) ? arg[1].map(render).join(arg[0]) : '${Fn::Join}';
      case 'Fn::Sub': {
        const text = Array.isArray(arg) ? String(arg[0]) : String(arg);
        return text.replace(/\$\{([^}!]+)\}/g, (m: string, name: string) => pseudo[name] ?? m);
      }
      case 'Fn::ImportValue':
        return exported(stacks, render(arg)) ?? `\${import:${render(arg)}}`;
      case 'Fn::GetStackOutput':
        return stackOutput(stacks, arg) ?? `\${output:${render(arg?.OutputName)}}`;
      default:
        return `\${${fn}}`;
    }
  };
  return render;
}

/** The value a cross-region export writer of the app writes under a parameter name, rendered in its stack. */
function crossRegionExport(stacks: StackTemplate[], parameterName: string): string | undefined {
  for (const st of stacks) {
    for (const r of Object.values<any>(st.template.Resources ?? {})) {
      const value = r.Type === 'Custom::CrossRegionExportWriter' ? r.Properties?.WriterProps?.exports?.[parameterName] : undefined;
      if (value !== undefined) return renderer(st, stacks)(value);
    }
  }
  return undefined;
}

/** The value of an export of the app, rendered in the stack that exports it. */
function exported(stacks: StackTemplate[], name: string): string | undefined {
  for (const st of stacks) {
    for (const output of Object.values<any>(st.template.Outputs ?? {})) {
      if (output.Export !== undefined && renderer(st, stacks)(output.Export.Name) === name) {
        return renderer(st, stacks)(output.Value);
      }
    }
  }
  return undefined;
}

/** The value of an output read with `Fn::GetStackOutput` (a weak reference), rendered in its stack. */
function stackOutput(stacks: StackTemplate[], arg: any): string | undefined {
  const producer = stacks.find((st) => st.stackName === arg?.StackName);
  const output = producer?.template.Outputs?.[arg?.OutputName];
  return producer && output ? renderer(producer, stacks)(output.Value) : undefined;
}

const VERDICT_TEXT: Record<string, string> = { allowed: 'yes', denied: '–' };

/** The human-readable report. */
function renderMarkdown(report: ReportJson, jsonName: string): string {
  const lines: string[] = [
    '# KMS key access report',
    '',
    'Who can do what with each KMS key of the app, read from the synthesized key policies. `yes`: allowed;',
    '`–`: not allowed by the key policy; `if [n]`: allowed only under condition n. The account row is what',
    'IAM policies of that account can be given; named principals are shown with what the key policy gives',
    `them directly. Full lists are in \`${jsonName}\`.`,
    '',
  ];
  if (report.keys.length === 0) {
    lines.push('The app has no KMS key.', '');
  }
  report.keys.forEach((key, index) => {
    lines.push(`## ${key.constructPath?.replace(/\/Resource$/, '') ?? `${key.stack}/${key.logicalId}`}`, '');
    const where = [key.account, key.region].filter((x) => x !== undefined).join(', ') || 'environment-agnostic';
    const percent = Math.round((key.policy.bytes / key.policy.limit) * 100);
    lines.push(
      `\`${key.type}\` \`${key.logicalId}\` in stack \`${key.stack}\` (${where}); ${key.keySpec}${key.multiRegion ? ', multi-Region' : ''}` +
      `${key.primaryKey ? `; replica of \`${key.primaryKey}\`` : ''}.`,
      `Key policy: up to ${key.policy.bytes.toLocaleString('en-US')} of ${key.policy.limit.toLocaleString('en-US')} bytes (${percent}%)` +
      `${key.policy.defaultPolicy ? ', the default key policy' : ''}.`,
      '',
    );
    const notes: string[] = [];
    const note = (text: string) => {
      const i = notes.indexOf(text);
      if (i >= 0) return i + 1;
      notes.push(text);
      return notes.length;
    };
    lines.push(`| Principal | ${key.capabilities.map((c) => c.title).join(' | ')} |`);
    lines.push(`|---|${key.capabilities.map(() => '---').join('|')}|`);
    for (const p of key.principals) {
      const row = key.capabilities.map((c) => {
        const cell = key.cells[p.id][c.id];
        const partial = cell.verdict !== 'denied' && cell.actions.length < c.actions.length ? ` (${cell.actions.map((a) => a.replace(/^kms:/, '')).join(', ')})` : '';
        if (cell.verdict === 'conditional') {
          const words = [cell.words, cell.deniedWhenWords ? `not when ${cell.deniedWhenWords} (a Deny)` : undefined].filter(Boolean).join('; ');
          return `if [${note(words)}]${partial}`;
        }
        return `${VERDICT_TEXT[cell.verdict]}${partial}`;
      });
      lines.push(`| ${escape(p.display)} | ${row.join(' | ')} |`);
    }
    lines.push('');
    if (notes.length > 0) {
      lines.push('Conditions:', '');
      notes.forEach((n, i) => lines.push(`${i + 1}. ${escape(n)}`));
      lines.push('');
    }
    if (key.principals.some((p) => (p.members?.length ?? 0) > LIST_SUMMARY_THRESHOLD)) {
      lines.push(`Long lists are summarised: see \`keys[${index}].principals\` in \`${jsonName}\`.`, '');
    }
    lines.push('Findings:', '');
    if (key.findings.length === 0) {
      lines.push('- none');
    }
    for (const f of key.findings) {
      lines.push(`- ${escape(f)}`);
    }
    lines.push('');
  });
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}
