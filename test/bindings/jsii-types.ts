import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { toCamelCase, toSnakeCase } from 'codemaker';
import { toPythonIdentifier } from 'jsii-pacmak/lib/targets/python/util';

/** The parts of a jsii type the binding tests read. */
export interface JsiiType {
  readonly fqn: string;
  readonly name: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
  readonly base?: string;
  readonly interfaces?: string[];
  readonly initializer?: { parameters?: JsiiParameter[] };
  readonly methods?: JsiiMethod[];
  readonly properties?: Array<{ name: string; static?: boolean }>;
}
export interface JsiiParameter { name: string; type: JsiiTypeRef; variadic?: boolean }
export interface JsiiMethod { name: string; static?: boolean; parameters?: JsiiParameter[]; returns?: { type: JsiiTypeRef } }
export interface JsiiTypeRef { fqn?: string; collection?: { kind: string; elementtype: JsiiTypeRef } }

/** A jsii assembly file, following the redirect to a compressed assembly (aws-cdk-lib's .jsii.gz). */
export function loadAssembly(file: string): any {
  const assembly = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (assembly.schema !== 'jsii/file-redirect') return assembly;
  const data = fs.readFileSync(path.join(path.dirname(file), assembly.filename));
  return JSON.parse((assembly.compression === 'gzip' ? zlib.gunzipSync(data) : data).toString('utf8'));
}

/** Java builder / method name of a jsii property or method, as jsii-pacmak writes it. */
export const javaName = (jsiiName: string) => toCamelCase(jsiiName);
/** Python name of a jsii property, parameter or method, as jsii-pacmak writes it. */
export const pythonName = (jsiiName: string) => toPythonIdentifier(toSnakeCase(jsiiName));

/**
 * The types of this library's assembly and of its dependencies (aws-cdk-lib, constructs, cdk-nag), by
 * their Java and Python names.
 */
export class TypeIndex {
  public static load(root: string): TypeIndex {
    const own = loadAssembly(path.join(root, '.jsii'));
    const deps = Object.keys(own.dependencyClosure ?? own.dependencies ?? {}).map((name) =>
      loadAssembly(path.join(path.dirname(require.resolve(`${name}/package.json`, { paths: [root] })), '.jsii')));
    return new TypeIndex([own, ...deps]);
  }

  public readonly types = new Map<string, JsiiType>();
  /** Java name (package.Outer.Inner) to jsii fqn. */
  public readonly byJava = new Map<string, string>();
  /** Python name (module.Outer.Inner) to jsii fqn. */
  public readonly byPython = new Map<string, string>();
  public readonly javaPackages = new Set<string>();
  public readonly pythonModules = new Set<string>();

  private constructor(assemblies: any[]) {
    for (const assembly of assemblies) {
      const modules: Array<{ fqn: string; java?: string; python?: string }> = [
        { fqn: assembly.name, java: assembly.targets?.java?.package, python: assembly.targets?.python?.module },
        ...Object.entries<any>(assembly.submodules ?? {}).map(([fqn, sub]) =>
          ({ fqn, java: sub.targets?.java?.package, python: sub.targets?.python?.module })),
      ].sort((a, b) => b.fqn.length - a.fqn.length);
      for (const m of modules) {
        if (m.java) this.javaPackages.add(m.java);
        if (m.python) this.pythonModules.add(m.python);
      }
      for (const type of Object.values<JsiiType>(assembly.types ?? {})) {
        this.types.set(type.fqn, type);
        const mod = modules.find((m) => type.fqn.startsWith(`${m.fqn}.`) && m.java && m.python);
        if (!mod) continue;
        const nesting = type.fqn.slice(mod.fqn.length + 1);
        this.byJava.set(`${mod.java}.${nesting}`, type.fqn);
        this.byPython.set(`${mod.python}.${nesting}`, type.fqn);
      }
    }
  }

  public isStruct(fqn: string | undefined): boolean {
    const t = fqn ? this.types.get(fqn) : undefined;
    return t?.kind === 'interface' && !!t.datatype;
  }

  /** The type and every type it extends or implements. */
  public ancestry(fqn: string): JsiiType[] {
    const out: JsiiType[] = [];
    const seen = new Set<string>();
    const visit = (f: string | undefined) => {
      const t = f ? this.types.get(f) : undefined;
      if (!t || seen.has(t.fqn)) return;
      seen.add(t.fqn);
      out.push(t);
      visit(t.base);
      (t.interfaces ?? []).forEach(visit);
    };
    visit(fqn);
    return out;
  }

  /** Properties of a struct, inherited ones included (jsii names). */
  public structProperties(fqn: string): string[] {
    return this.ancestry(fqn).flatMap((t) => (t.properties ?? []).map((p) => p.name));
  }

  /** Methods of a type, inherited ones included. */
  public methods(fqn: string): JsiiMethod[] {
    return this.ancestry(fqn).flatMap((t) => t.methods ?? []);
  }

  /**
   * Python keyword arguments a call with these parameters takes: the parameters, and the properties of a
   * struct in last position (jsii-pacmak makes them keyword-only arguments). Variadic parameters take none.
   */
  public pythonKeywords(parameters: JsiiParameter[] | undefined): Set<string> {
    const params = parameters ?? [];
    const names = new Set(params.filter((p) => !p.variadic).map((p) => pythonName(p.name)));
    const last = params[params.length - 1];
    if (last && !last.variadic && this.isStruct(last.type.fqn)) {
      names.delete(pythonName(last.name));
      for (const prop of this.structProperties(last.type.fqn!)) names.add(pythonName(prop));
    }
    return names;
  }
}
