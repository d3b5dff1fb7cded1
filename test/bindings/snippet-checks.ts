import * as fs from 'fs';
import * as path from 'path';
import { javaName, pythonName, TypeIndex } from './jsii-types';

/**
 * Checks of the examples as jsii-rosetta translated them (the tablet), against what the bindings really
 * have: the Java sources jsii-pacmak generated for this library, and the jsii assemblies of this library
 * and its dependencies for the rest. Each check returns the problems it found, in words.
 */

interface Token { readonly text: string; readonly kind: 'id' | 'str' | 'num' | 'punct' | 'nl' }

/** Tokens of Java or Python code, comments dropped; `nl` marks the end of a line outside brackets (Python). */
function tokenize(code: string, language: 'java' | 'python'): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    const rest = code.slice(i);
    let m: RegExpMatchArray | null;
    if (language === 'java' && rest.startsWith('//')) {i = code.indexOf('\n', i) === -1 ? code.length : code.indexOf('\n', i);} else if (language === 'java' && rest.startsWith('/*')) {i = code.indexOf('*/', i) + 2;} else if (language === 'python' && c === '#') {i = code.indexOf('\n', i) === -1 ? code.length : code.indexOf('\n', i);} else if (c === '\n') {
      if (depth === 0 && tokens.length && tokens[tokens.length - 1].kind !== 'nl') tokens.push({ text: '\n', kind: 'nl' });
      i++;
    } else if (/\s/.test(c)) {i++;} else if ((m = rest.match(/^("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/))) {
      tokens.push({ text: m[0], kind: 'str' });
      i += m[0].length;
    } else if ((m = rest.match(/^[A-Za-z_$][\w$]*/))) {
      tokens.push({ text: m[0], kind: 'id' });
      i += m[0].length;
    } else if ((m = rest.match(/^\d[\w.]*/))) {
      tokens.push({ text: m[0], kind: 'num' });
      i += m[0].length;
    } else if ((m = rest.match(/^(==|!=|<=|>=|->|\*\*)/))) {
      tokens.push({ text: m[0], kind: 'punct' });
      i += m[0].length;
    } else {
      if ('([{'.includes(c)) depth++;
      if (')]}'.includes(c)) depth--;
      tokens.push({ text: c, kind: 'punct' });
      i++;
    }
  }
  return tokens;
}

/** Index of the token closing the bracket opened at `open`. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if ('([{'.includes(tokens[i].text) && tokens[i].kind === 'punct') depth++;
    if (')]}'.includes(tokens[i].text) && tokens[i].kind === 'punct' && --depth === 0) return i;
  }
  throw new Error(`unbalanced bracket at token ${open}`);
}

/** Keyword argument names of the call whose `(` is at `open`. */
function keywordArguments(tokens: Token[], open: number): string[] {
  const close = closing(tokens, open);
  const names: string[] = [];
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && '([{'.includes(t.text)) depth++;
    if (t.kind === 'punct' && ')]}'.includes(t.text)) depth--;
    if (depth === 0 && t.kind === 'id' && tokens[i + 1]?.text === '=' && [',', '('].includes(tokens[i - 1].text)) names.push(t.text);
  }
  return names;
}

const JAVA_LANG = new Set(['Boolean', 'Byte', 'Character', 'Class', 'Double', 'Exception', 'Float', 'Integer', 'Iterable',
  'Long', 'Math', 'Number', 'Object', 'Override', 'RuntimeException', 'Short', 'String', 'System', 'Void']);

/** This library's generated Java sources: the classes, their builder methods and their static methods. */
export class GeneratedJava {
  constructor(private readonly sourceRoot: string, public readonly javaPackage: string) {}

