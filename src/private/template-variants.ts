import { CfnCondition, CfnParameter, CfnResource, Stack, Token } from 'aws-cdk-lib';

/**
 * Resolves the CloudFormation constructs of a resource's rendered properties that decide what a key
 * policy says: `Fn::If` (in any value, whole statements included), `Ref: AWS::NoValue`, `Ref` to a
 * parameter with a default, and `Fn::Sub` / `Fn::Join` / `Fn::Select` over such values.
 *
 * A condition is evaluated from parameter defaults and the stack's concrete account and region when it
 * can be. Otherwise it is free: every combination of the free conditions gives one variant, so a check
 * that judges each variant sees every branch (a finding when some branch gives the access). A `Ref` to
 * a parameter with `AllowedValues` and no default gives one variant per allowed value.
 *
 * Templates written by hand (loaded with `CfnInclude`) use these constructs; CDK-built keys never do,
 * and cost nothing here: without a construct to resolve, the one variant is the properties as they are.
 */

/** One way the properties can be deployed. */
export interface TemplateVariant {
  /** What this variant assumes, `Condition=true` or `Parameter=value`; empty when nothing was free. */
  readonly assumptions: string[];
  /** The properties with every resolvable construct resolved. */
  readonly properties: Record<string, any>;
}

/** More free choices than this and the variants are too many to judge one by one. */
const MAX_FREE_CHOICES = 8;
/** How a template asks for "no value": the property, or the list element, is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

/** What the template defines around the resource: parameters and conditions by logical id. */
interface TemplateScope {
  readonly parameters: Map<string, CfnParameter>;
  readonly conditions: Map<string, CfnCondition>;
  readonly account?: string;
  readonly region?: string;
}

type Choice = { readonly name: string; readonly values: readonly (string | boolean)[]; readonly kind: 'condition' | 'parameter' };

/**
 * The variants of a resource's rendered properties. Returns one variant (the properties untouched)
 * when they hold nothing to resolve.
 */
export function templateVariants(node: CfnResource, properties: Record<string, any>, resourceCondition?: string): TemplateVariant[] {
  if (!needsResolution(properties)) {
    return [{ assumptions: [], properties }];
  }
  const scope = scopeOf(Stack.of(node));
  const fixed = new Map<string, string | boolean>();
  if (resourceCondition !== undefined) {
    // The resource exists only where its own condition holds.
    fixed.set(`condition:${resourceCondition}`, true);
  }
  const choices = freeChoices(properties, scope, fixed);
  if (choices.length > MAX_FREE_CHOICES) {
    // Too many to enumerate: judge the defaults' variant, and every other free choice at its first value.
    choices.splice(MAX_FREE_CHOICES);
  }
  const variants: TemplateVariant[] = [];
  for (const assignment of assignments(choices)) {
    const chosen = new Map(fixed);
    for (const [name, value] of assignment) chosen.set(name, value);
    const resolver = new Resolver(scope, chosen);
    variants.push({
      assumptions: assignment.map(([name, value]) => `${name.split(':')[1]}=${value}`),
      properties: resolver.value(properties) as Record<string, any>,
    });
  }
  return variants;
}

/** Whether a value holds a construct this module resolves. */
function needsResolution(value: unknown): boolean {
  if (Array.isArray(value)) {
    return value.some(needsResolution);
  }
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [[fn, arg]] = entries;
    if (fn === 'Fn::If') return true;
    if (fn === 'Ref') return typeof arg === 'string' && !arg.startsWith('AWS::') || arg === 'AWS::NoValue';
    if (fn === 'Fn::Sub') return /\$\{(?!AWS::)[^!}.]+\}/.test(Array.isArray(arg) ? String(arg[0]) : String(arg)) || needsResolution(arg);
  }
  return entries.some(([, v]) => needsResolution(v));
}

function scopeOf(stack: Stack): TemplateScope {
  const parameters = new Map<string, CfnParameter>();
  const conditions = new Map<string, CfnCondition>();
  for (const c of stack.node.findAll()) {
    if (Stack.of(c) !== stack) continue;
    if (c instanceof CfnParameter) parameters.set(stack.resolve(c.logicalId), c);
    if (c instanceof CfnCondition) conditions.set(stack.resolve(c.logicalId), c);
  }
  return {
    parameters,
    conditions,
    account: Token.isUnresolved(stack.account) ? undefined : stack.account,
    region: Token.isUnresolved(stack.region) ? undefined : stack.region,
  };
}

/**
 * The conditions (named by `Fn::If`) that cannot be evaluated, and the parameters without a default
 * but with allowed values, that the properties use.
 */
function freeChoices(properties: unknown, scope: TemplateScope, fixed: Map<string, string | boolean>): Choice[] {
  const out = new Map<string, Choice>();
  const evaluator = new Resolver(scope, fixed);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [[fn, arg]] = entries;
      if (fn === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') {
        const name = `condition:${arg[0]}`;
        if (!fixed.has(name) && evaluator.condition(arg[0]) === undefined) {
          out.set(name, { name, values: [true, false], kind: 'condition' });
        }
      }
      if (fn === 'Ref' && typeof arg === 'string') {
        const param = scope.parameters.get(arg);
        const allowed = param?.allowedValues;
        if (param && param.default === undefined && allowed && allowed.length > 0) {
          const name = `parameter:${arg}`;
          out.set(name, { name, values: allowed, kind: 'parameter' });
        }
      }
    }
    entries.forEach(([, v]) => visit(v));
  };
  visit(properties);
  return [...out.values()];
}

