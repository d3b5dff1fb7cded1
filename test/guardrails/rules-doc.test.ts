/**
 * docs/RULES.md on the pack: every rule of KmsGoldenRules has a section with a `Fails:` and a `Passes:`
 * example, and the pack agrees with them. Examples are key policies (`Statement` at the top, put in a
 * rotating, retained key), key resources (`Type`) or templates (`Resources`), each loaded with
 * CfnInclude into a stack of its own; the app is synthesized once.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { Finding, newApp, REGION, synthFindings } from './nag';
import * as rules from '../../src/guardrails/rules';

const RULES_MD = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'RULES.md'), 'utf8');
const RULE_NAMES = Object.keys(rules).sort();

interface Example {
  readonly rule: string;
  readonly label: 'Fails' | 'Passes';
  readonly json: any;
}

/** The examples of each rule's section: a `Fails:` or `Passes:` line, then a fenced json block. */
function examples(): Example[] {
  const out: Example[] = [];
  for (const section of RULES_MD.split(/^## KmsGolden-/m).slice(1)) {
    const rule = section.slice(0, section.indexOf('\n')).trim();
    for (const m of section.matchAll(/^(Fails|Passes):\n\n```json\n([\s\S]*?)\n```/gm)) {
      out.push({ rule, label: m[1] as Example['label'], json: JSON.parse(m[2]) });
    }
  }
  return out;
}

/** The template of an example. */
function templateOf(json: any): any {
  if (json.Resources !== undefined) return json;
  if (json.Type !== undefined) return { Resources: { Key: json } };
  return {
    Resources: {
      Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true, KeyPolicy: json } },
    },
  };
}

const EXAMPLES = examples();
const stackId = (e: Example, i: number) => `${e.rule}${e.label}${i}`;

let findings: Finding[];

beforeAll(() => {
  const app = newApp();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-doc-'));
  EXAMPLES.forEach((e, i) => {
    const file = path.join(dir, `${stackId(e, i)}.json`);
    fs.writeFileSync(file, JSON.stringify(templateOf(e.json)));
    const stack = new Stack(app, stackId(e, i), { env: { account: '111111111111', region: REGION } });
    new CfnInclude(stack, 'Template', { templateFile: file });
  });
  findings = synthFindings(app);
});

test('every rule of the pack has a section with a failing and a passing example', () => {
  expect([...new Set(EXAMPLES.map((e) => e.rule))].sort()).toEqual(RULE_NAMES);
  for (const rule of RULE_NAMES) {
    expect(EXAMPLES.filter((e) => e.rule === rule).map((e) => e.label).sort()).toEqual(['Fails', 'Passes']);
  }
});

describe.each(EXAMPLES.map((e, i) => [`${e.rule} ${e.label}`, e, i] as const))('%s', (_name, example, i) => {
  const at = () => findings.filter((f) => f.path.startsWith(`${stackId(example, i)}/`)).map((f) => f.ruleId);
  if (example.label === 'Fails') {
    test('the rule reports it', () => {
      expect(at().filter((id) => id === `KmsGolden-${example.rule}` || id.startsWith(`KmsGolden-${example.rule}[`))).not.toEqual([]);
    });
  } else {
    test('no rule of the pack reports it', () => {
      expect(at()).toEqual([]);
    });
  }
});