  public file(simpleName: string): string | undefined {
    const file = path.join(this.sourceRoot, ...this.javaPackage.split('.'), `${simpleName}.java`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  }

  public builderMethods(simpleName: string): Set<string> {
    const names = [...(this.file(simpleName) ?? '').matchAll(/public (?:static )?Builder (\w+)\(/g)].map((m) => m[1]);
    return new Set(names.filter((n) => n !== 'create' && n !== 'builder'));
  }

  public staticMethods(simpleName: string): Set<string> {
    return new Set([...(this.file(simpleName) ?? '').matchAll(/public static (?!final class)[^=;{(]*?\b(\w+)\(/g)].map((m) => m[1]));
  }
}

/** Problems of one Java example: names not imported, builder and static methods that do not exist, arrays. */
export function checkJavaSnippet(source: string, types: TypeIndex, generated: GeneratedJava): string[] {
  const problems: string[] = [];
  const explicit = new Map<string, string>();
  const wildcards: string[] = [];
  for (const m of source.matchAll(/^import (static )?([\w.]+?)(\.\*)?;$/gm)) {
    if (m[3]) wildcards.push(m[2]);
    else explicit.set(m[2].split('.').pop()!, m[2]);
  }
  const ownType = (javaFqn: string) => javaFqn.startsWith(`${generated.javaPackage}.`)
    && !javaFqn.slice(generated.javaPackage.length + 1).includes('.')
    && generated.file(javaFqn.slice(generated.javaPackage.length + 1)) !== undefined;
  const exists = (javaFqn: string) => ownType(javaFqn) || types.byJava.has(javaFqn);
  for (const [, fqn] of explicit) {
    if (!fqn.startsWith('java.') && !exists(fqn)) problems.push(`imports ${fqn}, which does not exist`);
  }

  /** The Java name (package.Type) a simple name used in the code refers to, or undefined. */
  const resolved = new Map<string, string | undefined>();
  const resolve = (name: string): string | undefined => {
    if (resolved.has(name)) return resolved.get(name);
    let result: string | undefined;
    if (explicit.has(name)) {result = explicit.get(name);} else {
      const candidates = wildcards.map((pkg) => `${pkg}.${name}`).filter(exists);
      if (candidates.length > 1) problems.push(`${name} is ambiguous: ${candidates.join(', ')} are all imported with *`);
      result = candidates[0];
      if (!result && !JAVA_LANG.has(name)) problems.push(`${name} is neither imported nor in java.lang`);
    }
    resolved.set(name, result);
    return result;
  };

  const code = source.replace(/^import .*$/gm, '');
  const tokens = tokenize(code, 'java');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'id' || !/^[A-Z]/.test(t.text) || tokens[i - 1]?.text === '.') continue;
    let javaFqn = resolve(t.text);
    // JDK classes (java.util.List) are not bindings: their methods are not checked here.
    if (!javaFqn || javaFqn.startsWith('java.')) continue;
    // Nested types: Outer.Inner.
    let j = i + 1;
    while (tokens[j]?.text === '.' && /^[A-Z]/.test(tokens[j + 1]?.text ?? '') && tokens[j + 1].text !== 'Builder' && types.byJava.has(`${javaFqn}.${tokens[j + 1].text}`)) {
      javaFqn = `${javaFqn}.${tokens[j + 1].text}`;
      j += 2;
    }
    const display = javaFqn.split('.').filter((s) => /^[A-Z]/.test(s)).join('.');
    let builder: Set<string> | undefined;
    if (tokens[j]?.text === '.' && tokens[j + 1]?.text === 'Builder' && tokens[j + 2]?.text === '.' && tokens[j + 3]?.text === 'create') {
      builder = classBuilderMethods(javaFqn, types, generated, ownType);
      j = closing(tokens, j + 4) + 1;
    } else if (tokens[j]?.text === '.' && tokens[j + 1]?.text === 'builder' && tokens[j + 2]?.text === '(') {
      builder = structBuilderMethods(javaFqn, types, generated, ownType);
      j = closing(tokens, j + 2) + 1;
    } else if (tokens[j]?.text === '.' && /^[a-z]/.test(tokens[j + 1]?.text ?? '') && tokens[j + 2]?.text === '(') {
      const method = tokens[j + 1].text;
      const statics = ownType(javaFqn)
        ? generated.staticMethods(javaFqn.split('.').pop()!)
        : new Set(types.methods(types.byJava.get(javaFqn)!).filter((m) => m.static).map((m) => javaName(m.name)));
      if (!statics.has(method)) problems.push(`${display}.${method}() does not exist (static methods: ${[...statics].sort().join(', ')})`);
      continue;
    }
    if (!builder) continue;
    while (tokens[j]?.text === '.' && tokens[j + 1]?.kind === 'id' && tokens[j + 2]?.text === '(') {
      const method = tokens[j + 1].text;
      if (method === 'build') break;
      if (!builder.has(method)) problems.push(`${display} builder has no method ${method}() (it has: ${[...builder].sort().join(', ')})`);
      j = closing(tokens, j + 2) + 1;
    }
  }

  // jsii binds arrays as java.util.List: an array variable (as rosetta renders a TypeScript array type)
  // cannot hold what the bindings return. Nor can an Object loop variable call the element's methods.
  for (const m of code.matchAll(/\b([A-Z]\w*)\[\]\s+(\w+)\s*=/g)) problems.push(`declares ${m[2]} as ${m[1]}[]: jsii returns java.util.List`);
  for (const m of code.matchAll(/for \(Object (\w+) :/g)) problems.push(`loop variable ${m[1]} is an Object`);
  return problems;
}

function classBuilderMethods(javaFqn: string, types: TypeIndex, generated: GeneratedJava, own: (f: string) => boolean): Set<string> {
  if (own(javaFqn)) return generated.builderMethods(javaFqn.split('.').pop()!);
  const type = types.types.get(types.byJava.get(javaFqn)!)!;
  const params = type.initializer?.parameters ?? [];
  const last = params[params.length - 1];
  return new Set(last && types.isStruct(last.type.fqn) ? types.structProperties(last.type.fqn!).map(javaName) : []);
}

function structBuilderMethods(javaFqn: string, types: TypeIndex, generated: GeneratedJava, own: (f: string) => boolean): Set<string> {
  if (own(javaFqn)) return generated.builderMethods(javaFqn.split('.').pop()!);
  return new Set(types.structProperties(types.byJava.get(javaFqn)!).map(javaName));
}

type PyValue = { kind: 'module'; name: string } | { kind: 'type'; fqn: string } | { kind: 'instance'; fqn: string } | { kind: 'unknown' };

/**
 * Problems of one Python example: keyword arguments that the called constructor or method does not take,
 * and methods that do not exist, for every call whose receiver's type is known (imports, constructors,
 * methods' return types, assignments). Calls on values of unknown type are checked against every method
 * of that name.
 */
export function checkPythonSnippet(source: string, types: TypeIndex): string[] {
  const problems: string[] = [];
  const names = new Map<string, PyValue>();
  for (const m of source.matchAll(/^from ([\w.]+) import (.+)$/gm)) {
    for (const name of m[2].split(',').map((s) => s.trim())) {
      const fqn = types.byPython.get(`${m[1]}.${name}`);
      if (fqn) names.set(name, { kind: 'type', fqn });
      else if (types.pythonModules.has(`${m[1]}.${name}`)) names.set(name, { kind: 'module', name: `${m[1]}.${name}` });
      else problems.push(`imports ${name} from ${m[1]}, which has no such type`);
    }
  }
  for (const m of source.matchAll(/^import ([\w.]+)(?: as (\w+))?$/gm)) names.set(m[2] ?? m[1], { kind: 'module', name: m[1] });

  const code = source.replace(/^(from|import) .*$/gm, '');
  const tokens = tokenize(code, 'python');
  const methodsNamed = (name: string) => [...types.types.values()].flatMap((t) => (t.methods ?? []).filter((m) => pythonName(m.name) === name));

  const checkKeywords = (what: string, keywords: string[], allowed: Set<string>) => {
    for (const kw of keywords) if (!allowed.has(kw)) problems.push(`${what} takes no keyword argument ${kw} (it takes: ${[...allowed].sort().join(', ')})`);
  };

  /** Evaluates the chain of attribute accesses and calls starting at token `i`. */
  const evaluate = (start: number): PyValue => {
    let value: PyValue = names.get(tokens[start].text) ?? { kind: 'unknown' };
    let display = tokens[start].text;
    let j = start + 1;
    for (;;) {
      if (tokens[j]?.text === '(') {
        const keywords = keywordArguments(tokens, j);
        if (value.kind === 'type') {
          const type = types.types.get(value.fqn)!;
          if (types.isStruct(value.fqn)) checkKeywords(display, keywords, new Set(types.structProperties(value.fqn).map(pythonName)));
          else if (type.kind === 'class') checkKeywords(display, keywords, types.pythonKeywords(type.initializer?.parameters));
          value = { kind: 'instance', fqn: value.fqn };
        } else {
          value = { kind: 'unknown' };
        }
        j = closing(tokens, j) + 1;
      } else if (tokens[j]?.text === '.' && tokens[j + 1]?.kind === 'id') {
        const attr = tokens[j + 1].text;
        const isCall = tokens[j + 2]?.text === '(';
        display = `${display}.${attr}`;
        j += 2;
        if (value.kind === 'module') {
          const fqn = types.byPython.get(`${value.name}.${attr}`);
          value = fqn ? { kind: 'type', fqn } : types.pythonModules.has(`${value.name}.${attr}`) ? { kind: 'module', name: `${value.name}.${attr}` } : { kind: 'unknown' };
          if (value.kind === 'unknown') problems.push(`${display} does not exist`);
          continue;
        }
        if (value.kind === 'type' && types.byPython.has(`${pyNameOf(types, value.fqn)}.${attr}`)) {
          value = { kind: 'type', fqn: types.byPython.get(`${pyNameOf(types, value.fqn)}.${attr}`)! };
          continue;
        }
        if (!isCall) {
          value = { kind: 'unknown' };
          continue;
        }
        const keywords = keywordArguments(tokens, j);
        if (value.kind === 'type' || value.kind === 'instance') {
          const isStatic = value.kind === 'type';
          const method = types.methods(value.fqn).find((m) => pythonName(m.name) === attr && !!m.static === isStatic);
          if (!method) {
            problems.push(`${display}() does not exist`);
            value = { kind: 'unknown' };
          } else {
            checkKeywords(`${display}()`, keywords, types.pythonKeywords(method.parameters));
            const ret = method.returns?.type.fqn;
            value = ret ? { kind: 'instance', fqn: ret } : { kind: 'unknown' };
          }
        } else if (keywords.length > 0) {
          const candidates = methodsNamed(attr);
          if (candidates.length > 0 && !candidates.some((m) => keywords.every((kw) => types.pythonKeywords(m.parameters).has(kw)))) {
            problems.push(`${display}(${keywords.map((k) => `${k}=`).join(', ')}): no method ${attr} takes these keyword arguments`);
          }
          value = { kind: 'unknown' };
        } else {
          value = { kind: 'unknown' };
        }
        j = closing(tokens, j) + 1;
      } else {
        return value;
      }
    }
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'id' || tokens[i - 1]?.text === '.') continue;
    const statementStart = i === 0 || tokens[i - 1].kind === 'nl';
    if (statementStart && tokens[i + 1]?.text === '=' && tokens[i + 2]?.kind === 'id') {
      names.set(t.text, evaluate(i + 2));
      i += 2;
      continue;
    }
    if (tokens[i + 1]?.text === '=' && tokens[i - 1] && [',', '('].includes(tokens[i - 1].text)) continue; // a keyword argument's name
    evaluate(i);
  }
  return problems;
}

function pyNameOf(types: TypeIndex, fqn: string): string | undefined {
  for (const [name, f] of types.byPython) if (f === fqn) return name;
  return undefined;
}