/** Every combination of the choices' values (one empty combination when there are none). */
function assignments(choices: Choice[]): [string, string | boolean][][] {
  let out: [string, string | boolean][][] = [[]];
  for (const choice of choices) {
    out = out.flatMap((partial) => choice.values.map((v) => [...partial, [choice.name, v] as [string, string | boolean]]));
  }
  return out;
}

/** Resolves values under one assignment of the free choices. */
class Resolver {
  constructor(private readonly scope: TemplateScope, private readonly chosen: Map<string, string | boolean>) {}

  /** A value with every resolvable construct resolved; `NO_VALUE` where the template asks for none. */
  public value(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((v) => this.value(v)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [[fn, arg]] = entries;
      const resolved = this.intrinsic(fn, arg);
      if (resolved !== undefined) return resolved;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = this.value(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  /** The value of a condition under this assignment, or undefined when it cannot be told. */
  public condition(name: string, seen: Set<string> = new Set()): boolean | undefined {
    const chosen = this.chosen.get(`condition:${name}`);
    if (typeof chosen === 'boolean') return chosen;
    const condition = this.scope.conditions.get(name);
    if (condition === undefined || seen.has(name)) return undefined;
    const expression = Stack.of(condition).resolve(condition.expression);
    return this.evaluate(expression, new Set([...seen, name]));
  }

  private intrinsic(fn: string, arg: any): unknown {
    switch (fn) {
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return undefined;
        const holds = this.condition(arg[0]);
        // A condition still unknown here was not free (it is beyond the enumeration cap): its true branch.
        return this.value(holds === false ? arg[2] : arg[1]);
      }
      case 'Ref': {
        if (arg === 'AWS::NoValue') return NO_VALUE;
        const known = this.parameter(arg);
        return known === undefined ? { Ref: arg } : known;
      }
      case 'Fn::Sub': {
        const [template, vars] = Array.isArray(arg) ? arg : [arg, undefined];
        if (typeof template !== 'string') return undefined;
        const substituted = template.replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) => {
          if (vars && name in vars) {
            const v = this.value(vars[name]);
            return typeof v === 'string' ? v : whole;
          }
          const p = this.parameter(name);
          return typeof p === 'string' ? p : whole;
        });
        return vars ? { 'Fn::Sub': [substituted, this.value(vars)] } : { 'Fn::Sub': substituted };
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || typeof arg[0] !== 'string') return undefined;
        const parts = this.value(arg[1]);
        if (Array.isArray(parts) && parts.every((p) => typeof p === 'string')) return parts.join(arg[0]);
        return { 'Fn::Join': [arg[0], parts] };
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg)) return undefined;
        const index = this.value(arg[0]);
        const list = this.value(arg[1]);
        if (Array.isArray(list) && list[Number(index)] !== undefined) return list[Number(index)];
        return { 'Fn::Select': [index, list] };
      }
      default:
        return undefined;
    }
  }

  /** A parameter's value under this assignment: the one chosen, its default, or undefined. */
  private parameter(name: string): string | string[] | undefined {
    const chosen = this.chosen.get(`parameter:${name}`);
    if (chosen !== undefined) return String(chosen);
    const param = this.scope.parameters.get(name);
    const value = param?.default;
    if (value === undefined || value === null) return undefined;
    if (/^(CommaDelimitedList|List<.*>)$/.test(param!.type)) {
      return String(value).split(',').map((v) => v.trim());
    }
    return String(value);
  }

  /** Evaluates a condition expression; undefined when a value it needs is known only at deploy time. */
  private evaluate(expression: any, seen: Set<string>): boolean | undefined {
    if (expression === null || typeof expression !== 'object') return undefined;
    const [[fn, arg]] = Object.entries(expression as Record<string, any>);
    switch (fn) {
      case 'Condition':
        return typeof arg === 'string' ? this.condition(arg, seen) : undefined;
      case 'Fn::Not': {
        const inner = this.evaluate(Array.isArray(arg) ? arg[0] : arg, seen);
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const values = (arg as any[]).map((a) => this.evaluate(a, seen));
        const decisive = fn === 'Fn::And' ? false : true;
        if (values.includes(decisive)) return decisive;
        return values.includes(undefined) ? undefined : !decisive;
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as any[]).map((v) => this.scalar(v));
        return a === undefined || b === undefined ? undefined : a === b;
      }
      default:
        return undefined;
    }
  }

  /** A value of a condition expression as a string, or undefined when known only at deploy time. */
  private scalar(value: unknown): string | undefined {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value === null || typeof value !== 'object') return undefined;
    const ref = (value as Record<string, unknown>).Ref;
    if (ref === 'AWS::AccountId') return this.scope.account;
    if (ref === 'AWS::Region') return this.scope.region;
    if (typeof ref === 'string') {
      const p = this.parameter(ref);
      return Array.isArray(p) ? p.join(',') : p;
    }
    const resolved = this.value(value);
    return typeof resolved === 'string' ? resolved : undefined;
  }
}
